package dev.tern.api.info;

import dev.tern.api.Qapi;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A socket address as QAPI's {@code SocketAddress} union (sockets.json) describes it: the
 * destination reports its listening addresses in {@code query-migrate}'s {@code socket-address}.
 * The QAPI discriminator {@code type} is {@link #type()}.
 */
public sealed interface SocketAddress {
    /**
     * The QAPI discriminator value: {@code inet}, {@code unix}, {@code vsock} or {@code fd}.
     *
     * @return the type name
     */
    String type();

    /**
     * An IP address and port (QAPI {@code InetSocketAddress}).
     *
     * @param host host name or IP address (QAPI {@code host})
     * @param port port number or service name, as a string (QAPI {@code port})
     * @param numeric true if host and port are guaranteed numeric (QAPI {@code numeric}, optional)
     * @param to the last port to try when listening on a range (QAPI {@code to}, uint16, optional)
     * @param ipv4 whether to accept IPv4 addresses (QAPI {@code ipv4}, optional)
     * @param ipv6 whether to accept IPv6 addresses (QAPI {@code ipv6}, optional)
     * @param keepAlive enable keep-alive when connecting (QAPI {@code keep-alive}, optional)
     * @param mptcp enable multi-path TCP (QAPI {@code mptcp}, optional)
     */
    record Inet(
            @Qapi(name = "host", type = "str") String host,
            @Qapi(name = "port", type = "str") String port,
            @Qapi(name = "numeric", type = "bool") Optional<Boolean> numeric,
            @Qapi(name = "to", type = "uint16") OptionalInt to,
            @Qapi(name = "ipv4", type = "bool") Optional<Boolean> ipv4,
            @Qapi(name = "ipv6", type = "bool") Optional<Boolean> ipv6,
            @Qapi(name = "keep-alive", type = "bool") Optional<Boolean> keepAlive,
            @Qapi(name = "mptcp", type = "bool") Optional<Boolean> mptcp) implements SocketAddress {
        /** Checks that no member is null. */
        public Inet {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(port, "port");
            Objects.requireNonNull(numeric, "numeric");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(ipv4, "ipv4");
            Objects.requireNonNull(ipv6, "ipv6");
            Objects.requireNonNull(keepAlive, "keepAlive");
            Objects.requireNonNull(mptcp, "mptcp");
        }

        /**
         * The address of a bound socket as QEMU reports it: host, port and the family flag
         * ({@code ipv4} or {@code ipv6} true).
         *
         * @param host the numeric host
         * @param port the port
         * @param ipv6 true for an IPv6 socket, false for IPv4
         * @return the address
         */
        public static Inet bound(String host, int port, boolean ipv6) {
            return new Inet(host, Integer.toString(port), Optional.empty(), OptionalInt.empty(),
                    ipv6 ? Optional.empty() : Optional.of(true), ipv6 ? Optional.of(true) : Optional.empty(),
                    Optional.empty(), Optional.empty());
        }

        @Override
        public String type() {
            return "inet";
        }
    }

    /**
     * A unix domain socket (QAPI {@code UnixSocketAddress}).
     *
     * @param path the file system path (QAPI {@code path})
     * @param abstractName whether the path is in the abstract namespace (QAPI {@code abstract}, optional)
     * @param tight whether the abstract address length is the name's length (QAPI {@code tight}, optional)
     */
    record Unix(
            @Qapi(name = "path", type = "str") String path,
            @Qapi(name = "abstract", type = "bool") Optional<Boolean> abstractName,
            @Qapi(name = "tight", type = "bool") Optional<Boolean> tight) implements SocketAddress {
        /** Checks that no member is null. */
        public Unix {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(abstractName, "abstractName");
            Objects.requireNonNull(tight, "tight");
        }

        /**
         * A plain path address.
         *
         * @param path the socket path
         * @return the address
         */
        public static Unix of(String path) {
            return new Unix(path, Optional.empty(), Optional.empty());
        }

        @Override
        public String type() {
            return "unix";
        }
    }

    /**
     * A VSOCK address (QAPI {@code VsockSocketAddress}).
     *
     * @param cid the context id (QAPI {@code cid})
     * @param port the port (QAPI {@code port})
     */
    record Vsock(
            @Qapi(name = "cid", type = "str") String cid,
            @Qapi(name = "port", type = "str") String port) implements SocketAddress {
        /** Checks that no member is null. */
        public Vsock {
            Objects.requireNonNull(cid, "cid");
            Objects.requireNonNull(port, "port");
        }

        @Override
        public String type() {
            return "vsock";
        }
    }

    /**
     * A file descriptor passed by name (QAPI {@code String} branch {@code fd}).
     *
     * @param str the descriptor's name or number (QAPI {@code str})
     */
    record Fd(@Qapi(name = "str", type = "str") String str) implements SocketAddress {
        /** Checks that no member is null. */
        public Fd {
            Objects.requireNonNull(str, "str");
        }

        @Override
        public String type() {
            return "fd";
        }
    }
}
