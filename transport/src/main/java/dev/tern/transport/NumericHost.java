package dev.tern.transport;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;

/**
 * Addresses as {@code getnameinfo(NI_NUMERICHOST)} prints them, which is how QEMU reports
 * listening addresses: IPv6 in the RFC 5952 short form ({@code ::1}, not the JDK's
 * {@code 0:0:0:0:0:0:0:1}), with {@code %interface} for a scoped address.
 */
final class NumericHost {

    private NumericHost() {
    }

    /**
     * The numeric text of an address.
     *
     * @param address the address
     * @return e.g. {@code 127.0.0.1}, {@code ::1}, {@code fe80::1%eth0}
     */
    static String of(InetAddress address) {
        if (!(address instanceof Inet6Address v6)) {
            return address.getHostAddress();
        }
        byte[] bytes = v6.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero groups becomes "::" (the first one on a tie).
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder(48);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        NetworkInterface scope = v6.getScopedInterface();
        if (scope != null) {
            text.append('%').append(scope.getName());
        } else if (v6.getScopeId() != 0) {
            text.append('%').append(v6.getScopeId());
        }
        return text.toString();
    }

    /**
     * {@code host:port} with an IPv6 host in brackets, as in a {@code tcp:} URI.
     *
     * @param host the host text
     * @param port the port
     * @return e.g. {@code [::1]:4444}
     */
    static String withPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
