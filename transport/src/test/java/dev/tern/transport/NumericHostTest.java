package dev.tern.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Addresses printed as getnameinfo(NI_NUMERICHOST) prints them (RFC 5952 for IPv6). */
class NumericHostTest {

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 127.0.0.1",
        "0.0.0.0, 0.0.0.0",
        "::1, ::1",
        "::, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "1:0:0:0:0:0:0:0, 1::",
        "fe80:0:0:0:0:0:0:1, fe80::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329",
        "1:0:2:3:4:5:6:7, 1:0:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
        "ABCD:EF01::1, abcd:ef01::1",
    })
    void formats(String input, String expected) throws Exception {
        assertEquals(expected, NumericHost.of(InetAddress.getByName(input)));
    }

    @Test
    void scopedAddressKeepsItsScope() throws Exception {
        Inet6Address scoped = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 5);
        assertEquals("fe80::1%5", NumericHost.of(scoped));
    }

    @Test
    void randomAddressesAgreeWithANaiveFormatter() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = new byte[16];
            // Mostly zero groups, so runs of every length and position occur.
            for (int g = 0; g < 8; g++) {
                if (random.nextInt(3) == 0) {
                    int value = random.nextInt(1, 65536);
                    bytes[2 * g] = (byte) (value >> 8);
                    bytes[2 * g + 1] = (byte) value;
                }
            }
            InetAddress address = InetAddress.getByAddress(bytes);
            if (!(address instanceof Inet6Address)) {
                continue;
            }
            String text = NumericHost.of(address);
            assertEquals(naive(bytes), text);
            assertEquals(address, InetAddress.getByName(text));
            assertFalse(text.contains(":::"), text);
            assertTrue(text.indexOf("::") == text.lastIndexOf("::"), text);
        }
    }

    /** RFC 5952 by brute force: every candidate zero run, pick the longest, leftmost on a tie. */
    private static String naive(byte[] bytes) {
        String[] groups = new String[8];
        for (int g = 0; g < 8; g++) {
            groups[g] = Integer.toHexString(((bytes[2 * g] & 0xff) << 8) | (bytes[2 * g + 1] & 0xff));
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int start = 0; start < 8; start++) {
            for (int end = start; end < 8 && groups[end].equals("0"); end++) {
                int length = end - start + 1;
                if (length >= 2 && length > bestLength) {
                    bestStart = start;
                    bestLength = length;
                }
            }
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        StringJoiner left = new StringJoiner(":");
        for (int g = 0; g < bestStart; g++) {
            left.add(groups[g]);
        }
        StringJoiner right = new StringJoiner(":");
        for (int g = bestStart + bestLength; g < 8; g++) {
            right.add(groups[g]);
        }
        return left + "::" + right;
    }
}
