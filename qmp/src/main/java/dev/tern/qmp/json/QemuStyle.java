package dev.tern.qmp.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import java.io.IOException;

/**
 * The punctuation and escaping of QEMU's compact JSON writer ({@code qobject/json-writer.c}):
 * {@code ", "} between members and elements, {@code ": "} after a member name, nothing inside
 * the brackets, and every character outside printable ASCII escaped as a backslash, {@code u} and
 * four upper-case hex digits.
 */
final class QemuStyle {
    private QemuStyle() {
    }

    /** Separators as QEMU prints them when not pretty-printing. */
    static final class Separators implements PrettyPrinter {
        /** Stateless: one instance per generator. */
        Separators() {
        }

        @Override
        public void writeRootValueSeparator(JsonGenerator gen) {
            // one value per call; the caller frames lines itself
        }

        @Override
        public void writeStartObject(JsonGenerator gen) throws IOException {
            gen.writeRaw('{');
        }

        @Override
        public void writeEndObject(JsonGenerator gen, int nrOfEntries) throws IOException {
            gen.writeRaw('}');
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(", ");
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(": ");
        }

        @Override
        public void writeStartArray(JsonGenerator gen) throws IOException {
            gen.writeRaw('[');
        }

        @Override
        public void writeEndArray(JsonGenerator gen, int nrOfValues) throws IOException {
            gen.writeRaw(']');
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(", ");
        }

        @Override
        public void beforeArrayValues(JsonGenerator gen) {
            // nothing between '[' and the first element
        }

        @Override
        public void beforeObjectEntries(JsonGenerator gen) {
            // nothing between '{' and the first member
        }
    }

    /**
     * JSON's standard escapes plus DEL: QEMU's {@code quoted_str} escapes every code point below
     * 0x20 or from 0x7F up; non-ASCII is handled by the generator's escape-non-ASCII feature.
     */
    static final class Escapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private static final int DEL = 0x7F;

        private final int[] ascii;

        /** JSON's standard ASCII escapes with DEL added. */
        Escapes() {
            int[] codes = standardAsciiEscapesForJSON();
            codes[DEL] = ESCAPE_STANDARD;
            this.ascii = codes;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii.clone();
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            // only standard escapes are requested above
            return null;
        }
    }
}
