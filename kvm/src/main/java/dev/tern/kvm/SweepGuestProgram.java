package dev.tern.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The machine code of Tern's A-B test guest, QEMU's {@code tests/migration/i386/a-b-bootblock.S}
 * workload (spec 15.1) written for a vCPU that starts directly in 32-bit protected mode
 * ({@link FlatProtectedMode}): it writes {@code 'A'} to the serial port once, then loops
 * forever incrementing the first byte of every 4 KiB page in {@code [start, end)}, and writes
 * {@code 'B'} after every {@code passesPerReport} complete passes. {@code ebx} counts the
 * passes. Assembled by hand (checked with GNU {@code as --32}):
 *
 * <pre>
 *  0: 66 BA F8 03     mov  dx, 0x3f8       ; serial port (COM1 data)
 *  4: B0 41           mov  al, 'A'
 *  6: EE              out  dx, al          ; once, as QEMU's guest does
 *  7: 31 DB           xor  ebx, ebx        ; pass counter
 * outer:
 *  9: B8 start        mov  eax, start
 * inner:
 *  E: FE 00           inc  byte [eax]      ; the page's first byte counts its passes
 * 10: 05 00 10 00 00  add  eax, 0x1000
 * 15: 3D end          cmp  eax, end
 * 1A: 72 F2           jb   inner
 * 1C: 43              inc  ebx
 * 1D: F6 C3 mask      test bl, passesPerReport - 1
 * 20: 75 E7           jnz  outer
 * 22: 66 BA F8 03     mov  dx, 0x3f8
 * 26: B0 42           mov  al, 'B'
 * 28: EE              out  dx, al          ; one 'B' per passesPerReport passes
 * 29: EB DE           jmp  outer
 * </pre>
 *
 * QEMU's guest reports every 64 passes; {@code passesPerReport} 1 lets the host count every
 * pass.
 *
 * @param start the first page swept, a 4 KiB-aligned guest physical address
 * @param end the end of the sweep (exclusive), 4 KiB-aligned, below 4 GiB
 * @param passesPerReport 1, 2, 4, ... 128, 256: passes per {@code 'B'}
 */
public record SweepGuestProgram(long start, long end, int passesPerReport) {
    /** The serial port the guest writes to, as QEMU's: COM1's data register. */
    public static final int SERIAL_PORT = 0x3F8;
    /** The byte written once at start. */
    public static final byte START_MARK = 'A';
    /** The byte written after every {@link #passesPerReport()} passes. */
    public static final byte PASS_MARK = 'B';
    /** The sweep's stride: one byte per 4 KiB page, as QEMU's {@code TEST_MEM_PAGE_SIZE}. */
    public static final long PAGE = 4096;

    /**
     * Checks the range and the report interval.
     *
     * @throws IllegalArgumentException if the range is empty, unaligned or beyond 4 GiB, or
     *     {@code passesPerReport} is not a power of two from 1 to 256
     */
    public SweepGuestProgram {
        if (start < 0 || end <= start || end >= 1L << 32 || start % PAGE != 0 || end % PAGE != 0) {
            throw new IllegalArgumentException(String.format(
                    "sweep range [0x%x, 0x%x) must be non-empty, 4 KiB-aligned and below 4 GiB", start, end));
        }
        if (passesPerReport < 1 || passesPerReport > 256 || Integer.bitCount(passesPerReport) != 1) {
            throw new IllegalArgumentException("passes per report must be a power of two from 1 to 256: "
                    + passesPerReport);
        }
    }

    /**
     * The code, to be loaded anywhere outside the sweep range and entered at its first byte.
     *
     * @return 43 bytes of 32-bit x86 code
     */
    public byte[] code() {
        ByteBuffer code = ByteBuffer.allocate(0x2B).order(ByteOrder.LITTLE_ENDIAN);
        code.put(new byte[] {0x66, (byte) 0xBA, (byte) 0xF8, 0x03}); // mov dx, 0x3f8
        code.put(new byte[] {(byte) 0xB0, START_MARK}); // mov al, 'A'
        code.put((byte) 0xEE); // out dx, al
        code.put(new byte[] {0x31, (byte) 0xDB}); // xor ebx, ebx
        code.put((byte) 0xB8).putInt((int) start); // outer: mov eax, start
        code.put(new byte[] {(byte) 0xFE, 0x00}); // inner: inc byte [eax]
        code.put((byte) 0x05).putInt(0x1000); // add eax, 0x1000
        code.put((byte) 0x3D).putInt((int) end); // cmp eax, end
        code.put(new byte[] {0x72, (byte) 0xF2}); // jb inner
        code.put((byte) 0x43); // inc ebx
        code.put(new byte[] {(byte) 0xF6, (byte) 0xC3, (byte) (passesPerReport - 1)}); // test bl, mask
        code.put(new byte[] {0x75, (byte) 0xE7}); // jnz outer
        code.put(new byte[] {0x66, (byte) 0xBA, (byte) 0xF8, 0x03}); // mov dx, 0x3f8
        code.put(new byte[] {(byte) 0xB0, PASS_MARK}); // mov al, 'B'
        code.put((byte) 0xEE); // out dx, al
        code.put(new byte[] {(byte) 0xEB, (byte) 0xDE}); // jmp outer
        return code.array();
    }
}
