package dev.tern.transport.uri;

import dev.tern.api.event.Side;

/**
 * Scheme dispatch as QEMU 7.2's {@code qmp_migrate} and {@code qemu_start_incoming_migration}
 * do it ({@code strstart} on the scheme, case-sensitive), then each scheme's own parser:
 * {@code socket_parse} for {@code tcp:}, {@code unix:} and {@code vsock:}, QEMU 8.2's
 * {@code file_parse_offset} for {@code file:}, {@code qemu_rdma_data_init} for {@code rdma:}.
 */
final class MigrationUriParser {
    private static final String OFFSET_OPTION = ",offset=";

    private MigrationUriParser() {
    }

    static MigrationUri parse(String uri, Side side) {
        if (uri.startsWith("tcp:")) {
            // QEMU passes what follows "tcp:" to socket_parse, which recognises prefixes again.
            return socket(uri.substring("tcp:".length()));
        }
        if (uri.startsWith("unix:") || uri.startsWith("vsock:")) {
            return socket(uri);
        }
        if (uri.startsWith("rdma:")) {
            return rdma(uri.substring("rdma:".length()));
        }
        if (uri.startsWith("exec:")) {
            return new MigrationUri.Exec(uri.substring("exec:".length()));
        }
        if (uri.startsWith("fd:")) {
            return new MigrationUri.Fd(uri.substring("fd:".length()));
        }
        if (uri.startsWith("file:")) {
            return file(uri.substring("file:".length()));
        }
        throw side == Side.SOURCE
                ? UnknownMigrationProtocolException.outgoing(uri)
                : UnknownMigrationProtocolException.incoming(uri);
    }

    /** {@code socket_parse}. */
    private static MigrationUri socket(String str) {
        if (str.startsWith("unix:")) {
            if (str.length() == "unix:".length()) {
                throw InvalidMigrationUriException.unixAddress();
            }
            return new MigrationUri.Unix(str.substring("unix:".length()));
        }
        if (str.startsWith("fd:")) {
            if (str.length() == "fd:".length()) {
                throw InvalidMigrationUriException.fdAddress();
            }
            return new MigrationUri.Fd(str.substring("fd:".length()));
        }
        if (str.startsWith("vsock:")) {
            return VsockAddressParser.parse(str.substring("vsock:".length()));
        }
        if (str.startsWith("tcp:")) {
            return InetAddressParser.parse(str.substring("tcp:".length()));
        }
        return InetAddressParser.parse(str);
    }

    /** {@code qemu_rdma_data_init}: {@code inet_parse}, any failure reworded. */
    private static MigrationUri rdma(String hostPort) {
        MigrationUri.Tcp address;
        try {
            address = InetAddressParser.parse(hostPort);
        } catch (InvalidMigrationUriException e) {
            throw InvalidMigrationUriException.rdmaAddress(hostPort);
        }
        return new MigrationUri.Rdma(address.host(), address.port());
    }

    /** QEMU 8.2 {@code migrate_uri_parse} and {@code file_parse_offset}. */
    private static MigrationUri file(String filespec) {
        int at = filespec.indexOf(OFFSET_OPTION);
        if (at < 0) {
            return new MigrationUri.File(filespec, 0);
        }
        String offset = filespec.substring(at + OFFSET_OPTION.length());
        return new MigrationUri.File(filespec.substring(0, at), QemuSize.parse(offset));
    }
}
