package dev.tern.qmp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tern.api.ErrorClass;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.dirtyrate.DirtyRateMeasureMode;
import dev.tern.api.info.CompressionStats;
import dev.tern.api.info.SocketAddress;
import dev.tern.qmp.command.CommandArguments.CalcDirtyRate;
import dev.tern.qmp.command.CommandArguments.QmpCapabilities;
import dev.tern.qmp.command.CommandArguments.SetCapabilities;
import dev.tern.qmp.command.CommandArguments.SnapshotWithState;
import dev.tern.qmp.json.QmpJson;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every input rule of QEMU 7.2's QObject input visitor, its accepted edge and its rejected edge. */
class QapiCodecInputTest {

    private static <T> T decode(Class<T> type, String json) {
        try {
            return QapiCodec.decode(type, QmpJson.parse(json));
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static void rejects(Class<?> type, String json, String message) {
        QapiInputException e = assertThrows(QapiInputException.class, () -> decode(type, json));
        assertEquals(message, e.getMessage());
        assertEquals(ErrorClass.GENERIC_ERROR, e.errorClass());
    }

    // ---- int64 ------------------------------------------------------------------------------

    @Test
    void int64AcceptsItsWholeRange() {
        assertEquals(Long.MAX_VALUE, decode(CalcDirtyRate.class, "{\"calc-time\": 9223372036854775807}").calcTime());
        assertEquals(Long.MIN_VALUE, decode(CalcDirtyRate.class, "{\"calc-time\": -9223372036854775808}").calcTime());
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "-9223372036854775809", "1.0", "1e3", "\"1\"", "true", "null",
        "[]", "{}"})
    void int64RejectsEverythingElseAsInvalidType(String value) {
        rejects(CalcDirtyRate.class, "{\"calc-time\": " + value + "}",
                "Invalid parameter type for 'calc-time', expected: integer");
    }

    // ---- uint64 and size --------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "18446744073709551615, -1",
        "9223372036854775808, -9223372036854775808",
        // QEMU wraps negative int64 values "for backward compatibility"
        "-1, -1",
        "-9223372036854775808, -9223372036854775808",
    })
    void sizeAcceptsUnsignedAndWrappedNegativeValues(String json, long bits) {
        assertEquals(OptionalLong.of(bits),
                decode(MigrateSetParameters.class, "{\"max-bandwidth\": " + json + "}").maxBandwidth());
        assertEquals(OptionalLong.of(bits),
                decode(MigrateSetParameters.class, "{\"downtime-limit\": " + json + "}").downtimeLimit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"18446744073709551616", "-9223372036854775809", "1.5", "0.0", "\"1\"", "false", "null", "{}"})
    void uint64RejectsWithQemusInvalidValueText(String value) {
        rejects(MigrateSetParameters.class, "{\"downtime-limit\": " + value + "}",
                "Parameter 'downtime-limit' expects uint64");
        rejects(MigrateSetParameters.class, "{\"max-bandwidth\": " + value + "}",
                "Parameter 'max-bandwidth' expects uint64");
    }

    // ---- narrow unsigned --------------------------------------------------------------------

    @Test
    void uint8AcceptsZeroTo255() {
        assertEquals(255, decode(MigrateSetParameters.class, "{\"compress-level\": 255}").compressLevel().getAsInt());
        assertEquals(0, decode(MigrateSetParameters.class, "{\"compress-level\": 0}").compressLevel().getAsInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"256", "-1", "18446744073709551615", "-9223372036854775808"})
    void uint8OutOfRangeIncludingNegative(String value) {
        rejects(MigrateSetParameters.class, "{\"compress-level\": " + value + "}",
                "Parameter 'compress-level' expects uint8_t");
    }

    @Test
    void uint8OfTheWrongTypeFailsAsUint64First() {
        rejects(MigrateSetParameters.class, "{\"compress-level\": \"9\"}", "Parameter 'compress-level' expects uint64");
        rejects(MigrateSetParameters.class, "{\"multifd-channels\": 2.0}", "Parameter 'multifd-channels' expects uint64");
    }

    @Test
    void uint32Edges() {
        assertEquals(OptionalLong.of(0xFFFF_FFFFL),
                decode(MigrateSetParameters.class, "{\"x-checkpoint-delay\": 4294967295}").xCheckpointDelay());
        rejects(MigrateSetParameters.class, "{\"x-checkpoint-delay\": 4294967296}",
                "Parameter 'x-checkpoint-delay' expects uint32_t");
        rejects(MigrateSetParameters.class, "{\"x-checkpoint-delay\": -1}",
                "Parameter 'x-checkpoint-delay' expects uint32_t");
    }

    @Test
    void uint16Edges() {
        String inet = "{\"type\": \"inet\", \"host\": \"h\", \"port\": \"1\", \"to\": ";
        assertEquals(65535, ((SocketAddress.Inet) decode(SocketAddress.class, inet + "65535}")).to().getAsInt());
        rejects(SocketAddress.class, inet + "65536}", "Parameter 'to' expects uint16_t");
    }

    // ---- number, bool, str, StrOrNull -------------------------------------------------------

    @Test
    void numberAcceptsIntegersAndFloats() {
        String rest = ", \"pages\": 0, \"busy\": 0, \"compressed-size\": 0, \"compression-rate\": 0}";
        assertEquals(3.0, decode(CompressionStats.class, "{\"busy-rate\": 3" + rest).busyRate());
        assertEquals(0.25, decode(CompressionStats.class, "{\"busy-rate\": 0.25" + rest).busyRate());
        assertEquals(18446744073709551615.0,
                decode(CompressionStats.class, "{\"busy-rate\": 18446744073709551615" + rest).busyRate());
        rejects(CompressionStats.class, "{\"busy-rate\": \"0\"" + rest,
                "Invalid parameter type for 'busy-rate', expected: number");
    }

    @Test
    void boolAndStrTakeOnlyTheirJsonType() {
        rejects(MigrateSetParameters.class, "{\"compress-wait-thread\": 1}",
                "Invalid parameter type for 'compress-wait-thread', expected: boolean");
        rejects(MigrateSetParameters.class, "{\"compress-wait-thread\": \"true\"}",
                "Invalid parameter type for 'compress-wait-thread', expected: boolean");
        rejects(SnapshotWithState.class, "{\"job-id\": 1, \"tag\": \"t\", \"vmstate\": \"v\", \"devices\": []}",
                "Invalid parameter type for 'job-id', expected: string");
    }

    @Test
    void optionalMemberGivenNullIsPresentAndMustHaveItsType() {
        rejects(MigrateSetParameters.class, "{\"compress-wait-thread\": null}",
                "Invalid parameter type for 'compress-wait-thread', expected: boolean");
        rejects(MigrateSetParameters.class, "{\"downtime-limit\": null}", "Parameter 'downtime-limit' expects uint64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls-creds", "tls-hostname", "tls-authz"})
    void strOrNullReadsNullAsEmptyString(String member) {
        MigrateSetParameters p = decode(MigrateSetParameters.class, "{\"" + member + "\": null}");
        MigrateSetParameters q = decode(MigrateSetParameters.class, "{\"" + member + "\": \"creds0\"}");
        switch (member) {
            case "tls-creds" -> {
                assertEquals(Optional.of(""), p.tlsCreds());
                assertEquals(Optional.of("creds0"), q.tlsCreds());
            }
            case "tls-hostname" -> {
                assertEquals(Optional.of(""), p.tlsHostname());
                assertEquals(Optional.of("creds0"), q.tlsHostname());
            }
            default -> {
                assertEquals(Optional.of(""), p.tlsAuthz());
                assertEquals(Optional.of("creds0"), q.tlsAuthz());
            }
        }
        rejects(MigrateSetParameters.class, "{\"" + member + "\": 5}",
                "Invalid parameter type for '" + member + "', expected: StrOrNull");
    }

    // ---- enums ------------------------------------------------------------------------------

    @Test
    void enumByQapiNameAndItsErrorUsesThePlainName() {
        assertEquals(Optional.of(DirtyRateMeasureMode.DIRTY_RING),
                decode(CalcDirtyRate.class, "{\"calc-time\": 1, \"mode\": \"dirty-ring\"}").mode());
        rejects(CalcDirtyRate.class, "{\"calc-time\": 1, \"mode\": \"DIRTY_RING\"}",
                "Parameter 'mode' does not accept value 'DIRTY_RING'");
        rejects(SetCapabilities.class, "{\"capabilities\": [{\"capability\": \"xbzrle\", \"state\": true}, "
                + "{\"capability\": \"bogus\", \"state\": true}]}", "Parameter 'capability' does not accept value 'bogus'");
        rejects(CalcDirtyRate.class, "{\"calc-time\": 1, \"mode\": 1}",
                "Invalid parameter type for 'mode', expected: string");
    }

    @Test
    void enumListElementIsNamedNull() {
        rejects(QmpCapabilities.class, "{\"enable\": [\"oob\", \"x\"]}", "Parameter 'null' does not accept value 'x'");
    }

    // ---- structure: paths, missing, unexpected ------------------------------------------------

    @Test
    void nestedMembersAreNamedByFullPath() {
        assertEquals(List.of(new MigrationCapabilityStatus(MigrationCapability.EVENTS, true)),
                decode(SetCapabilities.class, "{\"capabilities\": [{\"capability\": \"events\", \"state\": true}]}")
                        .capabilities());
        rejects(SetCapabilities.class, "{\"capabilities\": [{\"capability\": \"events\", \"state\": \"yes\"}]}",
                "Invalid parameter type for 'capabilities[0].state', expected: boolean");
        rejects(SetCapabilities.class, "{\"capabilities\": [{\"capability\": \"events\", \"state\": true}, "
                + "{\"capability\": \"xbzrle\"}]}", "Parameter 'capabilities[1].state' is missing");
        rejects(SetCapabilities.class, "{\"capabilities\": [{\"capability\": \"events\", \"state\": true, \"x\": 1}]}",
                "Parameter 'capabilities[0].x' is unexpected");
        rejects(SetCapabilities.class, "{\"capabilities\": [[]]}",
                "Invalid parameter type for 'capabilities[0]', expected: object");
        rejects(SetCapabilities.class, "{\"capabilities\": {}}", "Invalid parameter type for 'capabilities', expected: array");
        rejects(SnapshotWithState.class, "{\"job-id\": \"j\", \"tag\": \"t\", \"vmstate\": \"v\", \"devices\": [\"a\", 2]}",
                "Invalid parameter type for 'devices[1]', expected: string");
    }

    @Test
    void deepPathThroughListsAndStructs() {
        String mapping = "{\"block-bitmap-mapping\": [{\"node-name\": \"n\", \"alias\": \"a\", \"bitmaps\": ["
                + "{\"name\": \"b0\", \"alias\": \"x\"}, {\"name\": \"b1\", \"alias\": \"y\", \"transform\": "
                + "{\"persistent\": 1}}]}]}";
        rejects(MigrateSetParameters.class, mapping,
                "Invalid parameter type for 'block-bitmap-mapping[0].bitmaps[1].transform.persistent', expected: boolean");
    }

    @Test
    void missingAndUnexpectedAtTheTop() {
        rejects(SetCapabilities.class, "{}", "Parameter 'capabilities' is missing");
        rejects(MigrateSetParameters.class, "{\"downtime-limit\": 1, \"bogus\": 2}", "Parameter 'bogus' is unexpected");
        // every member is visited before leftovers are looked at: missing wins over unexpected
        rejects(SetCapabilities.class, "{\"bogus\": 1}", "Parameter 'capabilities' is missing");
    }

    @Test
    void membersAreCheckedInSchemaOrderNotInputOrder() {
        rejects(SnapshotWithState.class, "{\"devices\": 1, \"vmstate\": 2, \"tag\": \"t\", \"job-id\": \"j\"}",
                "Invalid parameter type for 'vmstate', expected: string");
    }

    @Test
    void unionDiscriminatorRules() {
        rejects(SocketAddress.class, "{\"host\": \"h\", \"port\": \"1\"}", "Parameter 'type' is missing");
        rejects(SocketAddress.class, "{\"type\": \"tcp\"}", "Parameter 'type' does not accept value 'tcp'");
        rejects(SocketAddress.class, "{\"type\": \"unix\"}", "Parameter 'path' is missing");
        rejects(SocketAddress.class, "{\"type\": \"unix\", \"path\": \"/p\", \"host\": \"h\"}",
                "Parameter 'host' is unexpected");
        assertEquals(SocketAddress.Unix.of("/p"), decode(SocketAddress.class, "{\"type\": \"unix\", \"path\": \"/p\"}"));
    }
}
