package dev.tern.core.stream;

/**
 * The RAM section's records (spec §8.3, QEMU {@code migration/ram.c}, section "ram", instance 0,
 * version 4).
 *
 * <pre>
 * Page record header (be64 word):
 *   63                                          12 11                    0
 *  +----------------------------------------------+-----------------------+
 *  | offset within the block (page aligned)       | flags                 |
 *  +----------------------------------------------+-----------------------+
 *  flags: FULL 0x01, ZERO 0x02, MEM_SIZE 0x04, PAGE 0x08, EOS 0x10, CONTINUE 0x20,
 *         XBZRLE 0x40, HOOK 0x80, COMPRESS_PAGE 0x100 (the mask is the target page size - 1)
 *
 *  word | [u8 namelen, block idstr]  -- unless CONTINUE (same block as the last record on this channel)
 *  ZERO:          u8 fill byte
 *  PAGE:          target-page-size raw bytes
 *  XBZRLE:        u8 0x01, be16 encoded_len (&lt;= TPS), encoded bytes
 *  COMPRESS_PAGE: be32 clen, clen bytes of one zlib stream
 *  EOS:           nothing (the word is exactly 0x10)
 *
 * MEM_SIZE (setup only; the offset bits carry the total):
 *  +------------------------------+
 *  | be64 total_bytes | 0x04      |
 *  +------------------------------+
 *  repeated until the lengths add up to total_bytes:
 *  +-------+-------------+------------------+--------------------+-------------------+
 *  | u8 n  | name n bytes| be64 used_length | [be64 page_size]   | [be64 gpa]        |
 *  +-------+-------------+------------------+--------------------+-------------------+
 *   page_size when postcopy-ram is on and the block's page size differs from the host's;
 *   gpa when x-ignore-shared is on.
 * </pre>
 */
public final class RamRecordDescriptor {
    /** The RAM section's idstr. */
    public static final String SECTION_IDSTR = "ram";
    /** The RAM section's instance id. */
    public static final int SECTION_INSTANCE = 0;
    /** The RAM section's version: {@code ram_load} refuses any other. */
    public static final int SECTION_VERSION = 4;

    /** Obsolete, never sent. */
    public static final int FLAG_FULL = 0x01;
    /** Page filled with the following byte. */
    public static final int FLAG_ZERO = 0x02;
    /** RAM block list. */
    public static final int FLAG_MEM_SIZE = 0x04;
    /** Raw page follows. */
    public static final int FLAG_PAGE = 0x08;
    /** End of this section's RAM data. */
    public static final int FLAG_EOS = 0x10;
    /** Same block as the previous record on this channel; no name follows. */
    public static final int FLAG_CONTINUE = 0x20;
    /** XBZRLE-encoded page follows. */
    public static final int FLAG_XBZRLE = 0x40;
    /** RDMA control hook. */
    public static final int FLAG_HOOK = 0x80;
    /** zlib-compressed page follows. */
    public static final int FLAG_COMPRESS_PAGE = 0x100;
    /** Flags that carry a page and therefore name (or continue) a block. */
    public static final int PAGE_CARRYING_FLAGS = FLAG_ZERO | FLAG_PAGE | FLAG_COMPRESS_PAGE | FLAG_XBZRLE;

    /** Bytes of the header word. */
    public static final int HEADER_WORD_LENGTH = 8;
    /** The EOS record: the word alone. */
    public static final long EOS_WORD = FLAG_EOS;
    /** The XBZRLE encoding flag byte ({@code ENCODING_FLAG_XBZRLE}). */
    public static final int XBZRLE_ENCODING_FLAG = 0x01;
    /** Bytes of the XBZRLE header after the word: flag byte and be16 length. */
    public static final int XBZRLE_HEADER_LENGTH = 3;
    /** Bytes of the compressed-page header after the word: be32 length. */
    public static final int COMPRESS_HEADER_LENGTH = 4;
    /** Longest block name: its length is one byte. */
    public static final int MAX_BLOCK_NAME_LENGTH = 255;

    private RamRecordDescriptor() {
    }

    /**
     * The header word of a record.
     *
     * @param offset the page's offset within its block, page aligned
     * @param flags the flags
     * @return the word
     */
    public static long word(long offset, int flags) {
        return offset | flags;
    }

    /**
     * The flag bits of a word.
     *
     * @param word the header word
     * @param targetPageSize the target page size (a power of two)
     * @return the low bits below the page size
     */
    public static int flags(long word, int targetPageSize) {
        return (int) (word & (targetPageSize - 1));
    }

    /**
     * The offset (or, for MEM_SIZE, the total) bits of a word.
     *
     * @param word the header word
     * @param targetPageSize the target page size (a power of two)
     * @return the page-aligned high bits
     */
    public static long offset(long word, int targetPageSize) {
        return word & -(long) targetPageSize;
    }

    /**
     * Bytes of a ZERO or PAGE record's header.
     *
     * @param continued whether CONTINUE is set (no name follows)
     * @param nameLength bytes of the block name
     * @return word plus, without CONTINUE, the counted name
     */
    public static int pageHeaderLength(boolean continued, int nameLength) {
        return continued ? HEADER_WORD_LENGTH : HEADER_WORD_LENGTH + 1 + nameLength;
    }

    /**
     * Bytes of one MEM_SIZE entry.
     *
     * @param nameLength bytes of the block name
     * @param withPageSize whether the page size follows
     * @param withGpa whether the guest-physical address follows
     * @return the entry length
     */
    public static int memSizeEntryLength(int nameLength, boolean withPageSize, boolean withGpa) {
        return 1 + nameLength + 8 + (withPageSize ? 8 : 0) + (withGpa ? 8 : 0);
    }

    /**
     * zlib's {@code compressBound}: the longest valid COMPRESS_PAGE payload for a page.
     *
     * @param pageSize the target page size
     * @return the bound
     */
    public static int compressBound(int pageSize) {
        return pageSize + (pageSize >> 12) + (pageSize >> 14) + (pageSize >> 25) + 13;
    }
}
