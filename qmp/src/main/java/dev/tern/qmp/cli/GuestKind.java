package dev.tern.qmp.cli;

import java.util.Locale;

/** The {@code --guest} option: which guest the launcher hosts. */
enum GuestKind {
    /** Tern's reference guest: Java threads writing off-heap RAM; runs anywhere. */
    REFERENCE,
    /** A real KVM guest running QEMU's A-B sweep on vCPUs under {@code /dev/kvm}. */
    KVM,
    /** KVM where {@code /dev/kvm} is usable and the options allow it, the reference guest otherwise. */
    AUTO;

    /**
     * The option's value.
     *
     * @return {@code reference}, {@code kvm} or {@code auto}
     */
    String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses the option's value.
     *
     * @param text {@code reference}, {@code kvm} or {@code auto}
     * @return the kind
     * @throws IllegalArgumentException for any other text
     */
    static GuestKind parse(String text) {
        for (GuestKind kind : values()) {
            if (kind.optionName().equals(text)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("--guest takes reference, kvm or auto, not '" + text + "'");
    }
}
