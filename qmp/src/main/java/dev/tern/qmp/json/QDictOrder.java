package dev.tern.qmp.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The order in which QEMU prints the members of a JSON object. QEMU keeps objects in a
 * {@code QDict}, a hash table of 512 buckets keyed by {@code tdb_hash} ({@code qobject/qdict.c});
 * its JSON writer walks the buckets in index order and each bucket's chain newest first. Output
 * therefore looks scrambled but is fully determined by the member names and, within a bucket,
 * by insertion order: the greeting prints {@code "micro", "minor", "major"}, an event
 * {@code "timestamp", "event", "data"}. Tern reproduces it so that its output is byte for byte
 * what QEMU prints.
 */
final class QDictOrder {
    /** {@code QDICT_BUCKET_MAX}. */
    static final int BUCKETS = 512;

    private QDictOrder() {
    }

    /**
     * The bucket QEMU puts a key in: {@code tdb_hash(key) % QDICT_BUCKET_MAX}.
     *
     * @param key the member name
     * @return the bucket, 0..511
     */
    static int bucket(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        // unsigned 32-bit arithmetic in C; Java's int wraps the same way.
        int value = 0x238F13AF * bytes.length;
        for (int i = 0; i < bytes.length; i++) {
            value += (bytes[i] & 0xFF) << (i * 5 % 24);
        }
        return Integer.remainderUnsigned(1103515243 * value + 12345, BUCKETS);
    }

    /**
     * The members of {@code object} in QEMU's print order, taking the object's own member order
     * as the order QEMU inserted them (schema order for QAPI structs).
     *
     * @param object the object
     * @return its members in print order
     */
    static List<Map.Entry<String, JsonNode>> members(ObjectNode object) {
        record Slot(Map.Entry<String, JsonNode> member, int bucket, int inserted) {
        }
        List<Slot> slots = new ArrayList<>(object.size());
        int inserted = 0;
        for (Map.Entry<String, JsonNode> member : object.properties()) {
            slots.add(new Slot(member, bucket(member.getKey()), inserted++));
        }
        // Within a bucket the newest entry is at the head of the chain (QLIST_INSERT_HEAD).
        slots.sort(Comparator.comparingInt(Slot::bucket).thenComparing(Slot::inserted, Comparator.reverseOrder()));
        List<Map.Entry<String, JsonNode>> ordered = new ArrayList<>(slots.size());
        for (Slot slot : slots) {
            ordered.add(slot.member());
        }
        return ordered;
    }
}
