package dev.tern.core.xbzrle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.ErrorClass;
import dev.tern.api.ParameterException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PageCacheTest {
    private static final int P = 4096;

    @Test
    void aCacheSmallerThanAPageIsRefused() {
        ParameterException e = assertThrows(ParameterException.class, () -> new PageCache(P - 1, P));
        assertEquals("Parameter 'cache size' expects is smaller than one target page size", e.getMessage());
        assertEquals(ErrorClass.GENERIC_ERROR, e.errorClass());
        try (PageCache one = new PageCache(P, P)) {
            assertEquals(1, one.slotCount());
        }
    }

    @Test
    void aSlotCountThatIsNotAPowerOfTwoIsRefused() {
        ParameterException e = assertThrows(ParameterException.class, () -> new PageCache(3L * P, P));
        assertEquals("Parameter 'cache size' expects is not a power of two number of pages", e.getMessage());
        try (PageCache four = new PageCache(4L * P, P)) {
            assertEquals(4, four.slotCount());
            assertEquals(4L * P, four.size());
        }
    }

    @Test
    void moreSlotsThanTernCanIndexAreRefused() {
        ParameterException e = assertThrows(ParameterException.class,
                () -> new PageCache(2 * PageCache.MAX_SLOTS * P, P));
        assertEquals("Parameter 'cache size' expects exceeding address space", e.getMessage());
    }

    @Test
    void aSizeThatIsNotAPageMultipleUsesWholeSlotsAsQemuDoes() {
        try (PageCache c = new PageCache(4L * P + 100, P)) {
            assertEquals(4, c.slotCount());
            assertEquals(4L * P, c.size());
        }
    }

    @Test
    void thePageSizeMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new PageCache(4L * 3000, 3000));
        assertThrows(IllegalArgumentException.class, () -> new PageCache(4L * P, 0));
    }

    @Test
    void anEmptyCacheMissesEveryAddressIncludingZero() {
        try (PageCache c = new PageCache(4L * P, P)) {
            assertFalse(c.lookup(0, 0));
            assertFalse(c.lookup(3L * P, 0));
        }
    }

    @Test
    void anInsertedPageIsFoundAndItsBytesAreInItsSlot() {
        try (PageCache c = new PageCache(4L * P, P)) {
            byte[] page = page(7);
            assertTrue(c.insert(5L * P, MemorySegment.ofArray(page), 3));
            assertTrue(c.lookup(5L * P, 3));
            assertFalse(c.lookup(P, 3), "same slot, other address");
            assertEquals(P, c.slotOffset(5L * P));
            assertEquals(P, c.slotOffset(P));
            assertArrayEquals(page, c.data().asSlice(c.slotOffset(5L * P), P).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void aPageIsCopiedFromAnOffsetOfLargerMemory() {
        try (PageCache c = new PageCache(4L * P, P)) {
            byte[] memory = new byte[3 * P];
            byte[] page = page(9);
            System.arraycopy(page, 0, memory, P + 3, P);
            assertTrue(c.insert(2L * P, MemorySegment.ofArray(memory), P + 3, 0));
            assertArrayEquals(page, c.data().asSlice(c.slotOffset(2L * P), P).toArray(ValueLayout.JAVA_BYTE));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> c.insert(3L * P, MemorySegment.ofArray(memory), 2 * P + 1, 0));
        }
    }

    @Test
    void aPageTouchedInThisOrThePreviousGenerationIsNotEvicted() {
        try (PageCache c = new PageCache(4L * P, P)) {
            long a = P;
            long b = 5L * P; // same slot as a
            assertTrue(c.insert(a, MemorySegment.ofArray(page(1)), 5));
            assertFalse(c.insert(b, MemorySegment.ofArray(page(2)), 5));
            assertFalse(c.insert(b, MemorySegment.ofArray(page(2)), 6), "5 + 2 > 6: fresh");
            assertTrue(c.lookup(a, 6), "a refused insert leaves the page");
            assertFalse(c.insert(b, MemorySegment.ofArray(page(2)), 7), "the hit at 6 refreshed it");
            assertTrue(c.insert(b, MemorySegment.ofArray(page(2)), 8), "6 + 2 > 8 is false: stale");
            assertTrue(c.lookup(b, 8));
            assertFalse(c.lookup(a, 8));
            assertArrayEquals(page(2), c.data().asSlice(c.slotOffset(b), P).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void withoutTheHitThePageWouldHaveBeenEvicted() {
        try (PageCache c = new PageCache(4L * P, P)) {
            assertTrue(c.insert(P, MemorySegment.ofArray(page(1)), 5));
            assertTrue(c.insert(5L * P, MemorySegment.ofArray(page(2)), 7), "5 + 2 > 7 is false");
        }
    }

    @Test
    void theSamePageIsAlwaysUpdated() {
        try (PageCache c = new PageCache(4L * P, P)) {
            assertTrue(c.insert(P, MemorySegment.ofArray(page(1)), 5));
            assertTrue(c.insert(P, MemorySegment.ofArray(page(3)), 5));
            assertArrayEquals(page(3), c.data().asSlice(c.slotOffset(P), P).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(5, c.ageAt(1));
        }
    }

    @Test
    void aNegativeAddressIsRefused() {
        try (PageCache c = new PageCache(4L * P, P)) {
            assertThrows(IllegalArgumentException.class, () -> c.lookup(-1, 0));
            assertThrows(IllegalArgumentException.class, () -> c.insert(-P, MemorySegment.ofArray(page(1)), 0));
        }
    }

    @Test
    void growingKeepsEveryPageWithItsAge() {
        try (PageCache c = new PageCache(4L * P, P)) {
            for (int i = 0; i < 4; i++) {
                assertTrue(c.insert((4L + i) * P, MemorySegment.ofArray(page(i)), 10 + i));
            }
            MemorySegment before = c.data();
            c.resize(16L * P);
            assertEquals(16, c.slotCount());
            assertThrows(IllegalStateException.class, () -> before.get(ValueLayout.JAVA_BYTE, 0), "freed");
            for (int i = 0; i < 4; i++) {
                long address = (4L + i) * P;
                assertArrayEquals(page(i), c.data().asSlice(c.slotOffset(address), P).toArray(ValueLayout.JAVA_BYTE));
                assertEquals(10 + i, c.ageAt((int) (c.slotOffset(address) / P)));
                assertTrue(c.lookup(address, 20));
            }
        }
    }

    @Test
    void shrinkingKeepsTheMostRecentlyTouchedPageOfEachNewSlot() {
        try (PageCache c = new PageCache(4L * P, P)) {
            c.insert(0, MemorySegment.ofArray(page(0)), 3); // new slot 0
            c.insert(2L * P, MemorySegment.ofArray(page(2)), 9); // new slot 0, newer
            c.insert(P, MemorySegment.ofArray(page(1)), 4); // new slot 1, same age as slot 3
            c.insert(3L * P, MemorySegment.ofArray(page(3)), 4); // new slot 1: the lower old slot wins
            c.resize(2L * P);
            assertEquals(2, c.slotCount());
            assertEquals(2L * P, c.addressAt(0));
            assertEquals(9, c.ageAt(0));
            assertEquals(P, c.addressAt(1));
            assertArrayEquals(page(2), c.data().asSlice(0, P).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(page(1), c.data().asSlice(P, P).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void resizingToTheSameSlotCountChangesNothing() {
        try (PageCache c = new PageCache(4L * P, P)) {
            MemorySegment data = c.data();
            c.resize(4L * P + 5);
            assertSame(data, c.data());
        }
    }

    @Test
    void aRefusedResizeLeavesTheCacheAlone() {
        try (PageCache c = new PageCache(4L * P, P)) {
            c.insert(P, MemorySegment.ofArray(page(1)), 0);
            ParameterException e = assertThrows(ParameterException.class, () -> c.resize(6L * P));
            assertEquals("Parameter 'cache size' expects is not a power of two number of pages", e.getMessage());
            assertEquals(4, c.slotCount());
            assertTrue(c.lookup(P, 0));
        }
    }

    @Test
    void aRequestedResizeWaitsForTheOwner() throws Exception {
        try (PageCache c = new PageCache(4L * P, P)) {
            assertFalse(c.applyPendingResize(), "nothing pending");
            CompletableFuture.runAsync(() -> c.requestResize(8L * P)).get();
            CompletableFuture.runAsync(() -> c.requestResize(32L * P)).get();
            assertEquals(4, c.slotCount(), "not before the owner applies it");
            assertTrue(c.applyPendingResize());
            assertEquals(32, c.slotCount(), "the later request replaced the earlier");
            assertFalse(c.applyPendingResize());
        }
    }

    @Test
    void anInvalidRequestIsRefusedAtOnce() {
        try (PageCache c = new PageCache(4L * P, P)) {
            ParameterException e = assertThrows(ParameterException.class, () -> c.requestResize(P / 2));
            assertEquals("Parameter 'cache size' expects is smaller than one target page size", e.getMessage());
            assertFalse(c.applyPendingResize());
        }
    }

    @Test
    void closingFreesTheRegionAndMayBeRepeated() {
        PageCache c = new PageCache(4L * P, P);
        MemorySegment data = c.data();
        c.close();
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_BYTE, 0));
        c.close();
    }

    @Test
    void randomOperationsMatchTheModel() {
        SplittableRandom random = new SplittableRandom(4242);
        for (int run = 0; run < 40; run++) {
            int slots = 1 << random.nextInt(6);
            try (PageCache c = new PageCache((long) slots * P, P)) {
                PageCacheModel m = new PageCacheModel((long) slots * P, P);
                long generation = random.nextInt(3);
                for (int op = 0; op < 3000; op++) {
                    if (random.nextInt(8) == 0) {
                        generation += 1 + (random.nextInt(6) == 0 ? random.nextInt(3) : 0);
                    }
                    long address = (long) random.nextInt(4 * 64) * P;
                    String what = "run " + run + " op " + op;
                    switch (random.nextInt(20)) {
                        case 0 -> {
                            long size = (long) (1 << random.nextInt(7)) * P;
                            if (random.nextBoolean()) {
                                c.resize(size);
                            } else {
                                c.requestResize(size);
                                assertTrue(c.applyPendingResize());
                            }
                            m.resize(size);
                        }
                        case 1, 2, 3, 4, 5, 6, 7, 8 -> assertEquals(m.lookup(address, generation),
                                c.lookup(address, generation), what + " lookup " + address);
                        default -> {
                            byte[] page = new byte[P];
                            random.nextBytes(page);
                            assertEquals(m.insert(address, page, generation),
                                    c.insert(address, MemorySegment.ofArray(page), generation),
                                    what + " insert " + address);
                        }
                    }
                    assertEquals(m.slots(), c.slotCount(), what);
                    if (op % 100 == 0 || op == 2999) {
                        assertSameState(m, c, what);
                    }
                }
            }
        }
    }

    private static void assertSameState(PageCacheModel m, PageCache c, String what) {
        for (int s = 0; s < m.slots(); s++) {
            PageCacheModel.Entry e = m.entry(s);
            if (e == null) {
                assertEquals(PageCache.EMPTY, c.addressAt(s), what + " slot " + s);
                continue;
            }
            assertEquals(e.address(), c.addressAt(s), what + " slot " + s);
            assertEquals(e.age(), c.ageAt(s), what + " age of slot " + s);
            assertEquals(s * (long) P, c.slotOffset(e.address()), what);
            assertArrayEquals(e.data(), c.data().asSlice((long) s * P, P).toArray(ValueLayout.JAVA_BYTE),
                    what + " data of slot " + s);
        }
    }

    @Test
    void aResizedCacheIsANewRegion() {
        try (PageCache c = new PageCache(4L * P, P)) {
            MemorySegment before = c.data();
            c.resize(8L * P);
            assertNotSame(before, c.data());
            assertEquals(8L * P, c.data().byteSize());
        }
    }

    private static byte[] page(int seed) {
        byte[] p = new byte[P];
        new SplittableRandom(seed).nextBytes(p);
        return p;
    }
}
