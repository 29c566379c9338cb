package dev.tern.transport.uri;

/**
 * QEMU's {@code vsock_parse} ({@code "%32[^:]:%32[^,]%n"}, nothing may follow), then the
 * numeric checks of {@code vsock_parse_vaddr_to_sockaddr}: decimal, at most
 * {@code UINT32_MAX}.
 */
final class VsockAddressParser {
    private static final int WIDTH = 32;

    private VsockAddressParser() {
    }

    static MigrationUri.Vsock parse(String address) {
        int cidEnd = 0;
        while (cidEnd < address.length() && cidEnd < WIDTH && address.charAt(cidEnd) != ':') {
            cidEnd++;
        }
        if (cidEnd == 0 || cidEnd >= address.length() || address.charAt(cidEnd) != ':') {
            throw InvalidMigrationUriException.address(address);
        }
        int portStart = cidEnd + 1;
        int portEnd = portStart;
        while (portEnd < address.length() && portEnd - portStart < WIDTH && address.charAt(portEnd) != ',') {
            portEnd++;
        }
        if (portEnd == portStart) {
            throw InvalidMigrationUriException.address(address);
        }
        if (portEnd != address.length()) {
            throw InvalidMigrationUriException.trailingCharacters(address);
        }
        String cid = address.substring(0, cidEnd);
        String port = address.substring(portStart, portEnd);
        long cidValue = uint32(cid);
        if (cidValue < 0) {
            throw InvalidMigrationUriException.vsockCid(cid);
        }
        long portValue = uint32(port);
        if (portValue < 0) {
            throw InvalidMigrationUriException.vsockPort(port);
        }
        return new MigrationUri.Vsock(cidValue, portValue);
    }

    /** Decimal digits up to 4294967295, or -1. */
    private static long uint32(String token) {
        long value = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
            if (value > 0xFFFF_FFFFL) {
                return -1;
            }
        }
        return value;
    }
}
