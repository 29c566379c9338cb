package dev.tern.qmp.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class QmpJsonTest {

    @Test
    void greetingPrintsInQemuOrder() {
        ObjectNode qemu = QmpJson.object();
        qemu.put("major", 7).put("minor", 2).put("micro", 0);
        ObjectNode version = QmpJson.object();
        version.set("qemu", qemu);
        version.put("package", "tern-1");
        ObjectNode body = QmpJson.object();
        body.set("version", version);
        body.set("capabilities", QmpJson.array().add("oob"));
        ObjectNode greeting = QmpJson.object();
        greeting.set("QMP", body);
        assertEquals("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                + "\"package\": \"tern-1\"}, \"capabilities\": [\"oob\"]}}", QmpJson.write(greeting));
    }

    @Test
    void reproducesARealQemuReplyByteForByte() throws JsonProcessingException {
        // A query-migrate reply QEMU printed (libvirt log in Launchpad bug 1585533), members given
        // here in schema order; two numbers changed so the old "%f" and 7.2's "%.17g" agree.
        String real = "{\"return\": {\"expected-downtime\": 1, \"xbzrle-cache\": {\"bytes\": 0, \"cache-size\": 67108864, "
                + "\"cache-miss-rate\": 0, \"pages\": 0, \"overflow\": 0, \"cache-miss\": 8933}, \"status\": \"active\", "
                + "\"disk\": {\"total\": 429496729600, \"dirty-sync-count\": 0, \"remaining\": 193896382464, \"mbps\": 0, "
                + "\"transferred\": 235600347136, \"duplicate\": 0, \"dirty-pages-rate\": 0, \"skipped\": 0, "
                + "\"normal-bytes\": 0, \"normal\": 0}, \"setup-time\": 13, \"total-time\": 1543124, \"ram\": {\"total\": "
                + "8599183360, \"dirty-sync-count\": 4, \"remaining\": 30695424, \"mbps\": 830.5, \"transferred\": "
                + "3100448901, \"duplicate\": 1358341, \"dirty-pages-rate\": 7, \"skipped\": 0, \"normal-bytes\": "
                + "3082199040, \"normal\": 752490}}, \"id\": \"libvirt-186200\"}";
        String schemaOrder = "{\"return\": {\"status\": \"active\", "
                + "\"ram\": {\"transferred\": 3100448901, \"remaining\": 30695424, \"total\": 8599183360, \"duplicate\": 1358341, "
                + "\"skipped\": 0, \"normal\": 752490, \"normal-bytes\": 3082199040, \"dirty-pages-rate\": 7, \"mbps\": 830.5, "
                + "\"dirty-sync-count\": 4}, "
                + "\"disk\": {\"transferred\": 235600347136, \"remaining\": 193896382464, \"total\": 429496729600, "
                + "\"duplicate\": 0, \"skipped\": 0, \"normal\": 0, \"normal-bytes\": 0, \"dirty-pages-rate\": 0, \"mbps\": 0.0, "
                + "\"dirty-sync-count\": 0}, "
                + "\"xbzrle-cache\": {\"cache-size\": 67108864, \"bytes\": 0, \"pages\": 0, \"cache-miss\": 8933, "
                + "\"cache-miss-rate\": 0.0, \"overflow\": 0}, "
                + "\"total-time\": 1543124, \"expected-downtime\": 1, \"setup-time\": 13}, \"id\": \"libvirt-186200\"}";
        assertEquals(real, QmpJson.write(QmpJson.parse(schemaOrder)));
    }

    @Test
    void eventMembersPrintTimestampFirst() throws JsonProcessingException {
        JsonNode event = QmpJson.parse("{\"event\": \"MIGRATION\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
                + "\"data\": {\"status\": \"setup\"}}");
        assertEquals("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"MIGRATION\", "
                + "\"data\": {\"status\": \"setup\"}}", QmpJson.write(event));
    }

    @Test
    void sameBucketPrintsNewestFirst() {
        // "minor" and "micro" share bucket 225 ("major" is in 481)
        assertEquals(225, QDictOrder.bucket("minor"));
        assertEquals(225, QDictOrder.bucket("micro"));
        assertEquals(481, QDictOrder.bucket("major"));
        assertEquals("{\"micro\": 2, \"minor\": 1}", QmpJson.write(QmpJson.object().put("minor", 1).put("micro", 2)));
        assertEquals("{\"minor\": 1, \"micro\": 2}", QmpJson.write(QmpJson.object().put("micro", 2).put("minor", 1)));
    }

    @Test
    void emptyContainersAndScalars() throws JsonProcessingException {
        assertEquals("{}", QmpJson.write(QmpJson.object()));
        assertEquals("[]", QmpJson.write(QmpJson.array()));
        assertEquals("[true, false, null, -1, \"x\"]", QmpJson.write(QmpJson.parse("[true,false,null,-1,\"x\"]")));
    }

    @Test
    void escapesLikeQemuQuotedStr() {
        String s = "a\"b\\c\b\f\n\r\t\u0001\u007f\u00e9\u20ac\ud83d\ude00/";
        assertEquals("\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u007F\\u00E9\\u20AC\\uD83D\\uDE00/\"",
                QmpJson.write(QmpJson.nodes().textNode(s)));
    }

    @Test
    void numbersPrintAsQemuDoes() {
        assertEquals("18446744073709551615",
                QmpJson.write(QmpJson.nodes().numberNode(new BigInteger("18446744073709551615"))));
        assertEquals("-9223372036854775808", QmpJson.write(QmpJson.nodes().numberNode(Long.MIN_VALUE)));
        // wider than any QEMU integer: it became a double when QEMU parsed it
        assertEquals("1.8446744073709552e+19",
                QmpJson.write(QmpJson.nodes().numberNode(new BigInteger("18446744073709551616"))));
        assertEquals("0.10000000000000001", QmpJson.write(QmpJson.nodes().numberNode(0.1)));
        assertEquals("0", QmpJson.write(QmpJson.nodes().numberNode(0.0)));
        assertEquals("0", QmpJson.write(QmpJson.nodes().numberNode(Double.NaN)));
    }

    @Test
    void acceptsSingleQuotesLikeQemu() throws JsonProcessingException {
        assertEquals("qmp_capabilities", QmpJson.parse("{'execute': 'qmp_capabilities'}").get("execute").asText());
    }

    @Test
    void rejectsDuplicateMembers() {
        assertThrows(JsonProcessingException.class, () -> QmpJson.parse("{\"a\": 1, \"a\": 2}"));
    }

    @Test
    void parseTakesExactlyOneValue() {
        assertThrows(JsonProcessingException.class, () -> QmpJson.parse("{} {}"));
    }

    @Test
    void streamsValuesThatShareALineOrSpanLines() throws Exception {
        JsonParser p = QmpJson.parser(new StringReader("{\"a\": 1}{\"b\":\n 2}\n  [3]"));
        assertEquals(1, QmpJson.readValue(p).get("a").asInt());
        assertEquals(2, QmpJson.readValue(p).get("b").asInt());
        assertTrue(QmpJson.readValue(p).isArray());
        assertNull(QmpJson.readValue(p));
    }
}
