package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Puts a freshly created vCPU straight into 32-bit protected mode with flat 4 GiB segments,
 * paging off and no interrupts, at a given entry point: no BIOS and no real-mode start. The
 * hidden parts of the segment registers come from {@code KVM_SET_SREGS}, so no GDT is needed
 * in guest memory as long as the guest loads no segment register; the IDT limit is 0, so any
 * exception becomes a triple fault ({@code KVM_EXIT_SHUTDOWN}) instead of running garbage.
 * TR and LDT keep their reset values, which are valid for VM entry.
 */
final class FlatProtectedMode {
    /** CR0.PE: protected mode. */
    private static final long CR0_PE = 1;
    /** CR0.ET: 387 present; hard-wired to 1 on every x86-64 CPU. */
    private static final long CR0_ET = 1 << 4;
    /** RFLAGS bit 1 is reserved and always 1. */
    private static final long RFLAGS_RESERVED = 2;
    /** Code segment type: execute/read, accessed. */
    private static final byte CODE_TYPE = 0xB;
    /** Data segment type: read/write, accessed. */
    private static final byte DATA_TYPE = 0x3;
    private static final short CODE_SELECTOR = 0x08;
    private static final short DATA_SELECTOR = 0x10;

    private FlatProtectedMode() {
    }

    /**
     * Sets the vCPU's segment, control and general registers.
     *
     * @param vcpu a vCPU that is not running
     * @param entry the guest physical address of the first instruction
     */
    static void enter(KvmVcpu vcpu, long entry) {
        // Both structs are read and written by the kernel during the calls only; sized by layout.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment sregs = scratch.allocate(KvmStructs.SREGS);
            vcpu.registerIoctl(KvmIoctls.KVM_GET_SREGS, sregs);
            flat(sregs, "cs", CODE_SELECTOR, CODE_TYPE);
            for (String data : new String[] {"ds", "es", "fs", "gs", "ss"}) {
                flat(sregs, data, DATA_SELECTOR, DATA_TYPE);
            }
            sregs.set(JAVA_LONG, KvmStructs.offset(KvmStructs.SREGS, "idt", "base"), 0L);
            sregs.set(JAVA_SHORT, KvmStructs.offset(KvmStructs.SREGS, "idt", "limit"), (short) 0);
            long cr0 = KvmStructs.offset(KvmStructs.SREGS, "cr0");
            sregs.set(JAVA_LONG, cr0, CR0_PE | CR0_ET);
            vcpu.registerIoctl(KvmIoctls.KVM_SET_SREGS, sregs);

            MemorySegment regs = scratch.allocate(KvmStructs.REGS);
            regs.set(JAVA_LONG, KvmStructs.offset(KvmStructs.REGS, "rip"), entry);
            regs.set(JAVA_LONG, KvmStructs.offset(KvmStructs.REGS, "rflags"), RFLAGS_RESERVED);
            vcpu.registerIoctl(KvmIoctls.KVM_SET_REGS, regs);
        }
    }

    /** A present, 32-bit, page-granular segment from 0 to 4 GiB. */
    private static void flat(MemorySegment sregs, String segment, short selector, byte type) {
        long base = KvmStructs.offset(KvmStructs.SREGS, segment);
        sregs.set(JAVA_LONG, base + field("base"), 0L);
        sregs.set(JAVA_INT, base + field("limit"), 0xFFFF_FFFF);
        sregs.set(JAVA_SHORT, base + field("selector"), selector);
        sregs.set(JAVA_BYTE, base + field("type"), type);
        sregs.set(JAVA_BYTE, base + field("present"), (byte) 1);
        sregs.set(JAVA_BYTE, base + field("dpl"), (byte) 0);
        sregs.set(JAVA_BYTE, base + field("db"), (byte) 1);
        sregs.set(JAVA_BYTE, base + field("s"), (byte) 1);
        sregs.set(JAVA_BYTE, base + field("l"), (byte) 0);
        sregs.set(JAVA_BYTE, base + field("g"), (byte) 1);
        sregs.set(JAVA_BYTE, base + field("avl"), (byte) 0);
        sregs.set(JAVA_BYTE, base + field("unusable"), (byte) 0);
    }

    private static long field(String name) {
        return KvmStructs.offset(KvmStructs.SEGMENT, name);
    }
}
