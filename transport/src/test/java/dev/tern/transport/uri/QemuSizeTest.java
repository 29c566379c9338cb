package dev.tern.transport.uri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link QemuSize} against an exact decimal oracle on random sizes. */
class QemuSizeTest {
    private static final String SUFFIXES = "BKMGTPE";
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    @Test
    void randomIntegralSizesMatchTheOracle() {
        Random random = new Random(0x7E57_517EL);
        for (int i = 0; i < 5000; i++) {
            BigInteger n = new BigInteger(1 + random.nextInt(64), random);
            int s = random.nextInt(SUFFIXES.length() + 1);
            String suffix = s == SUFFIXES.length() ? "" : String.valueOf(SUFFIXES.charAt(s));
            if (random.nextBoolean()) {
                suffix = suffix.toLowerCase();
            }
            BigInteger expected = n.shiftLeft(10 * Math.max(0, s == SUFFIXES.length() ? 0 : s));
            check(n + suffix, expected);
        }
    }

    @Test
    void randomFractionsRoundHalfUp() {
        Random random = new Random(0xF4AC_7105L);
        for (int i = 0; i < 5000; i++) {
            long integral = random.nextLong(1L << 20);
            int thousandths = random.nextInt(1000);
            // K to T: the fraction's double error times the unit stays far below the 1/250
            // by which three decimal digits times 1024^s can come near one half.
            int s = 1 + random.nextInt(4);
            String text = integral + "." + String.format("%03d", thousandths) + SUFFIXES.charAt(s);
            BigInteger expected = new BigDecimal(integral).add(new BigDecimal(thousandths).movePointLeft(3))
                    .multiply(new BigDecimal(BigInteger.ONE.shiftLeft(10 * s)))
                    .setScale(0, RoundingMode.HALF_UP).toBigInteger();
            check(text, expected);
        }
    }

    @Test
    void largeUnitsRoundTheDoubleFractionAsQemuDoes() {
        // 0.544 is 0.54400000000000003907... as a double; times 2^50 that is exactly .5 over
        // ...387, so QEMU rounds up where exact decimal arithmetic would round down.
        check("11984.544P", new BigInteger("13493396973151328404"));
    }

    private static void check(String text, BigInteger expected) {
        if (expected.compareTo(TWO_64) >= 0) {
            InvalidMigrationUriException e = assertThrows(InvalidMigrationUriException.class, () -> QemuSize.parse(text));
            assertEquals("file URI has bad offset " + text + ": Numerical result out of range", e.getMessage());
        } else {
            assertEquals(expected.toString(), Long.toUnsignedString(QemuSize.parse(text)), text);
        }
    }
}
