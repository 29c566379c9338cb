package dev.tern.core.xbzrle;

import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationException;
import dev.tern.api.ParameterException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The source's XBZRLE cache of previously sent pages (QEMU 7.2 {@code migration/page_cache.c},
 * spec §7.4), sized by the {@code xbzrle-cache-size} migration parameter.
 *
 * <p>Direct-mapped: {@code N = cacheSize / pageSize} slots, N a power of two; a page's slot is
 * {@code (address / pageSize) & (N - 1)}, its key the page's global RAM address. Each slot holds
 * an address (all ones when empty), an age and a page of data. The ages are
 * {@code dirty-sync-count} generations: a lookup hit or an insert stamps the current one, and an
 * insert never evicts a different page touched in this or the previous generation
 * ({@code age + 2 > generation}, QEMU's {@code CACHED_PAGE_LIFETIME}).
 *
 * <p>All page data lives in one off-heap region of {@code cacheSize} bytes ({@link #data()}, slot
 * {@code s} at {@code s * pageSize}); addresses and ages are two primitive arrays. No object is
 * created per slot or per call, and callers reach a slot's page with {@link #slotOffset(long)}
 * instead of a slice. QEMU allocates each slot's page on first insert; Tern allocates the region
 * up front, so the cache's memory is committed when the migration starts.
 *
 * <p>Threads: one migration thread owns the cache and calls every method except
 * {@link #requestResize(long)}. A live {@code xbzrle-cache-size} change, which QEMU 7.2 silently
 * ignores (spec §3.2), is requested from the QMP thread with {@link #requestResize(long)} and
 * applied by the owner at a safe point with {@link #applyPendingResize()}, between pages, so no
 * encode is reading a slot while the region is replaced. A region that is replaced or closed is
 * freed at once; a segment obtained from {@link #data()} before then fails on access instead of
 * reading freed memory.
 */
public final class PageCache implements AutoCloseable {
    /** The address of an empty slot (QEMU's {@code it_addr = -1}). */
    public static final long EMPTY = -1L;
    /** Generations a page stays protected from eviction ({@code CACHED_PAGE_LIFETIME}). */
    public static final long LIFETIME = 2;
    /**
     * Most slots Tern supports: the slot tables are Java arrays. At 4 KiB pages that is a 4 TiB
     * cache.
     */
    public static final long MAX_SLOTS = 1L << 30;

    private static final long NO_RESIZE = 0;
    private static final VarHandle PENDING_SIZE;

    static {
        try {
            PENDING_SIZE = MethodHandles.lookup().findVarHandle(PageCache.class, "pendingSize", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int pageSize;
    private final int pageShift;
    private Arena arena;
    private MemorySegment data;
    private long[] addresses;
    private long[] ages;
    private int slotMask;
    /** A size asked for by {@link #requestResize}, or {@link #NO_RESIZE}; written by any thread. */
    private volatile long pendingSize = NO_RESIZE;

    /**
     * Creates an empty cache ({@code cache_init}), at migration setup.
     *
     * @param cacheSize bytes of page data: the {@code xbzrle-cache-size} parameter
     * @param pageSize the target page size, a power of two
     * @throws ParameterException "Parameter 'cache size' expects is smaller than one target page
     *     size", "Parameter 'cache size' expects is not a power of two number of pages", or (more
     *     than {@link #MAX_SLOTS} slots) "Parameter 'cache size' expects exceeding address space"
     * @throws MigrationException "Failed to allocate cache" if the region cannot be allocated
     * @throws IllegalArgumentException if {@code pageSize} is not a positive power of two
     */
    public PageCache(long cacheSize, int pageSize) {
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size " + pageSize + " is not a power of two");
        }
        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        int slots = checkSize(cacheSize, pageSize);
        Arena newArena = Arena.ofShared();
        this.data = allocate(newArena, (long) slots * pageSize, pageSize);
        this.arena = newArena;
        this.addresses = emptyAddresses(slots);
        this.ages = new long[slots];
        this.slotMask = slots - 1;
    }

    /**
     * The target page size.
     *
     * @return bytes per slot
     */
    public int pageSize() {
        return pageSize;
    }

    /**
     * The number of slots.
     *
     * @return N, a power of two
     */
    public int slotCount() {
        return addresses.length;
    }

    /**
     * The current size.
     *
     * @return bytes of page data, {@code slotCount() * pageSize()}
     */
    public long size() {
        return data.byteSize();
    }

    /**
     * Whether a page is cached ({@code cache_is_cached}); a hit stamps the slot with the current
     * generation, protecting it from eviction.
     *
     * @param address the page's global RAM address, non-negative
     * @param generation the current {@code dirty-sync-count}
     * @return true if the page's slot holds this page
     */
    public boolean lookup(long address, long generation) {
        int slot = slot(address);
        if (addresses[slot] == address) {
            ages[slot] = generation;
            return true;
        }
        return false;
    }

    /**
     * Where a page's slot begins in {@link #data()} ({@code get_cached_data}); whether the slot
     * holds this page is {@link #lookup}'s answer.
     *
     * @param address the page's global RAM address, non-negative
     * @return the byte offset of the slot's page
     */
    public long slotOffset(long address) {
        return (long) slot(address) << pageShift;
    }

    /**
     * All slots' page data: one region, slot {@code s} at {@code s * pageSize()}. Replaced by a
     * resize and freed by {@link #close()}; fetch it again after either.
     *
     * @return the region
     */
    public MemorySegment data() {
        return data;
    }

    /**
     * Copies a page into its slot ({@code cache_insert}), unless the slot holds a different page
     * touched in this or the previous generation.
     *
     * @param address the page's global RAM address, non-negative
     * @param page the page's bytes, from offset 0
     * @param generation the current {@code dirty-sync-count}
     * @return true if the page was stored; false if the slot's page is too fresh to evict
     */
    public boolean insert(long address, MemorySegment page, long generation) {
        return insert(address, page, 0, generation);
    }

    /**
     * Copies a page found at an offset of larger memory (a RAM block, a bounce buffer) into its
     * slot, with {@link #insert(long, MemorySegment, long)}'s rule.
     *
     * @param address the page's global RAM address, non-negative
     * @param source memory holding the page
     * @param sourceOffset where the page starts
     * @param generation the current {@code dirty-sync-count}
     * @return true if the page was stored; false if the slot's page is too fresh to evict
     * @throws IndexOutOfBoundsException if the page lies outside {@code source}
     */
    public boolean insert(long address, MemorySegment source, long sourceOffset, long generation) {
        int slot = slot(address);
        long held = addresses[slot];
        if (held != EMPTY && held != address && isFresh(ages[slot], generation)) {
            return false;
        }
        MemorySegment.copy(source, sourceOffset, data, (long) slot << pageShift, pageSize);
        addresses[slot] = address;
        ages[slot] = generation;
        return true;
    }

    /**
     * Resizes now, keeping what fits (owner thread only). QEMU 7.2's live resize returns before
     * doing anything and would rebuild an empty cache if it ran; Tern moves every cached page to
     * the new table. Growing keeps all of them (distinct slots stay distinct). Shrinking keeps, of
     * the pages that now share a slot, the one touched last, the lowest old slot on a tie: the
     * most recent page is the likeliest to be dirtied again. A page keeps its age. A size with
     * the current number of slots changes nothing.
     *
     * @param newSize the new {@code xbzrle-cache-size}
     * @throws ParameterException for a size the constructor would reject, with its texts
     * @throws MigrationException "Failed to allocate cache"; the cache is left as it was
     */
    public void resize(long newSize) {
        int slots = checkSize(newSize, pageSize);
        if (slots == addresses.length) {
            return;
        }
        Arena newArena = Arena.ofShared();
        MemorySegment newData = allocate(newArena, (long) slots * pageSize, pageSize);
        long[] newAddresses = emptyAddresses(slots);
        long[] newAges = new long[slots];
        int[] from = new int[slots];
        int newMask = slots - 1;
        for (int old = 0; old < addresses.length; old++) {
            long address = addresses[old];
            if (address == EMPTY) {
                continue;
            }
            int s = (int) (address >>> pageShift) & newMask;
            if (newAddresses[s] == EMPTY || Long.compareUnsigned(ages[old], newAges[s]) > 0) {
                newAddresses[s] = address;
                newAges[s] = ages[old];
                from[s] = old;
            }
        }
        for (int s = 0; s < slots; s++) {
            if (newAddresses[s] != EMPTY) {
                MemorySegment.copy(data, (long) from[s] << pageShift, newData, (long) s << pageShift, pageSize);
            }
        }
        Arena oldArena = arena;
        arena = newArena;
        data = newData;
        addresses = newAddresses;
        ages = newAges;
        slotMask = newMask;
        oldArena.close();
    }

    /**
     * Asks for a resize from any thread (the {@code migrate-set-parameters} path); the owner
     * applies it at its next {@link #applyPendingResize()}. A later request replaces an earlier
     * one not yet applied.
     *
     * @param newSize the new {@code xbzrle-cache-size}
     * @throws ParameterException for a size the constructor would reject, with its texts
     */
    public void requestResize(long newSize) {
        checkSize(newSize, pageSize);
        PENDING_SIZE.setRelease(this, newSize);
    }

    /**
     * Applies the last {@link #requestResize} not yet applied (owner thread, between pages). The
     * check is one acquiring read when nothing is pending.
     *
     * @return true if a resize was pending and is now applied
     * @throws MigrationException "Failed to allocate cache"; the request is dropped and the cache
     *     left as it was
     */
    public boolean applyPendingResize() {
        if ((long) PENDING_SIZE.getAcquire(this) == NO_RESIZE) {
            return false;
        }
        long size = (long) PENDING_SIZE.getAndSet(this, NO_RESIZE);
        resize(size);
        return true;
    }

    /**
     * Frees the region ({@code cache_fini}), at migration cleanup. Idempotent.
     */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
        Arrays.fill(addresses, EMPTY);
    }

    /** The address a slot holds, {@link #EMPTY} if none; for tests, which must not touch ages. */
    long addressAt(int slot) {
        return addresses[slot];
    }

    /** The age of a slot; for tests. */
    long ageAt(int slot) {
        return ages[slot];
    }

    private int slot(long address) {
        if (address < 0) {
            throw new IllegalArgumentException("negative page address " + address);
        }
        return (int) (address >>> pageShift) & slotMask;
    }

    /** QEMU compares the uint64 ages unsigned. */
    private static boolean isFresh(long age, long generation) {
        return Long.compareUnsigned(age + LIFETIME, generation) > 0;
    }

    private static long[] emptyAddresses(int slots) {
        long[] a = new long[slots];
        Arrays.fill(a, EMPTY);
        return a;
    }

    /** Validates a size as {@code cache_init} does and returns the slot count. */
    private static int checkSize(long size, int pageSize) {
        if (size < pageSize) {
            throw cacheSizeInvalid("is smaller than one target page size");
        }
        long slots = size / pageSize;
        if (Long.bitCount(slots) != 1) {
            throw cacheSizeInvalid("is not a power of two number of pages");
        }
        if (slots > MAX_SLOTS) {
            throw cacheSizeInvalid("exceeding address space");
        }
        return (int) slots;
    }

    private static MemorySegment allocate(Arena arena, long size, int pageSize) {
        try {
            return arena.allocate(size, pageSize);
        } catch (OutOfMemoryError e) {
            arena.close();
            throw allocationFailed(e);
        }
    }

    /** QEMU's {@code QERR_INVALID_PARAMETER_VALUE} with the parameter named "cache size". */
    private static ParameterException cacheSizeInvalid(String expectation) {
        return new ParameterException("Parameter 'cache size' expects " + expectation);
    }

    /** {@code cache_init}'s text when the memory is not there. */
    private static MigrationException allocationFailed(Throwable cause) {
        return new MigrationException(ErrorClass.GENERIC_ERROR, "Failed to allocate cache", cause);
    }

}
