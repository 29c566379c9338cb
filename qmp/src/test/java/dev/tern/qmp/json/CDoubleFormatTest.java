package dev.tern.qmp.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CDoubleFormatTest {

    // Expected texts are C's printf("%.17g") (glibc, via Python's '%.17g' % x).
    @ParameterizedTest
    @CsvSource({
        "0.0, 0",
        "1.0, 1",
        "-1.0, -1",
        "0.1, 0.10000000000000001",
        "0.5, 0.5",
        "100.0, 100",
        "268.896, 268.89600000000002",
        "830.636997, 830.63699699999995",
        "1e20, 1e+20",
        "1e16, 10000000000000000",
        "1e17, 1e+17",
        "1.2345678901234568e17, 1.2345678901234568e+17",
        "1.5e-5, 1.5e-05",
        "0.0001, 0.0001",
        "1e-5, 1.0000000000000001e-05",
        "9.999999999999999e-5, 9.9999999999999991e-05",
        "1e-300, 1e-300",
        "4.9e-324, 4.9406564584124654e-324",
        "1.7976931348623157e308, 1.7976931348623157e+308",
        "0.3333333333333333, 0.33333333333333331",
        "-0.6666666666666666, -0.66666666666666663",
        "3.141592653589793, 3.1415926535897931",
        "1e22, 1e+22",
        "1e100, 1e+100",
        "9007199254740992.0, 9007199254740992",
        "0.30000000000000004, 0.30000000000000004",
        "12345.678, 12345.678",
    })
    void formatsLikeCPrintf(double value, String expected) {
        assertEquals(expected, CDoubleFormat.percent17g(value));
    }

    @Test
    void negativeZeroKeepsItsSign() {
        assertEquals("-0", CDoubleFormat.percent17g(-0.0));
    }

    @Test
    void seventeenDigitsReadBackToTheSameDouble() {
        Random random = new Random(17);
        for (int i = 0; i < 100_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(d)) {
                continue;
            }
            String text = CDoubleFormat.percent17g(d);
            assertEquals(d, Double.parseDouble(text), () -> "printed as " + text);
        }
    }

    @Test
    void refusesNonFinite() {
        assertThrows(IllegalArgumentException.class, () -> CDoubleFormat.percent17g(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> CDoubleFormat.percent17g(Double.POSITIVE_INFINITY));
    }
}
