package dev.tern.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tern.api.CapabilityException;
import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationException;
import dev.tern.qmp.json.QmpJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reply shapes, negotiation and malformed input, as QEMU 7.2's qmp_dispatch answers them. */
class QmpSessionTest {
    private final RecordingControl vm = new RecordingControl();
    private final QmpSession session = new QmpDispatcher(vm).newSession();

    private String exec(String request) {
        return exec(session, request);
    }

    static String exec(QmpSession session, String request) {
        try {
            return QmpJson.write(session.execute(QmpJson.parse(request)));
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private void negotiate() {
        assertEquals("{\"return\": {}}", exec("{\"execute\": \"qmp_capabilities\"}"));
    }

    // ---- negotiation ------------------------------------------------------------------------

    @Test
    void everyCommandButQmpCapabilitiesWaitsForNegotiation() {
        assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                + "\"Expecting capabilities negotiation with 'qmp_capabilities'\"}}", exec("{\"execute\": \"query-status\"}"));
        assertEquals("{\"id\": 7, \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                + "\"Expecting capabilities negotiation with 'qmp_capabilities'\"}}", exec("{\"execute\": \"nonsense\", \"id\": 7}"));
        assertTrue(vm.calls.isEmpty(), vm.calls::toString);
        assertFalse(session.negotiated());
    }

    @Test
    void malformedInputKeepsItsOwnErrorBeforeNegotiation() {
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input lacks member 'execute'\"}}",
                exec("{\"arguments\": {}}"));
    }

    @Test
    void negotiationEnablesCommandsOnce() {
        negotiate();
        assertTrue(session.negotiated());
        assertFalse(session.oobEnabled());
        assertEquals("{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}",
                exec("{\"execute\": \"query-status\"}"));
        assertEquals("{\"id\": \"again\", \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                + "\"Capabilities negotiation is already complete, command ignored\"}}",
                exec("{\"execute\": \"qmp_capabilities\", \"id\": \"again\"}"));
    }

    @Test
    void negotiationCanEnableOob() {
        assertEquals("{\"return\": {}}", exec("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}"));
        assertTrue(session.oobEnabled());
    }

    @Test
    void negotiationArgumentsAreChecked() {
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'null' does not accept value 'x'\"}}",
                exec("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"x\"]}}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'bogus' is unexpected\"}}",
                exec("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"bogus\": 1}}"));
        assertFalse(session.negotiated());
    }

    @Test
    void sessionsNegotiateSeparately() {
        negotiate();
        QmpSession other = session.dispatcher().newSession();
        assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                + "\"Expecting capabilities negotiation with 'qmp_capabilities'\"}}", exec(other, "{\"execute\": \"stop\"}"));
    }

    // ---- reply shapes and id ----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"1", "\"libvirt-42\"", "{\"a\": [1, \"b\"]}", "null", "-1.5", "18446744073709551615"})
    void idIsEchoedUnchanged(String id) throws JsonProcessingException {
        negotiate();
        assertEquals(QmpJson.parse(id), session.execute(QmpJson.parse("{\"execute\": \"cont\", \"id\": " + id + "}")).get("id"));
        assertEquals(QmpJson.parse(id), session.execute(QmpJson.parse("{\"execute\": \"nope\", \"id\": " + id + "}")).get("id"));
    }

    @Test
    void successAndErrorLinesAreQemusBytes() {
        negotiate();
        assertEquals("{\"return\": {}, \"id\": 1}", exec("{\"execute\": \"cont\", \"id\": 1}"));
        assertEquals("{\"return\": {}}", exec("{\"execute\": \"cont\"}"));
        assertEquals("{\"id\": 2, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been found\"}}",
                exec("{\"execute\": \"nope\", \"id\": 2}"));
        assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been found\"}}",
                exec("{\"execute\": \"nope\"}"));
    }

    @Test
    void engineErrorsKeepClassAndText() {
        negotiate();
        vm.failNext(new CapabilityException("Multifd is not compatible with compress"));
        assertEquals("{\"id\": \"c\", \"error\": {\"class\": \"GenericError\", \"desc\": \"Multifd is not compatible with compress\"}}",
                exec("{\"execute\": \"migrate-set-capabilities\", \"id\": \"c\", \"arguments\": {\"capabilities\": ["
                        + "{\"capability\": \"multifd\", \"state\": true}, {\"capability\": \"compress\", \"state\": true}]}}"));
        vm.failNext(new MigrationException(ErrorClass.DEVICE_NOT_FOUND, "Device 'x' not found"));
        assertEquals("{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'x' not found\"}}",
                exec("{\"execute\": \"stop\"}"));
        vm.failNext(new IllegalStateException("engine bug"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"engine bug\"}}", exec("{\"execute\": \"stop\"}"));
    }

    // ---- malformed requests -----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"execute\": \"cont\"}]", "\"cont\"", "42", "null", "true"})
    void inputMustBeAnObjectAndSuchErrorsHaveNoId(String request) {
        negotiate();
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}",
                exec(request));
    }

    @Test
    void structuralErrorsOfTheRequest() {
        negotiate();
        assertEquals("{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input lacks member 'execute'\"}}",
                exec("{\"id\": 1}"));
        assertEquals("{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'execute' must be a string\"}}",
                exec("{\"execute\": 1, \"id\": 1}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'arguments' must be an object\"}}",
                exec("{\"execute\": \"cont\", \"arguments\": []}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'argument' is unexpected\"}}",
                exec("{\"execute\": \"cont\", \"argument\": {}}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'x' is unexpected\"}}",
                exec("{\"execute\": \"cont\", \"arguments\": {\"x\": 1}}"));
        assertTrue(vm.calls.isEmpty(), vm.calls::toString);
    }

    @Test
    void execOobNeedsTheOobCapability() {
        negotiate();
        assertTrue(QmpSession.isOutOfBand(parse("{\"exec-oob\": \"migrate-pause\"}")));
        assertFalse(QmpSession.isOutOfBand(parse("{\"execute\": \"migrate-pause\"}")));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'exec-oob' is unexpected\"}}",
                exec("{\"exec-oob\": \"migrate-pause\"}"));
        assertTrue(vm.calls.isEmpty());
    }

    @Test
    void execOobRunsOnlyOobCommands() {
        exec("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}");
        assertEquals("{\"return\": {}, \"id\": \"p\"}", exec("{\"exec-oob\": \"migrate-pause\", \"id\": \"p\"}"));
        assertEquals("pause()", vm.lastCall());
        assertEquals("{\"return\": {}}", exec("{\"exec-oob\": \"migrate-recover\", \"arguments\": {\"uri\": \"tcp:0:4444\"}}"));
        assertEquals("recover(tcp:0:4444)", vm.lastCall());
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"The command query-status does not support OOB\"}}",
                exec("{\"exec-oob\": \"query-status\"}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'exec-oob' clashes with 'execute'\"}}",
                exec("{\"execute\": \"cont\", \"exec-oob\": \"cont\"}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'exec-oob' must be a string\"}}",
                exec("{\"exec-oob\": []}"));
    }

    @Test
    void parseErrorReply() {
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, bad token\"}}",
                QmpJson.write(QmpSession.parseError("bad token")));
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return QmpJson.parse(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }
}
