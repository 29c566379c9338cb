package dev.tern.transport.uri;

import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationException;

/**
 * A migration URI ({@code migrate}'s or {@code migrate-incoming}'s {@code uri} argument) that
 * cannot be parsed. Every message is QEMU 7.2's own text ({@code util/qemu-sockets.c},
 * {@code migration/rdma.c}) or QEMU 8.2's for {@code file:}; the static factories below hold
 * them, so no other code builds these strings.
 *
 * <p>The error class is always {@link ErrorClass#GENERIC_ERROR}, as in QEMU.
 */
public class InvalidMigrationUriException extends MigrationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param message the description, QEMU's text
     */
    public InvalidMigrationUriException(String message) {
        super(ErrorClass.GENERIC_ERROR, message);
    }

    /**
     * {@code inet_parse}: a {@code host:port} address without a usable host or port.
     *
     * @param address the address text after the scheme
     * @return {@code error parsing address '<address>'}
     */
    static InvalidMigrationUriException address(String address) {
        return new InvalidMigrationUriException("error parsing address '" + address + "'");
    }

    /**
     * {@code inet_parse}: a {@code [v6addr]:port} address that does not follow that form.
     *
     * @param address the address text after the scheme
     * @return {@code error parsing IPv6 address '<address>'}
     */
    static InvalidMigrationUriException ipv6Address(String address) {
        return new InvalidMigrationUriException("error parsing IPv6 address '" + address + "'");
    }

    /**
     * {@code inet_parse}: a {@code :port} address with nothing after the colon; Tern also
     * uses it for a port that is not a number from 0 to 65535 (QEMU would have handed it to
     * {@code getaddrinfo}).
     *
     * @param address the address text after the scheme
     * @return {@code error parsing port in address '<address>'}
     */
    static InvalidMigrationUriException port(String address) {
        return new InvalidMigrationUriException("error parsing port in address '" + address + "'");
    }

    /**
     * {@code inet_parse}: the value of {@code ,to=} is not an integer (Tern: not 0 to 65535).
     *
     * @return {@code error parsing to= argument}
     */
    static InvalidMigrationUriException toArgument() {
        return new InvalidMigrationUriException("error parsing to= argument");
    }

    /**
     * {@code inet_parse_flag}: a boolean option with a value other than none, {@code =on} and
     * {@code =off}, or followed by an empty option ({@code ,,}).
     *
     * @param flag the option name, for example {@code ipv4}
     * @param rest the URI text that follows the option name, up to the end
     * @return {@code error parsing '<flag>' flag '<rest>'}
     */
    static InvalidMigrationUriException flag(String flag, String rest) {
        return new InvalidMigrationUriException("error parsing '" + flag + "' flag '" + rest + "'");
    }

    /**
     * {@code socket_parse}: {@code unix:} with an empty path.
     *
     * @return {@code invalid Unix socket address}
     */
    static InvalidMigrationUriException unixAddress() {
        return new InvalidMigrationUriException("invalid Unix socket address");
    }

    /**
     * {@code socket_parse}: a socket {@code fd:} (reached through {@code tcp:fd:}) with an
     * empty name.
     *
     * @return {@code invalid file descriptor address}
     */
    static InvalidMigrationUriException fdAddress() {
        return new InvalidMigrationUriException("invalid file descriptor address");
    }

    /**
     * {@code vsock_parse}: text after {@code CID:PORT}.
     *
     * @param address the address text after the scheme
     * @return {@code trailing characters in address '<address>'}
     */
    static InvalidMigrationUriException trailingCharacters(String address) {
        return new InvalidMigrationUriException("trailing characters in address '" + address + "'");
    }

    /**
     * {@code vsock_parse_vaddr_to_sockaddr}: a CID that is not a decimal number up to
     * 4294967295 (QEMU reports it when connecting or listening; Tern when parsing).
     *
     * @param cid the CID text
     * @return {@code Failed to parse cid '<cid>'}
     */
    static InvalidMigrationUriException vsockCid(String cid) {
        return new InvalidMigrationUriException("Failed to parse cid '" + cid + "'");
    }

    /**
     * {@code vsock_parse_vaddr_to_sockaddr}: a port that is not a decimal number up to
     * 4294967295.
     *
     * @param port the port text
     * @return {@code Failed to parse port '<port>'}
     */
    static InvalidMigrationUriException vsockPort(String port) {
        return new InvalidMigrationUriException("Failed to parse port '" + port + "'");
    }

    /**
     * {@code qemu_rdma_data_init}: the {@code rdma:} address is not {@code host:port}.
     *
     * @param hostPort the text after {@code rdma:}
     * @return {@code RDMA ERROR: bad RDMA migration address '<hostPort>'}
     */
    static InvalidMigrationUriException rdmaAddress(String hostPort) {
        return new InvalidMigrationUriException("RDMA ERROR: bad RDMA migration address '" + hostPort + "'");
    }

    /**
     * {@code file_parse_offset} (QEMU 8.2): the {@code ,offset=} value is not a size.
     * QEMU appends {@code strerror} of the {@code qemu_strtosz} failure.
     *
     * @param offset the text after {@code ,offset=}
     * @param outOfRange true for {@code ERANGE} (negative or too large), false for {@code EINVAL}
     * @return {@code file URI has bad offset <offset>: Invalid argument} or
     *     {@code ...: Numerical result out of range}
     */
    static InvalidMigrationUriException fileOffset(String offset, boolean outOfRange) {
        return new InvalidMigrationUriException("file URI has bad offset " + offset + ": "
                + (outOfRange ? "Numerical result out of range" : "Invalid argument"));
    }
}
