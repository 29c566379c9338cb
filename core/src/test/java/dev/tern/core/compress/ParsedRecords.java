package dev.tern.core.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A naive oracle for a run of RAM page records (spec 8.3) of one 4 KiB-page block: parses them
 * in stream order, inflating COMPRESS_PAGE payloads with a fresh {@link Inflater} each (which
 * checks the zlib header and the Adler-32 trailer), and applies them to a plain byte array.
 */
final class ParsedRecords {
    static final int PAGE = 4096;
    static final int ZERO = 0x02;
    static final int PAGE_FLAG = 0x08;
    static final int CONTINUE = 0x20;
    static final int COMPRESS = 0x100;

    /** One record: its flags, page offset, bytes on the wire, and the page it stands for. */
    record Page(int flags, long offset, int wireBytes, byte[] contents) {
    }

    final List<Page> pages = new ArrayList<>();

    /** Parses every record of {@code stream}. */
    static ParsedRecords parse(byte[] stream) {
        ParsedRecords r = new ParsedRecords();
        ByteBuffer b = ByteBuffer.wrap(stream);
        while (b.hasRemaining()) {
            int start = b.position();
            long word = b.getLong();
            int flags = (int) (word & (PAGE - 1));
            long offset = word & -PAGE;
            if ((flags & CONTINUE) == 0) {
                byte[] name = new byte[b.get() & 0xFF];
                b.get(name);
            }
            byte[] contents = new byte[PAGE];
            switch (flags & ~CONTINUE) {
                case ZERO -> Arrays.fill(contents, b.get());
                case PAGE_FLAG -> b.get(contents);
                case COMPRESS -> {
                    int length = b.getInt();
                    byte[] zlib = new byte[length];
                    b.get(zlib);
                    contents = inflate(zlib);
                }
                default -> fail("unexpected record flags 0x" + Integer.toHexString(flags) + " at " + start);
            }
            r.pages.add(new Page(flags, offset, b.position() - start, contents));
        }
        return r;
    }

    /** A standard zlib stream of exactly one page: RFC 1950 header, deflate data, Adler-32. */
    static byte[] inflate(byte[] zlib) {
        int cmf = zlib[0] & 0xFF;
        int flg = zlib[1] & 0xFF;
        assertEquals(8, cmf & 0x0F, "deflate method");
        assertEquals(0, (cmf * 256 + flg) % 31, "zlib header check bits");
        assertEquals(0, flg & 0x20, "no preset dictionary");
        Inflater inflater = new Inflater();
        inflater.setInput(zlib);
        try {
            byte[] out = new byte[PAGE + 1];
            int n = inflater.inflate(out);
            assertTrue(inflater.finished(), "the zlib stream ends (Adler-32 checked)");
            assertEquals(0, inflater.getRemaining(), "nothing after the zlib stream");
            assertEquals(PAGE, n, "one page of output");
            return Arrays.copyOf(out, PAGE);
        } catch (DataFormatException e) {
            throw new AssertionError("not a valid zlib stream", e);
        } finally {
            inflater.end();
        }
    }

    /** The records' pages applied in stream order onto {@code ram}. */
    void applyTo(byte[] ram) {
        for (Page p : pages) {
            System.arraycopy(p.contents(), 0, ram, (int) p.offset(), PAGE);
        }
    }

    long count(int flagsWithoutContinue) {
        return pages.stream().filter(p -> (p.flags() & ~CONTINUE) == flagsWithoutContinue).count();
    }
}
