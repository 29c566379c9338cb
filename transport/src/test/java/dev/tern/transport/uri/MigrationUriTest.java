package dev.tern.transport.uri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.ErrorClass;
import dev.tern.api.event.Side;
import dev.tern.api.info.SocketAddress;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrationUriTest {

    private static MigrationUri.Tcp tcp(String uri) {
        return assertInstanceOf(MigrationUri.Tcp.class, MigrationUri.parse(uri));
    }

    private static <T> T assertInstanceOf(Class<T> type, MigrationUri uri) {
        return org.junit.jupiter.api.Assertions.assertInstanceOf(type, uri);
    }

    private static void assertInvalid(String uri, String message) {
        InvalidMigrationUriException e = assertThrows(InvalidMigrationUriException.class, () -> MigrationUri.parse(uri));
        assertEquals(message, e.getMessage());
        assertEquals(ErrorClass.GENERIC_ERROR, e.errorClass());
        assertFalse(e instanceof UnknownMigrationProtocolException, "scheme was known: " + uri);
        // The side only words the unknown-scheme error; address errors read the same on both.
        InvalidMigrationUriException outgoing =
                assertThrows(InvalidMigrationUriException.class, () -> MigrationUri.parse(uri, Side.SOURCE));
        assertEquals(message, outgoing.getMessage());
    }

    @Nested
    class Tcp {
        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "tcp:localhost:4444           | localhost                | 4444",
            "tcp:0.0.0.0:4444             | 0.0.0.0                  | 4444",
            "tcp::4444                    | \"\"                     | 4444",
            "tcp:[::1]:4444               | ::1                      | 4444",
            "tcp:[fe80::1%eth0]:0         | fe80::1%eth0             | 0",
            "tcp:host:65535               | host                     | 65535",
            "tcp:host:04444               | host                     | 4444",
            "tcp:a,b:1                    | a,b                      | 1",
            "tcp:[not-checked-here]:7     | not-checked-here         | 7",
        })
        void hostAndPort(String uri, String host, int port) {
            MigrationUri.Tcp t = tcp(uri);
            assertEquals(MigrationUri.Tcp.of(host, port), t);
            assertEquals("tcp", t.scheme());
            assertTrue(t.multiChannel());
            assertEquals(Optional.empty(), t.unsupportedReason());
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "tcp:localhost       | error parsing address 'localhost'",
            "tcp:                | error parsing address ''",
            "tcp:host:           | error parsing address 'host:'",
            "tcp:host:,ipv4      | error parsing address 'host:,ipv4'",
            "tcp::               | error parsing port in address ':'",
            "tcp::,ipv4          | error parsing port in address ':,ipv4'",
            "tcp:[::1]           | error parsing IPv6 address '[::1]'",
            "tcp:[::1]:          | error parsing IPv6 address '[::1]:'",
            "tcp:[]:4444         | error parsing IPv6 address '[]:4444'",
            "tcp:[::1]4444       | error parsing IPv6 address '[::1]4444'",
            "tcp:[::1:4444       | error parsing IPv6 address '[::1:4444'",
            "tcp:::1:4444        | error parsing port in address '::1:4444'",
            "tcp:host:http       | error parsing port in address 'host:http'",
            "tcp:host:65536      | error parsing port in address 'host:65536'",
            "tcp:host:-1         | error parsing port in address 'host:-1'",
            "tcp:host:12:34      | error parsing port in address 'host:12:34'",
            "tcp:[::1]:x         | error parsing port in address '[::1]:x'",
            "tcp::99999          | error parsing port in address ':99999'",
        })
        void malformedAddress(String uri, String message) {
            assertInvalid(uri, message);
        }

        @Test
        void hostIsAtMost64Characters() {
            String host64 = "h".repeat(64);
            assertEquals(host64, tcp("tcp:" + host64 + ":1").host());
            assertInvalid("tcp:" + host64 + "h:1", "error parsing address '" + host64 + "h:1'");
            assertEquals(host64, tcp("tcp:[" + host64 + "]:1").host());
            assertInvalid("tcp:[" + host64 + "h]:1", "error parsing IPv6 address '[" + host64 + "h]:1'");
        }

        @Test
        void portTokenIsAtMost32CharactersAndTheRestIsScannedAsOptions() {
            assertEquals(1, tcp("tcp:h:" + "0".repeat(31) + "1").port());
            // sscanf's %32[^,] stops after 32 characters; QEMU ignores the leftover "1".
            assertEquals(0, tcp("tcp:h:" + "0".repeat(32) + "1").port());
            assertEquals(Optional.of(true), tcp("tcp:h:" + "0".repeat(32) + "9,ipv4").ipv4());
        }

        @Test
        void toOption() {
            assertEquals(OptionalInt.of(10), tcp("tcp::1,to=10").to());
            assertEquals(OptionalInt.of(65535), tcp("tcp::1,to=65535").to());
            assertEquals(OptionalInt.of(0), tcp("tcp::1,to=0").to());
            assertEquals(OptionalInt.of(7), tcp("tcp::1,to= 7").to(), "%d skips white space");
            assertEquals(OptionalInt.of(7), tcp("tcp::1,to=+7").to());
            assertEquals(OptionalInt.of(5), tcp("tcp::1,to=5,ipv4").to());
            assertEquals(OptionalInt.empty(), tcp("tcp::1").to());
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "tcp::1,to=", "tcp::1,to=x", "tcp::1,to=5x", "'tcp::1,to=5 '", "tcp::1,to=65536",
            "tcp::1,to=-1", "tcp::1,to=99999999999", "tcp::1,to=+",
            // to= is checked before any flag.
            "tcp::1,ipv4=bad,to=x",
        })
        void badToOption(String uri) {
            assertInvalid(uri, "error parsing to= argument");
        }

        @Test
        void flags() {
            MigrationUri.Tcp t = tcp("tcp:h:1,ipv4,ipv6=off,keep-alive=on,mptcp=off");
            assertEquals(new MigrationUri.Tcp("h", 1, OptionalInt.empty(), Optional.of(true), Optional.of(false),
                    Optional.of(true), Optional.of(false)), t);
            assertEquals(Optional.of(false), tcp("tcp:h:1,ipv4=off").ipv4());
            assertEquals(Optional.of(true), tcp("tcp:h:1,ipv4=on").ipv4());
            assertEquals(Optional.of(true), tcp("tcp:h:1,keep-alive").keepAlive());
            assertEquals(Optional.empty(), tcp("tcp:h:1,ipv6").ipv4());
        }

        @Test
        void unknownOptionsAreIgnoredAsInQemu() {
            assertEquals(MigrationUri.Tcp.of("h", 1), tcp("tcp:h:1,bogus"));
            assertEquals(MigrationUri.Tcp.of("h", 1), tcp("tcp:h:1,numeric=on"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "tcp:h:1,ipv4=yes             | error parsing 'ipv4' flag '=yes'",
            "tcp:h:1,ipv4=yes,ipv6        | error parsing 'ipv4' flag '=yes,ipv6'",
            "tcp:h:1,ipv4x                | error parsing 'ipv4' flag 'x'",
            "tcp:h:1,ipv4=on,,x           | error parsing 'ipv4' flag '=on,,x'",
            "tcp:h:1,ipv6=ON              | error parsing 'ipv6' flag '=ON'",
            "tcp:h:1,keep-alive=of        | error parsing 'keep-alive' flag '=of'",
            "tcp:h:1,mptcp=1              | error parsing 'mptcp' flag '=1'",
            // Checked in QEMU's order: ipv4, ipv6, keep-alive, mptcp.
            "tcp:h:1,mptcp=x,ipv6=y       | error parsing 'ipv6' flag '=y'",
        })
        void badFlag(String uri, String message) {
            assertInvalid(uri, message);
        }

        @Test
        void mptcpParsesButIsUnsupported() {
            assertEquals(Optional.of("MPTCP migration is not available in Tern: the JDK has no IPPROTO_MPTCP sockets"),
                    tcp("tcp:h:1,mptcp").unsupportedReason());
            assertEquals(Optional.empty(), tcp("tcp:h:1,mptcp=off").unsupportedReason());
        }

        @Test
        void restAfterTcpIsASocketAddressAgain() {
            assertEquals(new MigrationUri.Unix("/tmp/s"), MigrationUri.parse("tcp:unix:/tmp/s"));
            assertEquals(new MigrationUri.Fd("mig"), MigrationUri.parse("tcp:fd:mig"));
            assertEquals(new MigrationUri.Vsock(3, 1024), MigrationUri.parse("tcp:vsock:3:1024"));
            assertEquals(MigrationUri.Tcp.of("h", 1), MigrationUri.parse("tcp:tcp:h:1"));
            assertInvalid("tcp:unix:", "invalid Unix socket address");
            assertInvalid("tcp:fd:", "invalid file descriptor address");
            assertInvalid("tcp:vsock:3", "error parsing address '3'");
        }

        @Test
        void socketAddressCarriesTheOptions() {
            assertEquals(Optional.of(new SocketAddress.Inet("::1", "4444", Optional.empty(), OptionalInt.of(4450),
                            Optional.empty(), Optional.of(true), Optional.empty(), Optional.empty())),
                    tcp("tcp:[::1]:4444,to=4450,ipv6").socketAddress());
        }

        @Test
        void recordChecksRanges() {
            assertThrows(IllegalArgumentException.class, () -> MigrationUri.Tcp.of("h", 65536));
            assertThrows(IllegalArgumentException.class, () -> MigrationUri.Tcp.of("h", -1));
            assertThrows(IllegalArgumentException.class, () -> new MigrationUri.Tcp("h", 1, OptionalInt.of(70000),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        }
    }

    @Nested
    class Unix {
        @Test
        void pathIsEverythingAfterTheScheme() {
            MigrationUri u = MigrationUri.parse("unix:/tmp/a,b:c");
            assertEquals(new MigrationUri.Unix("/tmp/a,b:c"), u);
            assertEquals("unix", u.scheme());
            assertTrue(u.multiChannel());
            assertEquals(Optional.empty(), u.unsupportedReason());
            assertEquals(Optional.of(SocketAddress.Unix.of("/tmp/a,b:c")), u.socketAddress());
            assertEquals(new MigrationUri.Unix("relative"), MigrationUri.parse("unix:relative"));
        }

        @Test
        void emptyPath() {
            assertInvalid("unix:", "invalid Unix socket address");
            assertThrows(IllegalArgumentException.class, () -> new MigrationUri.Unix(""));
        }
    }

    @Nested
    class Vsock {
        @Test
        void cidAndPort() {
            MigrationUri v = MigrationUri.parse("vsock:3:1234");
            assertEquals(new MigrationUri.Vsock(3, 1234), v);
            assertEquals("vsock", v.scheme());
            assertTrue(v.multiChannel());
            assertEquals(Optional.of("vsock migration is not available in Tern: the JDK has no AF_VSOCK sockets"),
                    v.unsupportedReason());
            assertEquals(Optional.of(new SocketAddress.Vsock("3", "1234")), v.socketAddress());
            assertEquals(new MigrationUri.Vsock(0xFFFF_FFFFL, 0xFFFF_FFFFL),
                    MigrationUri.parse("vsock:4294967295:4294967295"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "vsock:3              | error parsing address '3'",
            "vsock:               | error parsing address ''",
            "vsock::1             | error parsing address ':1'",
            "vsock:3:             | error parsing address '3:'",
            "vsock:3:,x           | error parsing address '3:,x'",
            "vsock:3:1234,x       | trailing characters in address '3:1234,x'",
            "vsock:3:1234,        | trailing characters in address '3:1234,'",
            "vsock:x:1            | Failed to parse cid 'x'",
            "vsock:4294967296:1   | Failed to parse cid '4294967296'",
            "vsock:-1:1           | Failed to parse cid '-1'",
            "vsock:3:y            | Failed to parse port 'y'",
            "vsock:3:1:2          | Failed to parse port '1:2'",
            "vsock:3:4294967296   | Failed to parse port '4294967296'",
        })
        void malformed(String uri, String message) {
            assertInvalid(uri, message);
        }

        @Test
        void fieldWidths() {
            String cid33 = "0".repeat(32) + "3";
            assertInvalid("vsock:" + cid33 + ":1", "error parsing address '" + cid33 + ":1'");
            String port33 = "0".repeat(32) + "1";
            assertInvalid("vsock:3:" + port33, "trailing characters in address '3:" + port33 + "'");
            assertEquals(new MigrationUri.Vsock(3, 1), MigrationUri.parse("vsock:" + "0".repeat(31) + "3:" + "0".repeat(31) + "1"));
        }
    }

    @Nested
    class SingleChannelSchemes {
        @Test
        void fd() {
            MigrationUri f = MigrationUri.parse("fd:migfd");
            assertEquals(new MigrationUri.Fd("migfd"), f);
            assertEquals("fd", f.scheme());
            assertFalse(f.multiChannel());
            assertEquals(Optional.empty(), f.socketAddress());
            assertEquals(new MigrationUri.Fd("3"), MigrationUri.parse("fd:3"));
            // QEMU looks the name up when migrating, and only then rejects an empty one.
            assertEquals(new MigrationUri.Fd(""), MigrationUri.parse("fd:"));
        }

        @Test
        void exec() {
            MigrationUri e = MigrationUri.parse("exec:cat > /tmp/x,y");
            assertEquals(new MigrationUri.Exec("cat > /tmp/x,y"), e);
            assertEquals("exec", e.scheme());
            assertFalse(e.multiChannel());
            assertEquals(new MigrationUri.Exec(""), MigrationUri.parse("exec:"));
        }

        @Test
        void rdmaParsesButIsUnsupported() {
            MigrationUri r = MigrationUri.parse("rdma:host:4444");
            assertEquals(new MigrationUri.Rdma("host", 4444), r);
            assertEquals("rdma", r.scheme());
            assertFalse(r.multiChannel());
            assertEquals(Optional.of("RDMA migration is not available in Tern: there is no RDMA transport on the JVM"),
                    r.unsupportedReason());
            assertEquals(new MigrationUri.Rdma("::1", 5), MigrationUri.parse("rdma:[::1]:5"));
            assertEquals(new MigrationUri.Rdma("", 5), MigrationUri.parse("rdma::5"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "rdma:host          | RDMA ERROR: bad RDMA migration address 'host'",
            "rdma:              | RDMA ERROR: bad RDMA migration address ''",
            "rdma:[::1]         | RDMA ERROR: bad RDMA migration address '[::1]'",
            "rdma:h:1,ipv4=x    | RDMA ERROR: bad RDMA migration address 'h:1,ipv4=x'",
            "rdma:h:70000       | RDMA ERROR: bad RDMA migration address 'h:70000'",
        })
        void rdmaMalformed(String uri, String message) {
            assertInvalid(uri, message);
        }
    }

    @Nested
    class File {
        @Test
        void pathAndDefaultOffset() {
            MigrationUri f = MigrationUri.parse("file:/tmp/x");
            assertEquals(new MigrationUri.File("/tmp/x", 0), f);
            assertEquals("file", f.scheme());
            assertFalse(f.multiChannel());
            assertEquals(Optional.empty(), f.unsupportedReason());
            assertEquals(new MigrationUri.File("", 0), MigrationUri.parse("file:"));
            assertEquals(new MigrationUri.File("/tmp/a,b", 0), MigrationUri.parse("file:/tmp/a,b"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "4096                    | 4096",
            "0                       | 0",
            "4k                      | 4096",
            "4K                      | 4096",
            "1b                      | 1",
            "2M                      | 2097152",
            "1G                      | 1073741824",
            "1T                      | 1099511627776",
            "1P                      | 1125899906842624",
            "1E                      | 1152921504606846976",
            "1.5M                    | 1572864",
            "1.k                     | 1024",
            ".5K                     | 512",
            "1.0                     | 1",
            "1.                      | 1",
            "' 12'                   | 12",
            "+12                     | 12",
            "1.0005K                 | 1025",
            "1.0004K                 | 1024",
            "15E                     | 17293822569102704640",
            "18446744073709551615    | 18446744073709551615",
            "15.999999999999999E     | 18446744073709550464",
        })
        void offsetIsAQemuSize(String offset, String expected) {
            MigrationUri.File f = assertInstanceOf(MigrationUri.File.class, MigrationUri.parse("file:/f,offset=" + offset));
            assertEquals("/f", f.path());
            assertEquals(expected, Long.toUnsignedString(f.offset()));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "''                      | Invalid argument",
            "x                       | Invalid argument",
            "0x10                    | Invalid argument",
            "12x                     | Invalid argument",
            "1KB                     | Invalid argument",
            "1.5                     | Invalid argument",
            "0.5B                    | Invalid argument",
            ".K                      | Invalid argument",
            "' .5K'                  | Invalid argument",
            "1,offset=2              | Invalid argument",
            "-1K                     | Invalid argument",
            "-                       | Invalid argument",
            "-1                      | Numerical result out of range",
            "-0                      | Numerical result out of range",
            "16E                     | Numerical result out of range",
            "18446744073709551616    | Numerical result out of range",
            "18446744073709551616K   | Invalid argument",
            "16384P                  | Numerical result out of range",
        })
        void badOffset(String offset, String reason) {
            assertInvalid("file:/f,offset=" + offset, "file URI has bad offset " + offset + ": " + reason);
        }
    }

    @Nested
    class UnknownScheme {
        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "http://host/", "TCP:h:1", "\"\"", "tcp", "unix", "udp:h:1", "\" tcp:h:1\"",
        })
        void wordedPerSide(String uri) {
            UnknownMigrationProtocolException in =
                    assertThrows(UnknownMigrationProtocolException.class, () -> MigrationUri.parse(uri));
            assertEquals("unknown migration protocol: " + uri, in.getMessage());
            assertEquals(uri, in.uri());
            assertEquals(Side.DESTINATION, in.side());
            assertEquals(ErrorClass.GENERIC_ERROR, in.errorClass());

            UnknownMigrationProtocolException out =
                    assertThrows(UnknownMigrationProtocolException.class, () -> MigrationUri.parse(uri, Side.SOURCE));
            assertEquals("Parameter 'uri' expects a valid migration protocol", out.getMessage());
            assertEquals(Side.SOURCE, out.side());
            assertEquals(uri, out.uri());
        }

        @Test
        void forSideRewords() {
            UnknownMigrationProtocolException in = UnknownMigrationProtocolException.incoming("x:y");
            assertSame(in, in.forSide(Side.DESTINATION));
            assertEquals("Parameter 'uri' expects a valid migration protocol", in.forSide(Side.SOURCE).getMessage());
            assertEquals("unknown migration protocol: x:y",
                    UnknownMigrationProtocolException.outgoing("x:y").forSide(Side.DESTINATION).getMessage());
        }
    }
}
