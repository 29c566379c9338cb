package dev.tern.core.guest;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The result of QEMU's RAM consistency check for the A-B guest ({@code check_guests_ram},
 * spec 15.2), made by {@link ReferenceGuest#checkSweep} on a stopped guest's RAM, typically the
 * destination's after a migration.
 *
 * <p>The sweep increments the first byte of each page in order, so every page's first byte
 * equals the previous page's, except at most once where it is exactly one less (mod 256): the
 * page the sweep was about to increment when the guest stopped. Any other difference means a
 * page was lost or sent stale.
 *
 * @param fromOffset the first page checked
 * @param toOffset the end of the checked range (exclusive)
 * @param firstByte the first byte of the first page, 0 to 255
 * @param edgeOffset the page where the sweep had stopped, if it was inside the range (not at a
 *     pass boundary)
 * @param errorCount how many pages broke the pattern
 * @param errors the first (up to {@value #MAX_REPORTED}) of them, in QEMU's words
 */
public record SweepCheck(long fromOffset, long toOffset, int firstByte, OptionalLong edgeOffset, long errorCount,
        List<String> errors) {
    /** QEMU reports the first 10 inconsistencies. */
    public static final int MAX_REPORTED = 10;

    /**
     * Copies the error list.
     *
     * @throws NullPointerException if a reference is null
     */
    public SweepCheck {
        Objects.requireNonNull(edgeOffset, "edgeOffset");
        errors = List.copyOf(errors);
    }

    /**
     * Runs the check, exactly as QEMU's {@code check_guests_ram}: after a mismatch the next page
     * is compared with the mismatching byte.
     *
     * @param ram the guest RAM (for example a destination block's memory); read, not changed
     * @param fromOffset the first page's offset
     * @param toOffset the end (exclusive)
     * @return the result
     */
    static SweepCheck of(MemorySegment ram, long fromOffset, long toOffset) {
        SweepRange.check(fromOffset, toOffset);
        if (toOffset > ram.byteSize()) {
            throw new IllegalArgumentException(String.format(
                    "sweep range [0x%x, 0x%x) is beyond the 0x%x bytes of RAM", fromOffset, toOffset, ram.byteSize()));
        }
        int first = Byte.toUnsignedInt(ram.get(ValueLayout.JAVA_BYTE, fromOffset));
        int last = first;
        boolean hitEdge = false;
        long edge = -1;
        long bad = 0;
        List<String> reported = new ArrayList<>();
        for (long address = fromOffset + GuestMemory.PAGE_SIZE; address < toOffset; address += GuestMemory.PAGE_SIZE) {
            int b = Byte.toUnsignedInt(ram.get(ValueLayout.JAVA_BYTE, address));
            if (b != last) {
                if (((b + 1) & 0xff) == last && !hitEdge) {
                    // The guest stopped while incrementing the previous page; it had not got here.
                    hitEdge = true;
                    edge = address;
                } else {
                    bad++;
                    if (bad <= MAX_REPORTED) {
                        reported.add(String.format("Memory content inconsistency at %x first_byte = %x last_byte = %x"
                                + " current = %x hit_edge = %x", address, first, last, b, hitEdge ? 1 : 0));
                    }
                }
            }
            last = b;
        }
        return new SweepCheck(fromOffset, toOffset, first, edge < 0 ? OptionalLong.empty() : OptionalLong.of(edge),
                bad, reported);
    }

    /**
     * Whether the RAM is consistent with a sweep that stopped somewhere.
     *
     * @return true if no page broke the pattern
     */
    public boolean consistent() {
        return errorCount == 0;
    }

    /**
     * A report for a person or a test failure: on success where the sweep stopped, otherwise the
     * number of bad pages and QEMU's lines for the first of them.
     *
     * @return the report, several lines when inconsistent
     */
    public String message() {
        String range = String.format("sweep [0x%x, 0x%x)", fromOffset, toOffset);
        if (consistent()) {
            return range + " consistent, first byte " + Integer.toHexString(firstByte)
                    + (edgeOffset.isPresent()
                            ? String.format(", stopped before page 0x%x", edgeOffset.getAsLong())
                            : ", stopped at a pass boundary");
        }
        StringBuilder text = new StringBuilder(range).append(" inconsistent: ").append(errorCount)
                .append(errorCount == 1 ? " page breaks" : " pages break").append(" the pattern, first byte ")
                .append(Integer.toHexString(firstByte));
        for (String error : errors) {
            text.append('\n').append(error);
        }
        if (errorCount > errors.size()) {
            text.append("\n... and ").append(errorCount - errors.size()).append(" more");
        }
        return text.toString();
    }
}
