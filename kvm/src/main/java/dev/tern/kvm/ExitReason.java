package dev.tern.kvm;

/**
 * The {@code KVM_EXIT_*} numbers of {@code linux/kvm.h} that the run loop handles, and the
 * names of all of them (0 to 37), for messages.
 */
final class ExitReason {
    /** {@code KVM_EXIT_IO}: port I/O. */
    static final int IO = 2;
    /** {@code KVM_EXIT_HLT}: the guest executed {@code hlt} (no in-kernel local APIC). */
    static final int HLT = 5;
    /** {@code KVM_EXIT_MMIO}: an access to guest physical memory that no slot covers. */
    static final int MMIO = 6;
    /** {@code KVM_EXIT_SHUTDOWN}: a triple fault, or another shutdown condition. */
    static final int SHUTDOWN = 8;
    /** {@code KVM_EXIT_FAIL_ENTRY}: the hardware refused to enter the guest. */
    static final int FAIL_ENTRY = 9;
    /** {@code KVM_EXIT_INTR}: a signal interrupted {@code KVM_RUN}. */
    static final int INTR = 10;
    /** {@code KVM_EXIT_INTERNAL_ERROR}: KVM could not handle an exit (for example emulation failed). */
    static final int INTERNAL_ERROR = 17;

    /** {@code KVM_EXIT_DIRTY_RING_FULL}: the vCPU's dirty ring is full; harvest and reset it before running again. */
    static final int DIRTY_RING_FULL = 31;

    /** {@code KVM_EXIT_IO_IN}, {@code KVM_EXIT_IO_OUT}: {@code kvm_run.io.direction}. */
    static final int IO_OUT = 1;

    private static final String[] NAMES = {
        "KVM_EXIT_UNKNOWN", "KVM_EXIT_EXCEPTION", "KVM_EXIT_IO", "KVM_EXIT_HYPERCALL", "KVM_EXIT_DEBUG",
        "KVM_EXIT_HLT", "KVM_EXIT_MMIO", "KVM_EXIT_IRQ_WINDOW_OPEN", "KVM_EXIT_SHUTDOWN", "KVM_EXIT_FAIL_ENTRY",
        "KVM_EXIT_INTR", "KVM_EXIT_SET_TPR", "KVM_EXIT_TPR_ACCESS", "KVM_EXIT_S390_SIEIC", "KVM_EXIT_S390_RESET",
        "KVM_EXIT_DCR", "KVM_EXIT_NMI", "KVM_EXIT_INTERNAL_ERROR", "KVM_EXIT_OSI", "KVM_EXIT_PAPR_HCALL",
        "KVM_EXIT_S390_UCONTROL", "KVM_EXIT_WATCHDOG", "KVM_EXIT_S390_TSCH", "KVM_EXIT_EPR",
        "KVM_EXIT_SYSTEM_EVENT", "KVM_EXIT_S390_STSI", "KVM_EXIT_IOAPIC_EOI", "KVM_EXIT_HYPERV",
        "KVM_EXIT_ARM_NISV", "KVM_EXIT_X86_RDMSR", "KVM_EXIT_X86_WRMSR", "KVM_EXIT_DIRTY_RING_FULL",
        "KVM_EXIT_AP_RESET_HOLD", "KVM_EXIT_X86_BUS_LOCK", "KVM_EXIT_XEN", "KVM_EXIT_RISCV_SBI",
        "KVM_EXIT_RISCV_CSR", "KVM_EXIT_NOTIFY"
    };

    private static final String[] INTERNAL_ERRORS = {
        null, "KVM_INTERNAL_ERROR_EMULATION", "KVM_INTERNAL_ERROR_SIMUL_EX", "KVM_INTERNAL_ERROR_DELIVERY_EV",
        "KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON"
    };

    private ExitReason() {
    }

    /**
     * The name and number, for example {@code KVM_EXIT_SHUTDOWN (8)}.
     *
     * @param reason {@code kvm_run.exit_reason}
     * @return the description; {@code exit reason 99} for a number this table does not know
     */
    static String describe(int reason) {
        if (reason >= 0 && reason < NAMES.length) {
            return NAMES[reason] + " (" + reason + ")";
        }
        return "exit reason " + reason;
    }

    /**
     * The name and number of a {@code KVM_EXIT_INTERNAL_ERROR} suberror.
     *
     * @param suberror {@code kvm_run.internal.suberror}
     * @return for example {@code KVM_INTERNAL_ERROR_EMULATION (1)}
     */
    static String describeInternalError(int suberror) {
        if (suberror > 0 && suberror < INTERNAL_ERRORS.length) {
            return INTERNAL_ERRORS[suberror] + " (" + suberror + ")";
        }
        return "suberror " + suberror;
    }
}
