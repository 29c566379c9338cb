package dev.tern.qmp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationParameters;
import dev.tern.api.Qapi;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import dev.tern.qmp.json.QmpJson;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Generic property: for every record type of the API (and the QMP module's own argument and
 * reply types), random instances survive encode, QEMU-style text, parse and decode unchanged.
 */
class QapiCodecRoundTripTest {
    private static final int INSTANCES = 300;

    @Test
    void findsTheApiTypes() {
        List<Class<?>> api = QapiTypes.apiRecords();
        assertTrue(api.contains(MigrateSetParameters.class), api::toString);
        assertTrue(api.contains(MigrationParameters.class), api::toString);
        assertTrue(api.contains(MigrationInfo.class), api::toString);
        assertTrue(api.contains(SocketAddress.Inet.class), api::toString);
        assertTrue(api.size() >= 25, () -> "only " + api.size() + " records: " + api);
    }

    @TestFactory
    Stream<DynamicTest> everyDecodableTypeRoundTrips() {
        List<Class<?>> types = new ArrayList<>(QapiTypes.apiRecords());
        types.addAll(QapiTypes.commandRecords());
        return types.stream().filter(QapiCodecRoundTripTest::allMembers)
                .map(type -> DynamicTest.dynamicTest(type.getName(), () -> roundTrips(type)));
    }

    @Test
    void socketAddressUnionRoundTripsWithItsDiscriminator() {
        RandomQapiValues random = new RandomQapiValues(7);
        for (int i = 0; i < INSTANCES; i++) {
            SocketAddress address = (SocketAddress) random.instanceOf(SocketAddress.class);
            JsonNode json = QapiCodec.encode(SocketAddress.class, address);
            assertEquals(address.type(), json.get("type").asText());
            assertEquals(address, QapiCodec.decode(SocketAddress.class, reparse(json)));
        }
    }

    @TestFactory
    Stream<DynamicTest> eventsWriteTheirQapiComponentsAsData() {
        return QapiTypes.apiRecords().stream().filter(MigrationEvent.class::isAssignableFrom)
                .map(type -> DynamicTest.dynamicTest(type.getName(), () -> {
                    RandomQapiValues random = new RandomQapiValues(type.getName().hashCode());
                    for (int i = 0; i < INSTANCES; i++) {
                        Object event = random.instanceOf(type);
                        JsonNode data = QapiCodec.encode(event);
                        List<String> names = new ArrayList<>();
                        data.fieldNames().forEachRemaining(names::add);
                        List<String> expected = Arrays.stream(type.getRecordComponents())
                                .filter(c -> c.isAnnotationPresent(Qapi.class))
                                .map(c -> c.getAnnotation(Qapi.class).name()).toList();
                        assertEquals(expected, names);
                        assertFalse(data.has("timestamp"));
                    }
                }));
    }

    private static void roundTrips(Class<?> type) {
        RandomQapiValues random = new RandomQapiValues(type.getName().hashCode());
        for (int i = 0; i < INSTANCES; i++) {
            Object value = random.instanceOf(type);
            JsonNode json = QapiCodec.encode(value);
            String text = QmpJson.write(json);
            Object back = QapiCodec.decode(type, reparse(json));
            assertEquals(value, back, () -> "through " + text);
        }
    }

    private static JsonNode reparse(JsonNode json) {
        try {
            return QmpJson.parse(QmpJson.write(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("Tern printed JSON it cannot read: " + QmpJson.write(json), e);
        }
    }

    private static boolean allMembers(Class<?> type) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (!c.isAnnotationPresent(Qapi.class)) {
                return false;
            }
        }
        return true;
    }
}
