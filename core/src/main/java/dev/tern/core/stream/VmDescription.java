package dev.tern.core.stream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The VMDESCRIPTION JSON sent after EOF (spec §8.1, QEMU's {@code vmdesc} built by
 * {@code vmstate_save_state_v}): only analysis tools read it; a destination discards it. The
 * text is written by hand in QEMU's {@code JSONWriter} spacing, e.g.
 * <pre>{"page_size": 4096, "devices": [{"name": "timer", "instance_id": 0, "vmsd_name": "timer", "version": 2,
 * "fields": [{"name": "cpu_ticks_offset", "type": "int64", "size": 8}, ...]}]}</pre>
 * Not thread-safe; one builder per completion.
 */
public final class VmDescription {
    private final long pageSize;
    private final List<Device> devices = new ArrayList<>();

    /**
     * One field of a device's state.
     *
     * @param name the field name
     * @param type the vmstate type name, e.g. {@code "int64"}, {@code "uint32"}, {@code "buffer"}
     * @param size the field's bytes
     */
    public record Field(String name, String type, long size) {
        /** Checks for nulls. */
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * One FULL section's description.
     *
     * @param name the section idstr
     * @param instanceId the instance id
     * @param vmsdName the vmstate name
     * @param version the version written
     * @param fields the fields in wire order
     */
    public record Device(String name, int instanceId, String vmsdName, int version, List<Field> fields) {
        /** Copies the fields. */
        public Device {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(vmsdName, "vmsdName");
            fields = List.copyOf(fields);
        }
    }

    /**
     * An empty description.
     *
     * @param pageSize the target page size reported as {@code page_size}
     */
    public VmDescription(long pageSize) {
        this.pageSize = pageSize;
    }

    /**
     * Adds a device, in the order its FULL section was written.
     *
     * @param device the description
     */
    public void add(Device device) {
        devices.add(Objects.requireNonNull(device, "device"));
    }

    /**
     * The devices added so far.
     *
     * @return an unmodifiable copy
     */
    public List<Device> devices() {
        return List.copyOf(devices);
    }

    /**
     * The JSON text.
     *
     * @return the description as QEMU formats it
     */
    public String toJson() {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"page_size\": ").append(pageSize).append(", \"devices\": [");
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            if (i > 0) {
                b.append(", ");
            }
            b.append("{\"name\": ");
            quote(b, d.name());
            b.append(", \"instance_id\": ").append(Integer.toUnsignedString(d.instanceId()));
            b.append(", \"vmsd_name\": ");
            quote(b, d.vmsdName());
            b.append(", \"version\": ").append(d.version()).append(", \"fields\": [");
            for (int j = 0; j < d.fields().size(); j++) {
                Field f = d.fields().get(j);
                if (j > 0) {
                    b.append(", ");
                }
                b.append("{\"name\": ");
                quote(b, f.name());
                b.append(", \"type\": ");
                quote(b, f.type());
                b.append(", \"size\": ").append(f.size()).append('}');
            }
            b.append("]}");
        }
        return b.append("]}").toString();
    }

    /**
     * Writes the VMDESCRIPTION record: type byte, be32 length, JSON bytes.
     *
     * @param out the stream, right after EOF
     */
    public void write(StreamWriter out) {
        byte[] json = toJson().getBytes(StandardCharsets.UTF_8);
        out.put8(StreamHeaderDescriptor.VMDESCRIPTION);
        out.put32(json.length);
        out.putBytes(json);
    }

    /** JSON string quoting as QEMU's {@code quoted_str}: short escapes, \\uXXXX for other controls and non-ASCII. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7F) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
