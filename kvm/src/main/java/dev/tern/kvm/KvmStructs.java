package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The layouts of the {@code linux/kvm.h} structs Tern passes to ioctls, with one
 * {@code VarHandle} per field (each takes the segment and a base offset of 0).
 */
final class KvmStructs {
    /**
     * {@code struct kvm_userspace_memory_region}, 32 bytes.
     *
     * <pre>
     *  0       4       8               16              24              32
     * +-------+-------+---------------+---------------+---------------+
     * | slot  | flags |guest_phys_addr|  memory_size  |userspace_addr |
     * +-------+-------+---------------+---------------+---------------+
     *   u32     u32         u64             u64             u64
     * </pre>
     */
    static final StructLayout USERSPACE_MEMORY_REGION = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"),
            JAVA_LONG.withName("userspace_addr"));

    static final VarHandle REGION_SLOT = field(USERSPACE_MEMORY_REGION, "slot");
    static final VarHandle REGION_FLAGS = field(USERSPACE_MEMORY_REGION, "flags");
    static final VarHandle REGION_GUEST_PHYS_ADDR = field(USERSPACE_MEMORY_REGION, "guest_phys_addr");
    static final VarHandle REGION_MEMORY_SIZE = field(USERSPACE_MEMORY_REGION, "memory_size");
    static final VarHandle REGION_USERSPACE_ADDR = field(USERSPACE_MEMORY_REGION, "userspace_addr");

    /**
     * {@code struct kvm_dirty_log}, 16 bytes; the bitmap pointer shares a union with a
     * {@code __u64} pad, so it is 8 bytes wide on every ABI.
     *
     * <pre>
     *  0       4       8               16
     * +-------+-------+---------------+
     * | slot  | pad   | dirty_bitmap  |
     * +-------+-------+---------------+
     *   u32     u32     void * / u64
     * </pre>
     */
    static final StructLayout DIRTY_LOG = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"),
            JAVA_INT.withName("padding1"),
            ADDRESS.withName("dirty_bitmap"));

    static final VarHandle DIRTY_LOG_SLOT = field(DIRTY_LOG, "slot");
    static final VarHandle DIRTY_LOG_BITMAP = field(DIRTY_LOG, "dirty_bitmap");

    /**
     * {@code struct kvm_clear_dirty_log}, 24 bytes: slot, num_pages, first_page, then the
     * bitmap pointer (in a union with a {@code __u64} pad).
     */
    static final StructLayout CLEAR_DIRTY_LOG = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"),
            JAVA_INT.withName("num_pages"),
            JAVA_LONG.withName("first_page"),
            ADDRESS.withName("dirty_bitmap"));

    static final VarHandle CLEAR_DIRTY_LOG_SLOT = field(CLEAR_DIRTY_LOG, "slot");
    static final VarHandle CLEAR_DIRTY_LOG_NUM_PAGES = field(CLEAR_DIRTY_LOG, "num_pages");
    static final VarHandle CLEAR_DIRTY_LOG_FIRST_PAGE = field(CLEAR_DIRTY_LOG, "first_page");
    static final VarHandle CLEAR_DIRTY_LOG_BITMAP = field(CLEAR_DIRTY_LOG, "dirty_bitmap");

    // ---- Dirty tracking (manual clear, dirty ring) ----

    /**
     * {@code struct kvm_enable_cap}, 104 bytes: the capability, flags (0), four arguments and
     * 64 bytes of padding the kernel reserves.
     */
    static final StructLayout ENABLE_CAP = MemoryLayout.structLayout(
            JAVA_INT.withName("cap"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("args"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("pad"));

    static final VarHandle ENABLE_CAP_CAP = field(ENABLE_CAP, "cap");
    /** {@code args[0]}, the only argument the dirty-log capabilities take. */
    static final long ENABLE_CAP_ARG0 = ENABLE_CAP.byteOffset(PathElement.groupElement("args"));

    /**
     * {@code struct kvm_dirty_gfn}, 16 bytes: one entry of a vCPU's dirty ring.
     *
     * <pre>
     *  0       4       8               16
     * +-------+-------+---------------+
     * | flags | slot  |    offset     |
     * +-------+-------+---------------+
     *   u32     u32         u64
     * </pre>
     *
     * {@code slot} is the address space in bits 16-31 and the slot id in bits 0-15;
     * {@code offset} is the page index within the slot.
     */
    static final StructLayout DIRTY_GFN = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("slot"),
            JAVA_LONG.withName("offset"));

    static final long DIRTY_GFN_FLAGS = DIRTY_GFN.byteOffset(PathElement.groupElement("flags"));
    static final long DIRTY_GFN_SLOT = DIRTY_GFN.byteOffset(PathElement.groupElement("slot"));
    static final long DIRTY_GFN_OFFSET = DIRTY_GFN.byteOffset(PathElement.groupElement("offset"));

    // ---- end of dirty tracking ----
    /**
     * {@code struct kvm_run}, the area shared with the kernel at offset 0 of a vCPU descriptor,
     * 2352 bytes on x86-64. The exit information is a union; only the members Tern reads are
     * spelled out, each padded to the union's 256 bytes.
     *
     * <pre>
     *  0    1    2          8            12   13   14     16     24         32          288        296        304
     * +----+----+----------+------------+----+----+------+------+----------+-----------+----------+----------+--------+
     * |req |imm |  pad     |exit_reason |rfii|if  |flags | cr8  |apic_base | exit union|valid_regs|dirty_regs|s (2048)|
     * +----+----+----------+------------+----+----+------+------+----------+-----------+----------+----------+--------+
     * </pre>
     */
    static final StructLayout KVM_RUN = MemoryLayout.structLayout(
            JAVA_BYTE.withName("request_interrupt_window"),
            JAVA_BYTE.withName("immediate_exit"),
            MemoryLayout.paddingLayout(6),
            JAVA_INT.withName("exit_reason"),
            JAVA_BYTE.withName("ready_for_interrupt_injection"),
            JAVA_BYTE.withName("if_flag"),
            JAVA_SHORT.withName("flags"),
            JAVA_LONG.withName("cr8"),
            JAVA_LONG.withName("apic_base"),
            MemoryLayout.unionLayout(
                    // KVM_EXIT_IO
                    MemoryLayout.structLayout(
                            JAVA_BYTE.withName("direction"),
                            JAVA_BYTE.withName("size"),
                            JAVA_SHORT.withName("port"),
                            JAVA_INT.withName("count"),
                            JAVA_LONG.withName("data_offset"),
                            MemoryLayout.paddingLayout(240)).withName("io"),
                    // KVM_EXIT_MMIO
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("phys_addr"),
                            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("data"),
                            JAVA_INT.withName("len"),
                            JAVA_BYTE.withName("is_write"),
                            MemoryLayout.paddingLayout(235)).withName("mmio"),
                    // KVM_EXIT_FAIL_ENTRY
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("hardware_entry_failure_reason"),
                            JAVA_INT.withName("cpu"),
                            MemoryLayout.paddingLayout(244)).withName("fail_entry"),
                    // KVM_EXIT_INTERNAL_ERROR
                    MemoryLayout.structLayout(
                            JAVA_INT.withName("suberror"),
                            JAVA_INT.withName("ndata"),
                            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("data"),
                            MemoryLayout.paddingLayout(120)).withName("internal"),
                    MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("padding")).withName("exit"),
            JAVA_LONG.withName("kvm_valid_regs"),
            JAVA_LONG.withName("kvm_dirty_regs"),
            MemoryLayout.sequenceLayout(2048, JAVA_BYTE).withName("s"));

    static final long RUN_IMMEDIATE_EXIT = offset(KVM_RUN, "immediate_exit");
    static final long RUN_EXIT_REASON = offset(KVM_RUN, "exit_reason");
    static final long RUN_IO_DIRECTION = offset(KVM_RUN, "exit", "io", "direction");
    static final long RUN_IO_SIZE = offset(KVM_RUN, "exit", "io", "size");
    static final long RUN_IO_PORT = offset(KVM_RUN, "exit", "io", "port");
    static final long RUN_IO_COUNT = offset(KVM_RUN, "exit", "io", "count");
    static final long RUN_IO_DATA_OFFSET = offset(KVM_RUN, "exit", "io", "data_offset");
    static final long RUN_MMIO_PHYS_ADDR = offset(KVM_RUN, "exit", "mmio", "phys_addr");
    static final long RUN_MMIO_DATA = offset(KVM_RUN, "exit", "mmio", "data");
    static final long RUN_MMIO_LEN = offset(KVM_RUN, "exit", "mmio", "len");
    static final long RUN_MMIO_IS_WRITE = offset(KVM_RUN, "exit", "mmio", "is_write");
    static final long RUN_FAIL_ENTRY_REASON = offset(KVM_RUN, "exit", "fail_entry", "hardware_entry_failure_reason");
    static final long RUN_FAIL_ENTRY_CPU = offset(KVM_RUN, "exit", "fail_entry", "cpu");
    static final long RUN_INTERNAL_SUBERROR = offset(KVM_RUN, "exit", "internal", "suberror");
    static final long RUN_INTERNAL_NDATA = offset(KVM_RUN, "exit", "internal", "ndata");
    static final long RUN_INTERNAL_DATA = offset(KVM_RUN, "exit", "internal", "data");

    /**
     * {@code struct kvm_regs} on x86-64, 144 bytes: the general-purpose registers, RIP and
     * RFLAGS, each a {@code __u64}, in this order.
     */
    static final StructLayout REGS = MemoryLayout.structLayout(
            JAVA_LONG.withName("rax"), JAVA_LONG.withName("rbx"), JAVA_LONG.withName("rcx"), JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"), JAVA_LONG.withName("rdi"), JAVA_LONG.withName("rsp"), JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"), JAVA_LONG.withName("r9"), JAVA_LONG.withName("r10"), JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"), JAVA_LONG.withName("r13"), JAVA_LONG.withName("r14"), JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"), JAVA_LONG.withName("rflags"));

    /**
     * {@code struct kvm_segment}, 24 bytes: a segment register with its hidden part.
     *
     * <pre>
     *  0      8      12    14   15   16  17 18 19 20 21  22       23
     * +------+------+-----+----+----+---+--+--+--+--+---+--------+---+
     * | base |limit | sel |type|pres|dpl|db|s |l |g |avl|unusable|pad|
     * +------+------+-----+----+----+---+--+--+--+--+---+--------+---+
     * </pre>
     */
    static final StructLayout SEGMENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"),
            JAVA_INT.withName("limit"),
            JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"),
            JAVA_BYTE.withName("present"),
            JAVA_BYTE.withName("dpl"),
            JAVA_BYTE.withName("db"),
            JAVA_BYTE.withName("s"),
            JAVA_BYTE.withName("l"),
            JAVA_BYTE.withName("g"),
            JAVA_BYTE.withName("avl"),
            JAVA_BYTE.withName("unusable"),
            MemoryLayout.paddingLayout(1));

    /** {@code struct kvm_dtable}, 16 bytes: a descriptor table register (GDTR, IDTR). */
    static final StructLayout DTABLE = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"),
            JAVA_SHORT.withName("limit"),
            MemoryLayout.paddingLayout(6));

    /**
     * {@code struct kvm_sregs} on x86-64, 312 bytes: the segment registers, descriptor tables,
     * control registers, EFER, the APIC base and the bitmap of pending external interrupts.
     */
    static final StructLayout SREGS = MemoryLayout.structLayout(
            SEGMENT.withName("cs"), SEGMENT.withName("ds"), SEGMENT.withName("es"), SEGMENT.withName("fs"),
            SEGMENT.withName("gs"), SEGMENT.withName("ss"), SEGMENT.withName("tr"), SEGMENT.withName("ldt"),
            DTABLE.withName("gdt"), DTABLE.withName("idt"),
            JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"), JAVA_LONG.withName("cr3"), JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("efer"), JAVA_LONG.withName("apic_base"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap"));

    /**
     * {@code struct kvm_fpu} on x86-64, 416 bytes: the x87 registers and state, and the SSE
     * registers and MXCSR (the legacy FXSAVE area).
     */
    static final StructLayout FPU = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("fpr"),
            JAVA_SHORT.withName("fcw"),
            JAVA_SHORT.withName("fsw"),
            JAVA_BYTE.withName("ftwx"),
            MemoryLayout.paddingLayout(1),
            JAVA_SHORT.withName("last_opcode"),
            JAVA_LONG.withName("last_ip"),
            JAVA_LONG.withName("last_dp"),
            MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("xmm"),
            JAVA_INT.withName("mxcsr"),
            MemoryLayout.paddingLayout(4));

    /**
     * {@code struct kvm_vcpu_events} on x86-64, 64 bytes: the exception, interrupt and NMI being
     * delivered or pending, the interrupt shadow, SMM state, and which of them are valid
     * ({@code flags}). No padding: the header's {@code nmi.pad} and {@code reserved} are fields.
     */
    static final StructLayout VCPU_EVENTS = MemoryLayout.structLayout(
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("nr"), JAVA_BYTE.withName("has_error_code"),
                    JAVA_BYTE.withName("pending"), JAVA_INT.withName("error_code")).withName("exception"),
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("nr"), JAVA_BYTE.withName("soft"),
                    JAVA_BYTE.withName("shadow")).withName("interrupt"),
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("pending"), JAVA_BYTE.withName("masked"),
                    JAVA_BYTE.withName("pad")).withName("nmi"),
            JAVA_INT.withName("sipi_vector"),
            JAVA_INT.withName("flags"),
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("smm"), JAVA_BYTE.withName("pending"), JAVA_BYTE.withName("smm_inside_nmi"),
                    JAVA_BYTE.withName("latched_init")).withName("smi"),
            MemoryLayout.structLayout(JAVA_BYTE.withName("pending")).withName("triple_fault"),
            MemoryLayout.sequenceLayout(26, JAVA_BYTE).withName("reserved"),
            JAVA_BYTE.withName("exception_has_payload"),
            JAVA_LONG.withName("exception_payload"));

    /** {@code struct kvm_msrs}, 8 bytes: the count of the entries that follow it. */
    static final StructLayout MSRS = MemoryLayout.structLayout(
            JAVA_INT.withName("nmsrs"),
            MemoryLayout.paddingLayout(4));

    /** {@code struct kvm_msr_entry}, 16 bytes: an MSR index and its value. */
    static final StructLayout MSR_ENTRY = MemoryLayout.structLayout(
            JAVA_INT.withName("index"),
            JAVA_INT.withName("reserved"),
            JAVA_LONG.withName("data"));

    private KvmStructs() {
    }

    /**
     * The byte offset of a (possibly nested) field.
     *
     * @param layout the outer layout
     * @param names the group element names, outermost first
     * @return the offset from the start of {@code layout}
     */
    static long offset(MemoryLayout layout, String... names) {
        PathElement[] path = new PathElement[names.length];
        for (int i = 0; i < names.length; i++) {
            path[i] = PathElement.groupElement(names[i]);
        }
        return layout.byteOffset(path);
    }

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(PathElement.groupElement(name));
    }
}
