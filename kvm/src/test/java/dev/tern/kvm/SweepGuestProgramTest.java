package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SweepGuestProgramTest {
    @Test
    void codeIsWhatGnuAsAssembles() {
        // as --32 of the listing in SweepGuestProgram's Javadoc, start 0x100000, end 0x6400000,
        // mask 0x3f (QEMU's every-64-passes report), as printed by objdump -d.
        byte[] expected = HexFormat.of().parseHex("66baf803" + "b041" + "ee" + "31db" + "b800001000" + "fe00"
                + "0500100000" + "3d00004006" + "72f2" + "43" + "f6c33f" + "75e7" + "66baf803" + "b042" + "ee" + "ebde");
        assertArrayEquals(expected, new SweepGuestProgram(0x10_0000, 0x640_0000, 64).code());
    }

    @Test
    void reportEveryPassTestsNoBits() {
        byte[] code = new SweepGuestProgram(0x2000, 0x3000, 1).code();
        assertEquals(0x2B, code.length);
        assertEquals(0x00, code[0x1F]);
        assertEquals(0x00, code[0x0A]);
        assertEquals(0x20, code[0x0B]);
        assertEquals(0x30, code[0x17]);
    }

    @Test
    void rangeAndReportIntervalAreChecked() {
        assertEquals("sweep range [0x2000, 0x2000) must be non-empty, 4 KiB-aligned and below 4 GiB",
                assertThrows(IllegalArgumentException.class, () -> new SweepGuestProgram(0x2000, 0x2000, 1)).getMessage());
        assertEquals("sweep range [0x2001, 0x4000) must be non-empty, 4 KiB-aligned and below 4 GiB",
                assertThrows(IllegalArgumentException.class, () -> new SweepGuestProgram(0x2001, 0x4000, 1)).getMessage());
        assertEquals("sweep range [0x2000, 0x100000000) must be non-empty, 4 KiB-aligned and below 4 GiB",
                assertThrows(IllegalArgumentException.class,
                        () -> new SweepGuestProgram(0x2000, 1L << 32, 1)).getMessage());
        new SweepGuestProgram(0x2000, (1L << 32) - 4096, 256);
        assertEquals("passes per report must be a power of two from 1 to 256: 3",
                assertThrows(IllegalArgumentException.class, () -> new SweepGuestProgram(0x2000, 0x3000, 3)).getMessage());
        assertEquals("passes per report must be a power of two from 1 to 256: 512",
                assertThrows(IllegalArgumentException.class, () -> new SweepGuestProgram(0x2000, 0x3000, 512)).getMessage());
        assertEquals("passes per report must be a power of two from 1 to 256: 0",
                assertThrows(IllegalArgumentException.class, () -> new SweepGuestProgram(0x2000, 0x3000, 0)).getMessage());
    }
}
