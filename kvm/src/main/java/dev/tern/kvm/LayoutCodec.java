package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * Writes a kernel struct field by field, big-endian as vmstate is, and reads it back: each
 * byte, short, int and long of the layout in declaration order (arrays element by element),
 * padding left out. The stream format of a struct is therefore its layout in
 * {@link KvmStructs}, independent of the host's byte order and of the kernel's padding.
 *
 * <p>The struct itself is in native byte order in a segment of the layout's size (a heap
 * segment works: access is unaligned).
 */
final class LayoutCodec {
    private LayoutCodec() {
    }

    /**
     * The number of bytes {@link #write} emits for a layout.
     *
     * @param layout a struct of values, sequences and padding
     * @return the payload size
     */
    static long encodedSize(MemoryLayout layout) {
        return switch (layout) {
            case PaddingLayout p -> 0;
            case StructLayout s -> s.memberLayouts().stream().mapToLong(LayoutCodec::encodedSize).sum();
            case SequenceLayout q -> q.elementCount() * encodedSize(q.elementLayout());
            case ValueLayout v -> v.byteSize();
            default -> throw unsupported(layout);
        };
    }

    /**
     * Writes the fields of {@code struct}.
     *
     * @param layout the struct's layout
     * @param struct the struct, {@code layout.byteSize()} bytes in native order
     * @param out where the big-endian fields go
     * @throws IOException if {@code out} fails
     */
    static void write(MemoryLayout layout, MemorySegment struct, DataOutput out) throws IOException {
        write(layout, struct, 0, out);
    }

    /**
     * Reads fields written by {@link #write} into {@code struct}; padding is left as it was.
     *
     * @param layout the struct's layout
     * @param struct the struct to fill, {@code layout.byteSize()} bytes
     * @param in the big-endian fields
     * @throws IOException if {@code in} fails or ends early
     */
    static void read(MemoryLayout layout, MemorySegment struct, DataInput in) throws IOException {
        read(layout, struct, 0, in);
    }

    private static void write(MemoryLayout layout, MemorySegment struct, long offset, DataOutput out)
            throws IOException {
        switch (layout) {
            case PaddingLayout p -> {
            }
            case StructLayout s -> {
                long member = offset;
                for (MemoryLayout m : s.memberLayouts()) {
                    write(m, struct, member, out);
                    member += m.byteSize();
                }
            }
            case SequenceLayout q -> {
                MemoryLayout element = q.elementLayout();
                for (long i = 0; i < q.elementCount(); i++) {
                    write(element, struct, offset + i * element.byteSize(), out);
                }
            }
            case ValueLayout.OfByte b -> out.writeByte(struct.get(JAVA_BYTE, offset));
            case ValueLayout.OfShort s -> out.writeShort(struct.get(JAVA_SHORT_UNALIGNED, offset));
            case ValueLayout.OfInt i -> out.writeInt(struct.get(JAVA_INT_UNALIGNED, offset));
            case ValueLayout.OfLong l -> out.writeLong(struct.get(JAVA_LONG_UNALIGNED, offset));
            default -> throw unsupported(layout);
        }
    }

    private static void read(MemoryLayout layout, MemorySegment struct, long offset, DataInput in)
            throws IOException {
        switch (layout) {
            case PaddingLayout p -> {
            }
            case StructLayout s -> {
                long member = offset;
                for (MemoryLayout m : s.memberLayouts()) {
                    read(m, struct, member, in);
                    member += m.byteSize();
                }
            }
            case SequenceLayout q -> {
                MemoryLayout element = q.elementLayout();
                for (long i = 0; i < q.elementCount(); i++) {
                    read(element, struct, offset + i * element.byteSize(), in);
                }
            }
            case ValueLayout.OfByte b -> struct.set(JAVA_BYTE, offset, in.readByte());
            case ValueLayout.OfShort s -> struct.set(JAVA_SHORT_UNALIGNED, offset, in.readShort());
            case ValueLayout.OfInt i -> struct.set(JAVA_INT_UNALIGNED, offset, in.readInt());
            case ValueLayout.OfLong l -> struct.set(JAVA_LONG_UNALIGNED, offset, in.readLong());
            default -> throw unsupported(layout);
        }
    }

    private static IllegalArgumentException unsupported(MemoryLayout layout) {
        return new IllegalArgumentException("cannot encode " + layout + ": only structs of integers, arrays and padding");
    }
}
