package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * QEMU's RAM consistency check of the A-B guest ({@code check_guests_ram}, spec 15.2), run on
 * the RAM of a stopped {@link SweepGuestProgram} guest: every page's first byte equals the
 * previous page's, except at most once where it is exactly one less (mod 256), the page the
 * sweep was about to increment when the guest stopped. After a mismatch the next page is
 * compared with the mismatching byte, as QEMU does.
 *
 * @param start the first page checked (a guest physical address)
 * @param end the end of the range (exclusive)
 * @param firstByte the first byte of the first page, 0 to 255
 * @param edge the page where the sweep had stopped, if inside the range (not at a pass boundary)
 * @param errorCount how many pages broke the pattern
 * @param errors the first {@value #MAX_REPORTED} of them, in QEMU's words
 */
public record SweepRamCheck(long start, long end, int firstByte, OptionalLong edge, long errorCount,
        List<String> errors) {
    /** QEMU reports the first 10 inconsistencies. */
    public static final int MAX_REPORTED = 10;

    /**
     * Copies the error list.
     *
     * @throws NullPointerException if a reference is null
     */
    public SweepRamCheck {
        Objects.requireNonNull(edge, "edge");
        errors = List.copyOf(errors);
    }

    /**
     * Runs the check.
     *
     * @param ram guest RAM, byte 0 at guest physical address {@code ramBase}; read only
     * @param ramBase the guest physical address of {@code ram}'s first byte
     * @param program the guest whose sweep range is checked
     * @return the result
     * @throws IllegalArgumentException if the sweep range is not inside {@code ram}
     */
    public static SweepRamCheck of(MemorySegment ram, long ramBase, SweepGuestProgram program) {
        long from = program.start() - ramBase;
        long to = program.end() - ramBase;
        if (from < 0 || to > ram.byteSize()) {
            throw new IllegalArgumentException(String.format("sweep range [0x%x, 0x%x) is outside the RAM at 0x%x,"
                    + " 0x%x bytes", program.start(), program.end(), ramBase, ram.byteSize()));
        }
        int first = Byte.toUnsignedInt(ram.get(JAVA_BYTE, from));
        int last = first;
        boolean hitEdge = false;
        long edge = -1;
        long bad = 0;
        List<String> reported = new ArrayList<>();
        for (long offset = from + SweepGuestProgram.PAGE; offset < to; offset += SweepGuestProgram.PAGE) {
            int b = Byte.toUnsignedInt(ram.get(JAVA_BYTE, offset));
            if (b != last) {
                if (((b + 1) & 0xFF) == last && !hitEdge) {
                    hitEdge = true;
                    edge = offset + ramBase;
                } else {
                    bad++;
                    if (bad <= MAX_REPORTED) {
                        reported.add(String.format("Memory content inconsistency at %x first_byte = %x last_byte = %x"
                                + " current = %x hit_edge = %x", offset + ramBase, first, last, b, hitEdge ? 1 : 0));
                    }
                }
            }
            last = b;
        }
        return new SweepRamCheck(program.start(), program.end(), first,
                edge < 0 ? OptionalLong.empty() : OptionalLong.of(edge), bad, reported);
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
     * A report for a person or a test failure.
     *
     * @return where the sweep stopped, or the number of bad pages and QEMU's lines for the first
     */
    public String message() {
        String range = String.format("sweep [0x%x, 0x%x)", start, end);
        if (consistent()) {
            return range + " consistent, first byte " + Integer.toHexString(firstByte) + (edge.isPresent()
                    ? String.format(", stopped before page 0x%x", edge.getAsLong())
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
