package dev.tern.qmp.codec;

/**
 * Where the decoder is in the input, for error messages: QEMU's {@code full_name_nth} spelling
 * ({@code block-bitmap-mapping[0].bitmaps[1].alias}) and the plain name the visitor was called
 * with (the member name, or {@code null} for a list element).
 */
final class InputPath {
    private static final InputPath ROOT = new InputPath(null, null, -1);

    private final InputPath parent;
    private final String member;
    private final int index;

    private InputPath(InputPath parent, String member, int index) {
        this.parent = parent;
        this.member = member;
        this.index = index;
    }

    /**
     * The top-level value (a command's arguments).
     *
     * @return the root path
     */
    static InputPath root() {
        return ROOT;
    }

    /**
     * A member of the object at this path.
     *
     * @param name the member name
     * @return the member's path
     */
    InputPath member(String name) {
        return new InputPath(this, name, -1);
    }

    /**
     * An element of the array at this path.
     *
     * @param i the element index
     * @return the element's path
     */
    InputPath element(int i) {
        return new InputPath(this, null, i);
    }

    /**
     * The full name, as QEMU reports wrong types and missing or unexpected members.
     *
     * @return for example {@code capabilities[0].state}; {@code <anonymous>} for the root
     */
    String fullName() {
        if (parent == null) {
            return "<anonymous>";
        }
        StringBuilder sb = new StringBuilder();
        append(sb);
        return sb.toString();
    }

    private void append(StringBuilder sb) {
        if (parent.parent != null) {
            parent.append(sb);
        }
        if (member != null) {
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(member);
        } else {
            sb.append('[').append(index).append(']');
        }
    }

    /**
     * The plain name, as QEMU reports range, enum and alternate errors.
     *
     * @return the member name, or {@code null} (the word) for a list element or the root
     */
    String plainName() {
        return member != null ? member : "null";
    }
}
