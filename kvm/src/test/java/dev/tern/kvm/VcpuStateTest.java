package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stream format of a vCPU state; needs no KVM. */
class VcpuStateTest {
    private static VcpuState randomState(long seed, int msrs) {
        Random random = new Random(seed);
        byte[] regs = new byte[144];
        byte[] sregs = new byte[312];
        byte[] fpu = new byte[416];
        random.nextBytes(regs);
        random.nextBytes(sregs);
        random.nextBytes(fpu);
        // Padding is not transmitted: keep it zero so that a round trip compares equal.
        for (int segment = 0; segment < 8; segment++) {
            sregs[segment * 24 + 23] = 0;
        }
        for (int table = 0; table < 2; table++) {
            for (int i = 10; i < 16; i++) {
                sregs[192 + table * 16 + i] = 0;
            }
        }
        fpu[133] = 0;
        for (int i = 412; i < 416; i++) {
            fpu[i] = 0;
        }
        int[] indices = new int[msrs];
        long[] values = new long[msrs];
        for (int i = 0; i < msrs; i++) {
            indices[i] = random.nextInt();
            values[i] = random.nextLong();
        }
        byte[] events = new byte[64];
        random.nextBytes(events);
        return new VcpuState(regs, sregs, fpu, indices, values, events);
    }

    private static byte[] bytes(VcpuState state) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        state.write(new DataOutputStream(out));
        return out.toByteArray();
    }

    private static VcpuState parse(byte[] bytes, int version) throws IOException {
        return VcpuState.read(new DataInputStream(new ByteArrayInputStream(bytes)), version);
    }

    @Test
    void roundTripsAndHasTheDocumentedSize() throws IOException {
        for (int seed = 0; seed < 20; seed++) {
            VcpuState state = randomState(seed, seed % 13);
            byte[] bytes = bytes(state);
            assertEquals(144 + 292 + 411 + 4 + 12 * (seed % 13) + 64, bytes.length);
            VcpuState back = parse(bytes, 1);
            assertEquals(state, back);
            assertArrayEquals(bytes, bytes(back));
        }
        assertNotEquals(randomState(1, 2), randomState(2, 2));
    }

    @Test
    void fieldsAreBigEndianInDeclarationOrder() throws IOException {
        VcpuState state = randomState(7, 1);
        byte[] bytes = bytes(state);
        // rip is the 17th u64 of kvm_regs.
        long rip = MemorySegment.ofArray(state.regs()).get(JAVA_LONG_UNALIGNED, 128);
        assertEquals(rip, new DataInputStream(new ByteArrayInputStream(bytes, 128, 8)).readLong());
        assertEquals(rip, state.register("rip"));
        // cs.selector follows cs.base (u64) and cs.limit (u32), at stream offset 144 + 12.
        int selector = Short.toUnsignedInt(MemorySegment.ofArray(state.sregs())
                .get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 12));
        assertEquals(selector, ((bytes[156] & 0xFF) << 8) | (bytes[157] & 0xFF));
        // The MSR count follows the three structs.
        assertEquals(1, new DataInputStream(new ByteArrayInputStream(bytes, 847, 4)).readInt());
        // The events follow the one MSR entry; their flags (u32 at 20) come big-endian.
        int flags = MemorySegment.ofArray(state.events()).get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 20);
        assertEquals(flags, new DataInputStream(new ByteArrayInputStream(bytes, 851 + 12 + 20, 4)).readInt());
        assertEquals(851 + 12 + 64, bytes.length);
    }

    @Test
    void registersByName() {
        VcpuState state = randomState(3, 2);
        MemorySegment sregs = MemorySegment.ofArray(state.sregs());
        assertEquals(sregs.get(JAVA_LONG_UNALIGNED, 224), state.register("cr0"));
        assertEquals(sregs.get(JAVA_LONG_UNALIGNED, 264), state.register("efer"));
        assertEquals(MemorySegment.ofArray(state.regs()).get(JAVA_LONG_UNALIGNED, 8), state.register("rbx"));
        assertEquals("no register xmm0 in kvm_regs or kvm_sregs",
                assertThrows(IllegalArgumentException.class, () -> state.register("xmm0")).getMessage());
        assertEquals(OptionalLong.of(state.msrValues()[1]), state.msr(state.msrIndices()[1]));
    }

    @Test
    void otherVersionsAreRefused() throws IOException {
        byte[] bytes = bytes(randomState(1, 1));
        assertEquals("vCPU state version 2 is not supported: Tern reads version 1",
                assertThrows(IOException.class, () -> parse(bytes, 2)).getMessage());
        assertEquals("vCPU state version 0 is not supported: Tern reads version 1",
                assertThrows(IOException.class, () -> parse(bytes, 0)).getMessage());
    }

    @Test
    void msrCountIsBounded() throws IOException {
        byte[] ok = bytes(randomState(1, 64));
        parse(ok, 1);
        byte[] bytes = bytes(randomState(1, 0));
        bytes[850] = 65;
        assertEquals("vCPU state holds 65 MSRs, at most 64 are allowed",
                assertThrows(IOException.class, () -> parse(bytes, 1)).getMessage());
        bytes[847] = (byte) 0xFF;
        assertEquals("vCPU state holds 4278190145 MSRs, at most 64 are allowed",
                assertThrows(IOException.class, () -> parse(bytes, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> randomState(1, 65));
    }

    @Test
    void truncatedStreamFails() throws IOException {
        byte[] bytes = bytes(randomState(1, 3));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        assertThrows(EOFException.class, () -> parse(cut, 1));
    }
}
