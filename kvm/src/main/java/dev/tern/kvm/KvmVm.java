package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A KVM virtual machine: the descriptor {@code KVM_CREATE_VM} returned, and the memory slots
 * registered on it.
 *
 * <p>Thread-safe, except that {@link #close()} must not run while another thread is inside a
 * call on this VM or one of its slots.
 */
public final class KvmVm implements AutoCloseable {
    /** Slot ids are 16 bits; the upper half of KVM's {@code slot} field selects an address space. */
    private static final int MAX_SLOT_ID = 0xFFFF;

    private final FileDescriptor fd;
    private final int vcpuMmapSize;
    // Guarded by this: the slots registered and not yet closed, by slot id.
    private final Map<Integer, MemorySlot> slots = new TreeMap<>();
    // Guarded by this: the vCPUs created and not yet closed, by id.
    private final Map<Integer, KvmVcpu> vcpus = new TreeMap<>();

    KvmVm(FileDescriptor fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /**
     * {@code KVM_CREATE_VCPU}: creates vCPU {@code id} and maps its {@code kvm_run} area. The
     * vCPU starts in the architectural reset state (real mode at {@code 0xFFFF0}) and does not
     * run until {@link KvmVcpu#start()}.
     *
     * @param id the vCPU id (its APIC id on x86), not in use on this VM
     * @param io the devices the guest reaches through port I/O and MMIO
     * @return the vCPU
     * @throws IllegalArgumentException if the id is in use or negative
     * @throws KvmException if the ioctl or the mapping fails
     */
    public synchronized KvmVcpu createVcpu(int id, VcpuIoHandler io) {
        int vmFd = fd.get();
        if (id < 0) {
            throw new IllegalArgumentException("vCPU id must not be negative: " + id);
        }
        if (vcpus.containsKey(id)) {
            throw new IllegalArgumentException("vCPU " + id + " already exists");
        }
        // The id is passed by value; the descriptor returned is owned by the vCPU from here on.
        FileDescriptor vcpuFd = new FileDescriptor(Ioctl.call(vmFd, KvmIoctls.KVM_CREATE_VCPU, id), "vCPU " + id);
        KvmVcpu vcpu;
        try {
            vcpu = new KvmVcpu(this, id, vcpuFd, vcpuMmapSize, Objects.requireNonNull(io, "io"));
        } catch (RuntimeException e) {
            vcpuFd.close();
            throw e;
        }
        // Dirty tracking: a ring VM maps each new vCPU's ring and lets it harvest on ring-full.
        if (dirtyTracker instanceof RingDirtyTracker ring) {
            try {
                ring.attach(id, vcpuFd.get());
            } catch (RuntimeException e) {
                vcpu.close();
                throw e;
            }
            vcpu.dirtyRing(ring);
        }
        vcpus.put(id, vcpu);
        return vcpu;
    }

    /**
     * The vCPUs created and not yet closed.
     *
     * @return the vCPUs in id order, a snapshot
     */
    public synchronized List<KvmVcpu> vcpus() {
        return List.copyOf(vcpus.values());
    }

    /**
     * {@code KVM_SET_TSS_ADDR}: where, in guest physical memory outside every slot, Intel's
     * KVM keeps the three pages of the TSS it needs to run real-mode code without
     * unrestricted-guest support. QEMU uses {@code 0xFFFBD000}. Without effect on AMD.
     *
     * @param address a guest physical address below 4 GiB
     * @throws KvmException if the ioctl fails
     */
    public void setTssAddr(long address) {
        // The address is passed by value: no memory is shared with the kernel.
        Ioctl.call(fd.get(), KvmIoctls.KVM_SET_TSS_ADDR, address);
    }

    /**
     * {@code KVM_SET_IDENTITY_MAP_ADDR}: where Intel's KVM keeps the identity-mapping page
     * table it needs to run a guest with paging off under EPT; must come before the first vCPU.
     * QEMU uses {@code 0xFEFFC000}. Without effect on AMD.
     *
     * @param address a page-aligned guest physical address outside every slot
     * @throws KvmException if the ioctl fails ({@code EEXIST} once a vCPU exists)
     */
    public void setIdentityMapAddr(long address) {
        // The kernel reads the u64 during the call only.
        try (Arena scratch = Arena.ofConfined()) {
            Ioctl.call(fd.get(), KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR,
                    scratch.allocateFrom(JAVA_LONG, address));
        }
    }

    /**
     * {@code KVM_CHECK_EXTENSION} on the VM descriptor, which answers for this VM where the
     * answer can differ per VM (needs {@link KvmCapabilities#CHECK_EXTENSION_VM}).
     *
     * @param capability a {@code KVM_CAP_*} number, see {@link KvmCapabilities}
     * @return 0 if unsupported, otherwise a positive capability-specific value
     * @throws KvmException if the ioctl fails
     */
    public int checkExtension(int capability) {
        return Ioctl.call(fd.get(), KvmIoctls.KVM_CHECK_EXTENSION, capability);
    }

    /**
     * Whether {@link #checkExtension(int)} reports the capability.
     *
     * @param capability a {@code KVM_CAP_*} number
     * @return true if the value is positive
     * @throws KvmException if the ioctl fails
     */
    public boolean hasExtension(int capability) {
        return checkExtension(capability) > 0;
    }

    /**
     * Allocates {@code size} bytes of guest RAM (a private anonymous mapping, zero-filled, as QEMU's) and
     * registers it with {@code KVM_SET_USER_MEMORY_REGION} as slot {@code slot} at guest
     * physical address {@code guestPhysAddr}.
     *
     * @param slot the slot id, 0 to 65535, not in use on this VM
     * @param guestPhysAddr where the guest sees the memory, page-aligned
     * @param size the size in bytes, a positive multiple of the page size
     * @param logDirtyPages whether KVM tracks writes from the guest from the start
     *     ({@code KVM_MEM_LOG_DIRTY_PAGES}); see {@link MemorySlot#setDirtyLogging(boolean)}
     * @return the slot, which owns the mapping
     * @throws IllegalArgumentException if the id is taken or out of range, or an address or
     *     size is not page-aligned
     * @throws KvmException if the mapping or the registration fails (for example
     *     {@code EEXIST} when the range overlaps another slot)
     */
    public synchronized MemorySlot createMemorySlot(int slot, long guestPhysAddr, long size, boolean logDirtyPages) {
        int vmFd = checkNewSlot(slot, guestPhysAddr, size);
        MemorySlot created = MemorySlot.create(this, vmFd, slot, guestPhysAddr, size, logDirtyPages);
        slots.put(slot, created);
        return created;
    }

    // ---- File-backed slots (added for KvmGuest) ----

    /**
     * As {@link #createMemorySlot(int, long, long, boolean)}, but the RAM is a shared mapping of
     * the first {@code size} bytes of {@code file} (QEMU's {@code memory-backend-file} or
     * {@code memory-backend-memfd} with {@code share=on}): a byte the guest writes is that byte
     * of the file, so the file can be read, or sent with {@code sendfile}, instead of the memory.
     *
     * @param slot the slot id, 0 to 65535, not in use on this VM
     * @param guestPhysAddr where the guest sees the memory, page-aligned
     * @param size the size in bytes, a positive multiple of the page size; the file must be at
     *     least this long (a tmpfs or hugetlbfs file, or any file whose pages may be shared)
     * @param logDirtyPages whether KVM tracks writes from the guest from the start
     * @param file the file, opened read-write only for the mapping
     * @return the slot, which owns the mapping (the file stays the caller's)
     * @throws IllegalArgumentException as {@link #createMemorySlot(int, long, long, boolean)}
     * @throws KvmException if the file cannot be opened, or the mapping or registration fails
     */
    public synchronized MemorySlot createFileMemorySlot(int slot, long guestPhysAddr, long size,
            boolean logDirtyPages, java.nio.file.Path file) {
        int vmFd = checkNewSlot(slot, guestPhysAddr, size);
        int fileFd = Syscalls.open(file.toString(), Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
        if (fileFd < 0) {
            throw KvmException.call("open " + file, -fileFd);
        }
        MemorySlot created;
        try {
            created = MemorySlot.create(this, vmFd, slot, guestPhysAddr, size, logDirtyPages, fileFd);
        } finally {
            // The mapping holds the file from here on.
            Syscalls.close(fileFd);
        }
        slots.put(slot, created);
        return created;
    }

    // ---- end of file-backed slots ----

    /** Checks a new slot's id and geometry; returns the VM descriptor. Holds the monitor. */
    private int checkNewSlot(int slot, long guestPhysAddr, long size) {
        int vmFd = fd.get();
        if (slot < 0 || slot > MAX_SLOT_ID) {
            throw new IllegalArgumentException("memory slot id must be 0 to " + MAX_SLOT_ID + ": " + slot);
        }
        if (slots.containsKey(slot)) {
            throw new IllegalArgumentException("memory slot " + slot + " is already in use");
        }
        long page = Syscalls.pageSize();
        if (size <= 0 || size % page != 0) {
            throw new IllegalArgumentException("memory slot size must be a positive multiple of " + page + ": " + size);
        }
        if (guestPhysAddr < 0 || guestPhysAddr % page != 0) {
            throw new IllegalArgumentException("guest physical address must be a multiple of " + page + ": 0x"
                    + Long.toHexString(guestPhysAddr));
        }
        return vmFd;
    }

    /**
     * The memory slots registered and not yet closed.
     *
     * @return the slots in id order, a snapshot
     */
    public synchronized List<MemorySlot> memorySlots() {
        return List.copyOf(slots.values());
    }

    // ---- Dirty tracking ----

    // Guarded by this: the VM's dirty tracker; a VM keeps the first one for its life, as the
    // capabilities a tracker enables cannot be turned off again.
    private KvmDirtyTracker dirtyTracker;

    /**
     * Records {@code tracker} as this VM's dirty tracker, then runs {@code enable} (which turns
     * on the capability the tracker needs); if {@code enable} fails the VM has no tracker again.
     *
     * @throws IllegalStateException if the VM already has one, or is closed
     */
    synchronized void attachDirtyTracker(KvmDirtyTracker tracker, Runnable enable) {
        fd.get();
        if (dirtyTracker != null) {
            throw new IllegalStateException("the VM already has a " + dirtyTracker.mode() + " dirty tracker");
        }
        if (tracker instanceof RingDirtyTracker && !vcpus.isEmpty()) {
            throw new IllegalStateException("the dirty ring must be enabled before the VM's first vCPU");
        }
        dirtyTracker = tracker;
        try {
            enable.run();
        } catch (RuntimeException e) {
            dirtyTracker = null;
            throw e;
        }
    }

    /**
     * {@code KVM_ENABLE_CAP} on the VM descriptor with {@code args[0] = arg0}, the shape of
     * {@code KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2} and {@code KVM_CAP_DIRTY_LOG_RING}.
     *
     * @throws KvmException if the kernel refuses
     */
    void enableCap(int capability, long arg0) {
        // The kernel copies the 104 bytes in during the ioctl; allocate() sizes them by the
        // layout and zeroes flags, the other arguments and the padding, as the kernel requires.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment cap = scratch.allocate(KvmStructs.ENABLE_CAP);
            KvmStructs.ENABLE_CAP_CAP.set(cap, 0L, capability);
            cap.set(JAVA_LONG, KvmStructs.ENABLE_CAP_ARG0, arg0);
            Ioctl.call(fd.get(), KvmIoctls.KVM_ENABLE_CAP, cap);
        }
    }

    /**
     * Turns {@code KVM_MEM_LOG_DIRTY_PAGES} on or off for every slot.
     *
     * @throws KvmException if an ioctl fails
     */
    synchronized void setDirtyLoggingOnAllSlots(boolean enabled) {
        for (MemorySlot slot : slots.values()) {
            slot.setDirtyLogging(enabled);
        }
    }

    /**
     * The slot registered under {@code id}, for translating a dirty-ring entry.
     *
     * @return the slot, or null
     */
    synchronized MemorySlot slotById(int id) {
        return slots.get(id);
    }

    // ---- end of dirty tracking ----

    /**
     * The VM descriptor, for the slots' ioctls.
     *
     * @throws IllegalStateException if the VM is closed
     */
    int fd() {
        return fd.get();
    }

    /** Called by a slot that has closed itself. */
    synchronized void forget(MemorySlot slot) {
        slots.remove(slot.slot(), slot);
    }

    /** Called by a vCPU that has closed itself. */
    synchronized void forget(KvmVcpu vcpu) {
        vcpus.remove(vcpu.id(), vcpu);
    }

    /**
     * Closes every vCPU still open (stopping its thread), then every slot still open
     * (unregistering and unmapping its memory), then the VM descriptor, which lets the kernel
     * destroy the VM. Idempotent.
     *
     * @throws KvmException if a vCPU, a slot or the descriptor fails to close; the rest are still closed
     */
    @Override
    public void close() {
        List<KvmVcpu> open;
        synchronized (this) {
            if (fd.isClosed()) {
                return;
            }
            open = new ArrayList<>(vcpus.values());
        }
        RuntimeException failure = null;
        // Outside the monitor: a vCPU's close waits for its thread, which may be in an I/O
        // handler that calls into this VM.
        for (KvmVcpu vcpu : open) {
            try {
                vcpu.close();
            } catch (RuntimeException e) {
                failure = addTo(failure, e);
            }
        }
        synchronized (this) {
            failure = closeSlotsAndVm(failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private RuntimeException closeSlotsAndVm(RuntimeException earlier) {
        if (fd.isClosed()) {
            return earlier;
        }
        RuntimeException failure = earlier;
        // Copied: each slot removes itself from the map as it closes.
        for (MemorySlot slot : new ArrayList<>(slots.values())) {
            try {
                slot.close();
            } catch (RuntimeException e) {
                failure = addTo(failure, e);
            }
        }
        try {
            fd.close();
        } catch (RuntimeException e) {
            failure = addTo(failure, e);
        }
        return failure;
    }

    private static RuntimeException addTo(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
