package dev.tern.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** RAM sizes in the log and in scenario names. */
class RamSizeTest {
    @Test
    void wholeGibAndMib() {
        assertEquals("1g", RamSize.tag(1L << 30));
        assertEquals("4 GiB", RamSize.label(4L << 30));
        assertEquals("512m", RamSize.tag(512L << 20));
        assertEquals("1536 MiB", RamSize.label(1536L << 20));
        assertEquals("1m", RamSize.tag(1L << 20));
    }

    @Test
    void notAWholeMib() {
        assertThrows(IllegalArgumentException.class, () -> RamSize.tag(0));
        assertThrows(IllegalArgumentException.class, () -> RamSize.label((1L << 20) + 4096));
        assertThrows(IllegalArgumentException.class, () -> RamSize.tag(-(1L << 20)));
    }
}
