package dev.tern.transport.uri;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * QEMU's {@code inet_parse} ({@code util/qemu-sockets.c}): {@code HOST:PORT},
 * {@code [V6ADDR]:PORT} or {@code :PORT}, then options found anywhere after the port by
 * substring search ({@code ,to=}, {@code ,ipv4}, {@code ,ipv6}, {@code ,keep-alive},
 * {@code ,mptcp}), in that order, first error wins. The {@code sscanf} field widths are kept:
 * a host is at most 64 characters, a port token at most 32 (what follows a longer port is
 * scanned for options, as in QEMU).
 */
final class InetAddressParser {
    private static final int HOST_WIDTH = 64;
    private static final int PORT_WIDTH = 32;

    private InetAddressParser() {
    }

    /**
     * Parses {@code address} (the text after {@code tcp:}).
     *
     * @param address the address and options
     * @return the TCP URI
     * @throws InvalidMigrationUriException with QEMU's message
     */
    static MigrationUri.Tcp parse(String address) {
        String host;
        int portStart;
        if (address.startsWith(":")) {
            // ":%32[^,]%n": no host given.
            host = "";
            portStart = 1;
        } else if (address.startsWith("[")) {
            // "[%64[^]]]:%32[^,]%n"
            int hostEnd = scanUntil(address, 1, ']', HOST_WIDTH);
            if (hostEnd == 1 || !charAt(address, hostEnd, ']') || !charAt(address, hostEnd + 1, ':')
                    || scanUntil(address, hostEnd + 2, ',', PORT_WIDTH) == hostEnd + 2) {
                throw InvalidMigrationUriException.ipv6Address(address);
            }
            host = address.substring(1, hostEnd);
            portStart = hostEnd + 2;
        } else {
            // "%64[^:]:%32[^,]%n": hostname or IPv4 address.
            int hostEnd = scanUntil(address, 0, ':', HOST_WIDTH);
            if (hostEnd == 0 || !charAt(address, hostEnd, ':')
                    || scanUntil(address, hostEnd + 1, ',', PORT_WIDTH) == hostEnd + 1) {
                throw InvalidMigrationUriException.address(address);
            }
            host = address.substring(0, hostEnd);
            portStart = hostEnd + 1;
        }
        int portEnd = scanUntil(address, portStart, ',', PORT_WIDTH);
        if (portEnd == portStart) {
            throw InvalidMigrationUriException.port(address);
        }
        int port = decimalPort(address.substring(portStart, portEnd));
        if (port < 0) {
            throw InvalidMigrationUriException.port(address);
        }
        String options = address.substring(portEnd);
        return new MigrationUri.Tcp(host, port, to(options), flag(options, "ipv4"), flag(options, "ipv6"),
                flag(options, "keep-alive"), flag(options, "mptcp"));
    }

    /**
     * The index after the longest run (at most {@code width} characters) from {@code from}
     * that contains no {@code stop}: the end of a {@code %W[^stop]} conversion.
     */
    private static int scanUntil(String s, int from, char stop, int width) {
        int i = from;
        while (i < s.length() && i - from < width && s.charAt(i) != stop) {
            i++;
        }
        return i;
    }

    private static boolean charAt(String s, int index, char c) {
        return index < s.length() && s.charAt(index) == c;
    }

    /** A port of decimal digits, 0 to 65535, or -1. */
    static int decimalPort(String token) {
        int value = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
            if (value > 65535) {
                return -1;
            }
        }
        return value;
    }

    /** {@code ,to=%d} followed by the end or a comma. */
    private static OptionalInt to(String options) {
        int at = options.indexOf(",to=");
        if (at < 0) {
            return OptionalInt.empty();
        }
        int i = at + 4;
        // %d skips white space and takes an optional sign.
        while (i < options.length() && isCSpace(options.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < options.length() && (options.charAt(i) == '+' || options.charAt(i) == '-')) {
            negative = options.charAt(i) == '-';
            i++;
        }
        int digitsStart = i;
        long value = 0;
        while (i < options.length() && options.charAt(i) >= '0' && options.charAt(i) <= '9') {
            value = Math.min(value * 10 + (options.charAt(i) - '0'), Integer.MAX_VALUE + 1L);
            i++;
        }
        if (i == digitsStart || (i < options.length() && options.charAt(i) != ',')) {
            throw InvalidMigrationUriException.toArgument();
        }
        // Tern narrowing: QEMU stores any int into the uint16 member, truncating it.
        if (negative && value != 0 || value > 65535) {
            throw InvalidMigrationUriException.toArgument();
        }
        return OptionalInt.of((int) value);
    }

    /** {@code inet_parse_flag}: nothing or {@code =on} is true, {@code =off} false. */
    private static Optional<Boolean> flag(String options, String name) {
        int at = options.indexOf("," + name);
        if (at < 0) {
            return Optional.empty();
        }
        String rest = options.substring(at + 1 + name.length());
        int comma = rest.indexOf(',');
        if (comma >= 0 && charAt(rest, comma + 1, ',')) {
            // Reject 'ipv6=on,,foo': QEMU option syntax would read ",," as an escaped comma.
            throw InvalidMigrationUriException.flag(name, rest);
        }
        String value = comma >= 0 ? rest.substring(0, comma) : rest;
        return switch (value) {
            case "", "=on" -> Optional.of(Boolean.TRUE);
            case "=off" -> Optional.of(Boolean.FALSE);
            default -> throw InvalidMigrationUriException.flag(name, rest);
        };
    }

    /** C {@code isspace} in the C locale. */
    static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
