package dev.tern.transport;

import dev.tern.api.info.SocketAddress;
import dev.tern.transport.uri.MigrationUri;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code tcp:HOST:PORT[,to=N][,ipv4][,ipv6][,keep-alive]} as QEMU's {@code inet_connect_saddr}
 * and {@code inet_listen_saddr} handle it.
 *
 * <p>Where the JDK falls short of the socket API: an IPv6 socket always has
 * {@code IPV6_V6ONLY} off, so {@code ipv6=on} listening on {@code ::} also accepts IPv4
 * clients; and the any-host address ({@code tcp::PORT}) is one dual-stack socket rather than
 * QEMU's two, reported as QEMU reports its two ({@code 0.0.0.0} and {@code ::}, same port).
 */
final class TcpTransport {
    /** Room for a main channel, a preempt channel and many multifd channels connecting at once. */
    private static final int BACKLOG = 64;
    private static final String NO_SUCH_NAME = "Name or service not known";
    private static final String WRONG_FAMILY = "Address family for hostname not supported";
    private static final String ADDRESS_IN_USE = "Address already in use";

    private TcpTransport() {
    }

    /**
     * Connects to the first address of {@code host} that accepts, as {@code inet_connect_saddr}.
     * The socket has {@code TCP_NODELAY} (the stream is already batched) and, with
     * {@code keep-alive=on}, {@code SO_KEEPALIVE}. Buffer sizes are left to the kernel's
     * autotuning, which grows them beyond what a fixed setting would (and a fixed setting
     * would switch autotuning off).
     *
     * @param uri the URI
     * @return the connected channel
     * @throws IOException if the name does not resolve or no address accepts
     */
    static ChannelBase connect(MigrationUri.Tcp uri) throws IOException {
        Families families = Families.of(uri);
        if (uri.host().isEmpty()) {
            // getaddrinfo("") fails; the JDK would quietly pick the loopback address.
            throw TransportErrors.resolutionFailed(uri.host(), uri.port(), NO_SUCH_NAME);
        }
        IOException last = null;
        for (InetAddress address : resolve(uri.host(), uri.port(), families)) {
            SocketChannel socket;
            try {
                socket = SocketChannel.open(family(address));
            } catch (UnsupportedOperationException e) {
                last = new IOException("Address family not supported by protocol", e);
                continue;
            }
            try {
                socket.connect(new InetSocketAddress(address, uri.port()));
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (uri.keepAlive().orElse(false)) {
                    setKeepAlive(socket);
                }
                return new SocketMigrationChannel(socket, "tcp:" + NumericHost.withPort(uri.host(), uri.port()));
            } catch (IOException e) {
                socket.close();
                last = e;
            }
        }
        throw TransportErrors.connectFailed(uri.host() + ":" + uri.port(), last);
    }

    /**
     * Listens on every address {@code host} resolves to, each on the first free port from
     * {@code port} to {@code to}, as {@code inet_listen_saddr}.
     *
     * @param uri the URI
     * @return the listener, reporting the bound addresses
     * @throws IOException if the options conflict, the name does not resolve, or binding fails
     */
    static MigrationListener listen(MigrationUri.Tcp uri) throws IOException {
        if (uri.keepAlive().orElse(false)) {
            throw TransportErrors.keepAliveOnListen();
        }
        Families families = Families.of(uri);
        int last = uri.to().orElse(uri.port());
        List<ServerSocketChannel> servers = new ArrayList<>();
        List<SocketAddress> addresses = new ArrayList<>();
        try {
            if (uri.host().isEmpty()) {
                listenOnAnyHost(uri, families, last, servers, addresses);
            } else {
                for (InetAddress address : resolve(uri.host(), uri.port(), families)) {
                    ServerSocketChannel server = bind(address, uri.host(), uri.port(), last);
                    servers.add(server);
                    InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
                    addresses.add(SocketAddress.Inet.bound(NumericHost.of(bound.getAddress()), bound.getPort(),
                            bound.getAddress() instanceof Inet6Address));
                }
            }
        } catch (IOException | RuntimeException e) {
            for (ServerSocketChannel server : servers) {
                server.close();
            }
            throw e;
        }
        return new SocketListener(servers, addresses, null, TcpTransport::accepted);
    }

    private static void listenOnAnyHost(MigrationUri.Tcp uri, Families families, int last,
            List<ServerSocketChannel> servers, List<SocketAddress> addresses) throws IOException {
        if (families.ipv6()) {
            Optional<ServerSocketChannel> dual = bindAnyIpv6(uri.port(), last);
            if (dual.isPresent()) {
                int port = ((InetSocketAddress) dual.get().getLocalAddress()).getPort();
                servers.add(dual.get());
                if (families.ipv4()) {
                    addresses.add(SocketAddress.Inet.bound("0.0.0.0", port, false));
                }
                addresses.add(SocketAddress.Inet.bound("::", port, true));
                return;
            }
            if (!families.ipv4()) {
                throw TransportErrors.resolutionFailed(uri.host(), uri.port(), WRONG_FAMILY);
            }
        }
        ServerSocketChannel server = bind(InetAddress.getByAddress(new byte[4]), uri.host(), uri.port(), last);
        servers.add(server);
        addresses.add(SocketAddress.Inet.bound("0.0.0.0",
                ((InetSocketAddress) server.getLocalAddress()).getPort(), false));
    }

    /** The IPv6 any-address, or empty if this host or JVM has no IPv6 sockets. */
    private static Optional<ServerSocketChannel> bindAnyIpv6(int first, int last) throws IOException {
        try {
            ServerSocketChannel.open(StandardProtocolFamily.INET6).close();
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
        return Optional.of(bind(InetAddress.getByAddress(new byte[16]), "", first, last));
    }

    /**
     * Binds the first free port of the range; like QEMU, only "in use" moves on to the next.
     *
     * @param address where to bind
     * @param host the host as written, for messages
     * @param first the first port
     * @param last the last port
     * @return the listening socket
     * @throws IOException naming the address if binding fails or every port is taken
     */
    private static ServerSocketChannel bind(InetAddress address, String host, int first, int last)
            throws IOException {
        IOException inUse = null;
        for (int port = first; port <= last; port++) {
            ServerSocketChannel server = ServerSocketChannel.open(family(address));
            try {
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                server.bind(new InetSocketAddress(address, port), BACKLOG);
                return server;
            } catch (IOException e) {
                server.close();
                if (!ADDRESS_IN_USE.equals(e.getMessage())) {
                    throw TransportErrors.bindFailed(host + ":" + port, e);
                }
                inUse = e;
            }
        }
        throw TransportErrors.noAvailablePort(host, first, last, inUse);
    }

    private static ChannelBase accepted(SocketChannel socket) throws IOException {
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        InetSocketAddress peer = (InetSocketAddress) socket.getRemoteAddress();
        return new SocketMigrationChannel(socket,
                "tcp:" + NumericHost.withPort(NumericHost.of(peer.getAddress()), peer.getPort()));
    }

    private static void setKeepAlive(SocketChannel socket) throws IOException {
        try {
            socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        } catch (IOException e) {
            throw new IOException("Unable to set KEEPALIVE: " + TransportErrors.reason(e), e);
        }
    }

    private static List<InetAddress> resolve(String host, int port, Families families) throws IOException {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw TransportErrors.resolutionFailed(host, port, TransportErrors.reason(e));
        }
        Set<InetAddress> allowed = new LinkedHashSet<>();
        for (InetAddress address : Arrays.asList(all)) {
            if (address instanceof Inet4Address ? families.ipv4() : families.ipv6()) {
                allowed.add(address);
            }
        }
        if (allowed.isEmpty()) {
            throw TransportErrors.resolutionFailed(host, port, WRONG_FAMILY);
        }
        return List.copyOf(allowed);
    }

    private static ProtocolFamily family(InetAddress address) {
        return address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /**
     * The address families {@code ipv4=} and {@code ipv6=} allow, as
     * {@code inet_ai_family_from_address} decides.
     *
     * @param ipv4 whether IPv4 addresses are used
     * @param ipv6 whether IPv6 addresses are used
     */
    record Families(boolean ipv4, boolean ipv6) {
        static Families of(MigrationUri.Tcp uri) throws IOException {
            Optional<Boolean> v4 = uri.ipv4();
            Optional<Boolean> v6 = uri.ipv6();
            if (v4.equals(Optional.of(false)) && v6.equals(Optional.of(false))) {
                throw TransportErrors.bothFamiliesDisabled();
            }
            if (v4.orElse(false) && v6.orElse(false)) {
                return new Families(true, true);
            }
            if (v6.orElse(false) || !v4.orElse(true)) {
                return new Families(false, true);
            }
            if (v4.orElse(false) || !v6.orElse(true)) {
                return new Families(true, false);
            }
            return new Families(true, true);
        }
    }
}
