package dev.tern.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MultiFdCompression;
import org.junit.jupiter.api.Test;

/** The transfer settings and the table columns they print as. */
class TransferTest {
    @Test
    void plain() {
        Transfer t = Transfer.plain();
        assertFalse(t.multifd());
        assertFalse(t.compress());
        assertEquals("-", t.channelsColumn());
        assertEquals("-", t.compressionColumn());
        assertEquals("plain socket", t.describe());
    }

    @Test
    void multifd() {
        Transfer t = Transfer.multifd(8, MultiFdCompression.ZLIB);
        assertTrue(t.multifd());
        assertFalse(t.compress());
        assertEquals("8", t.channelsColumn());
        assertEquals("zlib", t.compressionColumn());
        assertEquals("multifd, 8 channels, multifd-compression zlib", t.describe());
        assertEquals("multifd, 1 channel, multifd-compression none",
                Transfer.multifd(1, MultiFdCompression.NONE).describe());
        assertEquals("none", Transfer.multifd(1, MultiFdCompression.NONE).compressionColumn(),
                "multifd without compression is not the plain socket");
        assertEquals(255, Transfer.multifd(255, MultiFdCompression.ZSTD).multifdChannels());
    }

    @Test
    void compress() {
        Transfer t = Transfer.compress(2);
        assertTrue(t.compress());
        assertFalse(t.multifd());
        assertEquals("-", t.channelsColumn());
        assertEquals("compress/2t", t.compressionColumn());
        assertEquals("compress, compress-threads 2", t.describe());
    }

    @Test
    void refusedCombinations() {
        assertThrows(IllegalArgumentException.class, () -> Transfer.multifd(0, MultiFdCompression.NONE));
        assertThrows(IllegalArgumentException.class, () -> Transfer.multifd(256, MultiFdCompression.NONE));
        assertThrows(IllegalArgumentException.class, () -> Transfer.compress(0));
        assertThrows(IllegalArgumentException.class, () -> Transfer.compress(256));
        assertThrows(IllegalArgumentException.class, () -> new Transfer(2, MultiFdCompression.NONE, 1),
                "QEMU refuses multifd with compress");
        assertThrows(IllegalArgumentException.class, () -> new Transfer(0, MultiFdCompression.ZSTD, 0));
    }
}
