package dev.tern.transport.uri;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * QEMU 8.2's {@code qemu_strtosz} ({@code util/cutils.c: do_strtosz}, default unit bytes,
 * binary multiples) with the whole string to be consumed, as {@code file_parse_offset} calls it.
 *
 * <p>Syntax: optional C white space, a decimal integer (a leading {@code +} is allowed, a
 * {@code -} is out of range, {@code 0x} is invalid), an optional fraction, and an optional
 * case-insensitive suffix {@code B}, {@code K}, {@code M}, {@code G}, {@code T}, {@code P} or
 * {@code E} (powers of 1024). A fraction needs a suffix other than {@code B}; the product is
 * rounded half up; results of 2<sup>64</sup> or more are out of range. The order in which QEMU
 * decides between "invalid" and "out of range" is kept, for example {@code -1} is out of range
 * but {@code -1K} is invalid.
 */
final class QemuSize {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private QemuSize() {
    }

    /**
     * Parses {@code text}.
     *
     * @param text the size
     * @return the size, an unsigned 64-bit value in a {@code long}
     * @throws InvalidMigrationUriException {@code file URI has bad offset ...}
     */
    static long parse(String text) {
        int i = 0;
        int n = text.length();
        // parse_uint: strtoull(s, &end, 10), then reject a leading '-'.
        while (i < n && InetAddressParser.isCSpace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int digitsStart = i;
        while (i < n && isDigit(text.charAt(i))) {
            i++;
        }
        boolean integralParsed = i > digitsStart;
        int end = integralParsed ? i : 0;
        BigInteger integral = integralParsed ? new BigInteger(text.substring(digitsStart, i)) : BigInteger.ZERO;
        if (integralParsed && (negative || integral.compareTo(TWO_64) >= 0)) {
            // ERANGE returns at once; the unconsumed rest then turns it into EINVAL.
            throw error(text, end == n);
        }
        if (integralParsed && integral.signum() == 0 && end < n
                && (text.charAt(end) == 'x' || text.charAt(end) == 'X')) {
            throw error(text, false);
        }
        BigInteger fraction64 = BigInteger.ZERO;
        if (end < n && text.charAt(end) == '.') {
            if (integralParsed && !(end + 1 < n && isDigit(text.charAt(end + 1)))) {
                end++;
            } else {
                // strtod on the text from the '.', with 'e'/'E' cut off so they read as suffixes.
                int f = end + 1;
                while (f < n && isDigit(text.charAt(f))) {
                    f++;
                }
                if (f == end + 1) {
                    throw error(text, false);
                }
                String digits = text.substring(end + 1, f);
                double fraction = Double.parseDouble("0." + digits);
                if (fraction == 1.0) {
                    // Rounded up to one: QEMU carries it into the integral part.
                    integral = integral.add(BigInteger.ONE);
                    if (integral.compareTo(TWO_64) >= 0) {
                        throw error(text, true);
                    }
                } else if (fraction == 0.0) {
                    // strtod underflow (ERANGE) still counts as a non-zero fraction.
                    fraction64 = digits.chars().anyMatch(c -> c != '0') ? BigInteger.ONE : BigInteger.ZERO;
                } else {
                    fraction64 = new BigDecimal(fraction * 0x1p64).toBigInteger().max(BigInteger.ONE);
                }
                integralParsed = true;
                end = f;
            }
        }
        if (!integralParsed) {
            // No digits at all: EINVAL with the end pointer at the start.
            throw error(text, false);
        }
        long multiplier = end < n ? suffix(text.charAt(end)) : -1;
        if (multiplier > 0) {
            end++;
        } else {
            multiplier = 1;
        }
        if (end != n) {
            throw error(text, false);
        }
        if (multiplier == 1) {
            if (fraction64.signum() != 0) {
                throw error(text, false);
            }
            return integral.longValue();
        }
        BigInteger mul = BigInteger.valueOf(multiplier);
        BigInteger fractionProduct = fraction64.multiply(mul);
        BigInteger result = integral.multiply(mul).add(fractionProduct.shiftRight(64));
        // Round 0.5 upward: the top bit of the fractional 64 bits.
        if (fractionProduct.testBit(63)) {
            result = result.add(BigInteger.ONE);
        }
        if (result.compareTo(TWO_64) >= 0) {
            throw error(text, true);
        }
        return result.longValue();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code suffix_mul} with unit 1024, or -1 for no suffix. */
    private static long suffix(char c) {
        // qemu_toupper: ASCII only.
        char upper = c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c;
        return switch (upper) {
            case 'B' -> 1L;
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            case 'P' -> 1L << 50;
            case 'E' -> 1L << 60;
            default -> -1L;
        };
    }

    private static InvalidMigrationUriException error(String text, boolean outOfRange) {
        return InvalidMigrationUriException.fileOffset(text, outOfRange);
    }
}
