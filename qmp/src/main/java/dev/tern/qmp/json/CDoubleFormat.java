package dev.tern.qmp.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * C's {@code printf("%.17g", d)}, which is how QEMU's JSON writer prints a QAPI {@code number}
 * ({@code json_writer_double} in {@code qobject/json-writer.c}). Seventeen significant digits
 * always read back to the same double, and the {@code %g} rules decide between plain and
 * exponent notation and strip trailing zeros, so {@code 0.1} prints as {@code 0.10000000000000001}
 * and {@code 100.0} as {@code 100}.
 */
final class CDoubleFormat {
    private static final int PRECISION = 17;
    // glibc rounds the exact binary value to nearest, ties to even; BigDecimal(double) is exact.
    private static final MathContext SEVENTEEN_DIGITS = new MathContext(PRECISION, RoundingMode.HALF_EVEN);

    private CDoubleFormat() {
    }

    /**
     * Formats a finite double as {@code %.17g} does in the C locale.
     *
     * @param d the value; must be finite
     * @return the text
     * @throws IllegalArgumentException if {@code d} is NaN or infinite
     */
    static String percent17g(double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("not a finite double: " + d);
        }
        if (d == 0) {
            return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(d).round(SEVENTEEN_DIGITS);
        // %g picks the style from the exponent of the value after rounding to P digits.
        int exponent = rounded.precision() - rounded.scale() - 1;
        String sign = rounded.signum() < 0 ? "-" : "";
        String digits = rounded.unscaledValue().abs().toString();
        digits = stripTrailingZeros(digits);
        if (exponent < -4 || exponent >= PRECISION) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String exp = Integer.toString(Math.abs(exponent));
            return sign + mantissa + (exponent < 0 ? "e-" : "e+") + (exp.length() < 2 ? "0" + exp : exp);
        }
        if (exponent < 0) {
            return sign + "0." + "0".repeat(-exponent - 1) + digits;
        }
        int integerDigits = exponent + 1;
        if (digits.length() <= integerDigits) {
            return sign + digits + "0".repeat(integerDigits - digits.length());
        }
        return sign + digits.substring(0, integerDigits) + "." + digits.substring(integerDigits);
    }

    private static String stripTrailingZeros(String digits) {
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        return digits.substring(0, end);
    }
}
