package dev.tern.core.vm;

/** QEMU's identifier syntax ({@code id_wellformed}), shared by job ids and node aliases. */
public final class QemuId {
    private QemuId() {
    }

    /**
     * Whether {@code id} is a well-formed QEMU id: an ASCII letter, then ASCII letters, digits,
     * '-', '.' or '_'.
     *
     * @param id the candidate
     * @return true if well formed
     */
    public static boolean wellFormed(String id) {
        if (id.isEmpty() || !asciiLetter(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!asciiLetter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean asciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
