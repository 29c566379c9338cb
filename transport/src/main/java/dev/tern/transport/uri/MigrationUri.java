package dev.tern.transport.uri;

import dev.tern.api.event.Side;
import dev.tern.api.info.SocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A parsed migration URI: the {@code uri} argument of QAPI {@code migrate},
 * {@code migrate-incoming} and {@code migrate-recover}, in the schemes of QEMU 7.2 plus
 * QEMU 8.2's {@code file:}.
 *
 * <table>
 *   <caption>Schemes</caption>
 *   <tr><th>URI</th><th>record</th><th>multi-channel</th></tr>
 *   <tr><td>{@code tcp:HOST:PORT[,to=N][,ipv4][,ipv6][,keep-alive][,mptcp]}</td><td>{@link Tcp}</td><td>yes</td></tr>
 *   <tr><td>{@code unix:PATH}</td><td>{@link Unix}</td><td>yes</td></tr>
 *   <tr><td>{@code vsock:CID:PORT}</td><td>{@link Vsock}</td><td>yes</td></tr>
 *   <tr><td>{@code fd:NAME}</td><td>{@link Fd}</td><td>no</td></tr>
 *   <tr><td>{@code exec:COMMAND}</td><td>{@link Exec}</td><td>no</td></tr>
 *   <tr><td>{@code file:PATH[,offset=SIZE]}</td><td>{@link File}</td><td>no</td></tr>
 *   <tr><td>{@code rdma:HOST:PORT}</td><td>{@link Rdma}</td><td>no</td></tr>
 * </table>
 *
 * <p>Parsing follows QEMU exactly, quirks included, with three deliberate narrowings, each
 * reported with the message QEMU uses for the nearest failure:
 * <ul>
 *   <li>TCP and RDMA ports must be decimal numbers from 0 to 65535 ({@code error parsing port
 *       in address '%s'}); QEMU passes the text to {@code getaddrinfo}, which also accepts
 *       service names such as {@code http}.</li>
 *   <li>{@code ,to=} must be 0 to 65535 ({@code error parsing to= argument}); QEMU truncates
 *       any {@code int} to 16 bits.</li>
 *   <li>vsock CID and port are checked when parsing, with the messages QEMU reports when it
 *       connects or listens.</li>
 * </ul>
 * Like QEMU, the scheme is case-sensitive, unknown TCP options are ignored, and the part after
 * {@code tcp:} is itself parsed as a socket address, so {@code tcp:unix:/path} is a Unix socket
 * and {@code tcp:vsock:3:1234} a vsock address. QEMU treats {@code tcp:fd:NAME} as a socket
 * file descriptor; Tern returns it as {@link Fd}, a single channel.
 *
 * <p>{@code rdma:}, {@code vsock:} and {@code mptcp} parse but cannot be used:
 * {@link #unsupportedReason()} says why, and the transport refuses them with that text.
 */
public sealed interface MigrationUri {

    /**
     * Parses a URI for {@code migrate-incoming} (or {@code -incoming}); an unknown scheme is
     * reported as {@code unknown migration protocol: <uri>}.
     *
     * @param uri the URI
     * @return the parsed URI
     * @throws UnknownMigrationProtocolException if the scheme is not known
     * @throws InvalidMigrationUriException if the address after the scheme is malformed
     */
    static MigrationUri parse(String uri) {
        return parse(uri, Side.DESTINATION);
    }

    /**
     * Parses a URI for the given side: {@link Side#SOURCE} for {@code migrate} (an unknown
     * scheme is {@code Parameter 'uri' expects a valid migration protocol}),
     * {@link Side#DESTINATION} for {@code migrate-incoming}.
     *
     * @param uri the URI
     * @param side the command's side, which words the unknown-scheme error
     * @return the parsed URI
     * @throws UnknownMigrationProtocolException if the scheme is not known
     * @throws InvalidMigrationUriException if the address after the scheme is malformed
     */
    static MigrationUri parse(String uri, Side side) {
        return MigrationUriParser.parse(Objects.requireNonNull(uri, "uri"), Objects.requireNonNull(side, "side"));
    }

    /**
     * The scheme without its colon.
     *
     * @return {@code tcp}, {@code unix}, {@code vsock}, {@code fd}, {@code exec},
     *     {@code file} or {@code rdma}
     */
    String scheme();

    /**
     * Whether the transport can open more than one channel to the same peer, which multifd
     * and postcopy-preempt need (QEMU's {@code migrate_protocol_allow_multi_channels}).
     *
     * @return true for {@code tcp:}, {@code unix:} and {@code vsock:}
     */
    default boolean multiChannel() {
        return false;
    }

    /**
     * Why Tern cannot migrate over this URI although it parsed, or empty if it can.
     *
     * @return the reason, a complete sentence suitable as an error message
     */
    default Optional<String> unsupportedReason() {
        return Optional.empty();
    }

    /**
     * The address as QAPI's {@code SocketAddress}, which {@code query-migrate} reports in
     * {@code socket-address} for a listening destination.
     *
     * @return the address for {@code tcp:}, {@code unix:} and {@code vsock:}, else empty
     */
    default Optional<SocketAddress> socketAddress() {
        return Optional.empty();
    }

    /**
     * {@code tcp:HOST:PORT[,options]}: connect to, or listen on, a TCP port.
     *
     * @param host the host name or address, without brackets for IPv6; empty for "any host"
     *     ({@code tcp::4444})
     * @param port the port, 0 to 65535; 0 listens on an ephemeral port
     * @param to {@code ,to=N}: when listening, try ports up to {@code N} if {@code port} is taken
     * @param ipv4 {@code ,ipv4[=on|off]}
     * @param ipv6 {@code ,ipv6[=on|off]}
     * @param keepAlive {@code ,keep-alive[=on|off]}: set {@code SO_KEEPALIVE}
     * @param mptcp {@code ,mptcp[=on|off]}: multipath TCP
     */
    record Tcp(String host, int port, OptionalInt to, Optional<Boolean> ipv4, Optional<Boolean> ipv6,
            Optional<Boolean> keepAlive, Optional<Boolean> mptcp) implements MigrationUri {

        /**
         * Checks the members.
         *
         * @throws IllegalArgumentException if {@code port} or {@code to} is outside 0 to 65535
         */
        public Tcp {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(ipv4, "ipv4");
            Objects.requireNonNull(ipv6, "ipv6");
            Objects.requireNonNull(keepAlive, "keepAlive");
            Objects.requireNonNull(mptcp, "mptcp");
            checkPort(port, "port");
            if (to.isPresent()) {
                checkPort(to.getAsInt(), "to");
            }
        }

        /**
         * A TCP address without options.
         *
         * @param host the host; empty for any
         * @param port the port
         * @return the address
         */
        public static Tcp of(String host, int port) {
            return new Tcp(host, port, OptionalInt.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty());
        }

        @Override
        public String scheme() {
            return "tcp";
        }

        @Override
        public boolean multiChannel() {
            return true;
        }

        @Override
        public Optional<String> unsupportedReason() {
            if (mptcp.orElse(false)) {
                return Optional.of("MPTCP migration is not available in Tern: the JDK has no IPPROTO_MPTCP sockets");
            }
            return Optional.empty();
        }

        @Override
        public Optional<SocketAddress> socketAddress() {
            return Optional.of(new SocketAddress.Inet(host, Integer.toString(port), Optional.empty(), to,
                    ipv4, ipv6, keepAlive, mptcp));
        }

        private static void checkPort(int value, String name) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException(name + " must be 0 to 65535: " + value);
            }
        }
    }

    /**
     * {@code unix:PATH}: a Unix domain socket.
     *
     * @param path the socket's path, never empty
     */
    record Unix(String path) implements MigrationUri {
        /**
         * Checks the path.
         *
         * @throws IllegalArgumentException if the path is empty
         */
        public Unix {
            Objects.requireNonNull(path, "path");
            if (path.isEmpty()) {
                throw new IllegalArgumentException("path must not be empty");
            }
        }

        @Override
        public String scheme() {
            return "unix";
        }

        @Override
        public boolean multiChannel() {
            return true;
        }

        @Override
        public Optional<SocketAddress> socketAddress() {
            return Optional.of(SocketAddress.Unix.of(path));
        }
    }

    /**
     * {@code vsock:CID:PORT}: an {@code AF_VSOCK} socket. Parses, but Tern cannot open one.
     *
     * @param cid the context id, an unsigned 32-bit value
     * @param port the port, an unsigned 32-bit value
     */
    record Vsock(long cid, long port) implements MigrationUri {
        /**
         * Checks the members.
         *
         * @throws IllegalArgumentException if either is outside 0 to 4294967295
         */
        public Vsock {
            if (cid < 0 || cid > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("cid must be 0 to 4294967295: " + cid);
            }
            if (port < 0 || port > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("port must be 0 to 4294967295: " + port);
            }
        }

        @Override
        public String scheme() {
            return "vsock";
        }

        @Override
        public boolean multiChannel() {
            return true;
        }

        @Override
        public Optional<String> unsupportedReason() {
            return Optional.of("vsock migration is not available in Tern: the JDK has no AF_VSOCK sockets");
        }

        @Override
        public Optional<SocketAddress> socketAddress() {
            return Optional.of(new SocketAddress.Vsock(Long.toString(cid), Long.toString(port)));
        }
    }

    /**
     * {@code fd:NAME}: a file descriptor the client passed earlier with {@code getfd} under
     * {@code NAME}; on the destination also a plain descriptor number. The name is looked up
     * (and an empty one rejected) when the migration starts, as in QEMU.
     *
     * @param name the descriptor's name or number, as written
     */
    record Fd(String name) implements MigrationUri {
        /** Checks that the name is not null. */
        public Fd {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String scheme() {
            return "fd";
        }
    }

    /**
     * {@code exec:COMMAND}: run {@code /bin/sh -c COMMAND} and stream to its standard input
     * (source) or from its standard output (destination).
     *
     * @param command the shell command line, as written
     */
    record Exec(String command) implements MigrationUri {
        /** Checks that the command is not null. */
        public Exec {
            Objects.requireNonNull(command, "command");
        }

        @Override
        public String scheme() {
            return "exec";
        }
    }

    /**
     * {@code file:PATH[,offset=SIZE]} (QEMU 8.2): write the stream to, or read it from, a file,
     * starting {@code offset} bytes in.
     *
     * @param path the file's path, as written (opening an empty path fails later)
     * @param offset where the stream starts in the file, an unsigned 64-bit byte count; 0 when
     *     the URI has no {@code ,offset=}
     */
    record File(String path, long offset) implements MigrationUri {
        /** Checks that the path is not null. */
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String scheme() {
            return "file";
        }
    }

    /**
     * {@code rdma:HOST:PORT}: RDMA migration. Parses, but Tern has no RDMA transport.
     *
     * @param host the host; empty for any
     * @param port the port, 0 to 65535
     */
    record Rdma(String host, int port) implements MigrationUri {
        /**
         * Checks the members.
         *
         * @throws IllegalArgumentException if the port is outside 0 to 65535
         */
        public Rdma {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535: " + port);
            }
        }

        @Override
        public String scheme() {
            return "rdma";
        }

        @Override
        public Optional<String> unsupportedReason() {
            return Optional.of("RDMA migration is not available in Tern: there is no RDMA transport on the JVM");
        }
    }
}
