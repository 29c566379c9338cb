package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

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

    private KvmStructs() {
    }

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(PathElement.groupElement(name));
    }
}
