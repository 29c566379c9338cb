package dev.tern.qmp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationParameters;
import dev.tern.api.MigrationStatus;
import dev.tern.api.MultiFdCompression;
import dev.tern.api.Qapi;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import dev.tern.api.info.XbzrleCacheStats;
import dev.tern.qmp.json.QmpJson;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** What QEMU's output visitor prints, member by member. */
class QapiCodecOutputTest {

    private static String write(Object value) {
        return QmpJson.write(QapiCodec.encode(value));
    }

    @Test
    void absentOptionalMembersAreLeftOut() {
        assertEquals("{}", write(MigrationInfo.builder().build()));
        assertEquals("{\"status\": \"completed\"}", write(MigrationInfo.builder().status(MigrationStatus.COMPLETED).build()));
    }

    @Test
    void unsignedTypesPrintUnsigned() {
        MigrationParameters p = MigrationParameters.builder().maxBandwidth(-1).downtimeLimit(Long.MIN_VALUE)
                .xCheckpointDelay(0xFFFF_FFFFL).build();
        assertEquals("{\"downtime-limit\": 9223372036854775808, \"max-bandwidth\": 18446744073709551615, "
                + "\"x-checkpoint-delay\": 4294967295}", write(p));
        XbzrleCacheStats x = new XbzrleCacheStats(-1, -1, 0, 0, 0.0, 0.5, 0);
        String text = write(x);
        assertTrue(text.contains("\"cache-size\": 18446744073709551615"), text);
        assertTrue(text.contains("\"bytes\": -1"), text);
    }

    @Test
    void uint32ListPrintsUnsigned() {
        MigrationInfo info = MigrationInfo.builder().postcopyVcpuBlocktime(List.of(0L, 0xFFFF_FFFFL)).build();
        assertEquals("{\"postcopy-vcpu-blocktime\": [0, 4294967295]}", write(info));
    }

    @Test
    void numbersPrintAsPercent17g() {
        XbzrleCacheStats x = new XbzrleCacheStats(0, 0, 0, 0, 0.1, 0.0, 0);
        String text = write(x);
        assertTrue(text.contains("\"cache-miss-rate\": 0.10000000000000001"), text);
        assertTrue(text.contains("\"encoding-rate\": 0,"), text);
    }

    @Test
    void enumsPrintTheirQapiName() {
        // QEMU prints "state" before "capability" (QDict order)
        assertEquals("[{\"state\": true, \"capability\": \"postcopy-ram\"}]",
                write(List.of(new MigrationCapabilityStatus(MigrationCapability.POSTCOPY_RAM, true))));
        assertEquals("{\"multifd-compression\": \"zstd\"}",
                write(MigrationParameters.builder().multifdCompression(MultiFdCompression.ZSTD).build()));
    }

    @Test
    void socketAddressIsFlattenedWithItsType() throws JsonProcessingException {
        MigrationInfo info = MigrationInfo.builder()
                .socketAddress(List.of(SocketAddress.Inet.bound("127.0.0.1", 4444, false), SocketAddress.Unix.of("/s")))
                .build();
        assertEquals(QmpJson.parse("{\"socket-address\": [{\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"4444\", "
                + "\"ipv4\": true}, {\"type\": \"unix\", \"path\": \"/s\"}]}"), QapiCodec.encode(info));
        SocketAddress.Inet to = new SocketAddress.Inet("h", "1", Optional.empty(), OptionalInt.of(65535),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals(QmpJson.parse("{\"type\": \"inet\", \"host\": \"h\", \"port\": \"1\", \"to\": 65535}"),
                QapiCodec.encode(SocketAddress.class, to));
    }

    @Test
    void unionBranchTagsMatchTheirTypeMethod() {
        RandomQapiValues random = new RandomQapiValues(3);
        for (Class<?> branch : SocketAddress.class.getPermittedSubclasses()) {
            SocketAddress a = (SocketAddress) random.instanceOf(branch);
            assertEquals(a.type(), QapiCodec.encode(SocketAddress.class, a).get("type").asText());
        }
    }

    // ---- annotations that do not fit are caught when a type is first used --------------------

    /** A uint8 must be held in an int. */
    public record WrongWidth(@Qapi(name = "level", type = "uint8") long level) {
    }

    /** A list type needs a List. */
    public record NotAList(@Qapi(name = "xs", type = "[str]") String xs) {
    }

    /** A type name that is no scalar needs an enum, record or union. */
    public record UnknownType(@Qapi(name = "x", type = "Thing") String x) {
    }

    /** Encodable, but cannot be read: a component is not a QAPI member. */
    public record HalfAnnotated(@Qapi(name = "a", type = "str") String a, int notQapi) {
    }

    @Test
    void misfitAnnotationsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QapiCodec.validate(WrongWidth.class));
        assertTrue(e.getMessage().contains("level"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QapiCodec.validate(NotAList.class));
        assertThrows(IllegalArgumentException.class, () -> QapiCodec.validate(UnknownType.class));
        assertThrows(IllegalArgumentException.class, () -> QapiCodec.validate(String.class));
    }

    @Test
    void recordsWithNonMemberComponentsAreWriteOnly() throws JsonProcessingException {
        assertEquals("{\"a\": \"x\"}", write(new HalfAnnotated("x", 3)));
        assertThrows(IllegalArgumentException.class,
                () -> QapiCodec.decode(HalfAnnotated.class, QmpJson.parse("{\"a\": \"x\"}")));
    }

    @Test
    void everyApiTypeValidates() {
        for (Class<?> type : QapiTypes.apiRecords()) {
            QapiCodec.validate(type);
        }
    }
}
