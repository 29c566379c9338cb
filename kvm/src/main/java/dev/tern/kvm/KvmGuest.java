package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.DirtyRing;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.VcpuControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A real KVM guest behind Tern's guest SPI: one memory slot of RAM from guest physical address 0
 * (the RAM block {@value #RAM_BLOCK}), vCPUs each running QEMU's A-B sweep
 * ({@link SweepGuestProgram}, spec 15.1) over its own share of the sweep range, a serial port
 * counting their pass marks, and a {@link KvmDirtyTracker} in one of KVM's three modes.
 *
 * <p>A source is built with {@link Builder#build()} and started with {@link #start()}; a
 * migration destination with {@link Builder#buildIncoming()}: the same machine with zeroed RAM
 * and its vCPUs created but not run, which the engine fills (RAM, the {@code "cpu"} sections,
 * the serial counters) and then resumes through {@link #vcpus()}, from where the source stopped.
 *
 * {@snippet :
 * try (KvmGuest source = KvmGuest.builder().ramSize(256L << 20).sweep(1L << 20, 200L << 20).build();
 *         MigrationControl vm = MigrationControl.create(source, StartMode.RUNNING)) {
 *     source.start();
 *     vm.migrate("tcp:127.0.0.1:4444");
 * }
 * }
 *
 * <p>Thread-safe. {@link #close()} stops the vCPU threads, unmaps the RAM and destroys the VM.
 */
public final class KvmGuest implements Guest, AutoCloseable {
    /** The machine type unless the builder sets another. */
    public static final String DEFAULT_MACHINE_TYPE = "tern-kvm-sweep";
    /** The RAM block's id string, as QEMU's PC RAM. */
    public static final String RAM_BLOCK = "pc.ram";
    /** The default sweep start: 1 MiB, above the code pages. */
    public static final long DEFAULT_SWEEP_START = 1L << 20;
    /** The most RAM a guest may have: the slot must end below the pages Intel's KVM keeps under 4 GiB. */
    public static final long MAX_RAM = 0xFE00_0000L;
    /** The most vCPUs a guest may have. */
    public static final int MAX_VCPUS = 64;

    private final String machineType;
    private final Optional<UUID> uuid;
    private final boolean incoming;
    private final List<SweepGuestProgram> programs;
    private final KvmVm vm;
    private final MemorySlot ram;
    // The file behind file-backed RAM, or null; closed after the VM has unmapped it.
    private RamFile ramFile;
    private final KvmDirtyTracker tracker;
    private final List<KvmVcpu> vcpus;
    private final SweepSerial serial;
    private final SlotRamBlock block;
    private final TrackerDirtyLog dirtyLog;
    private final KvmVcpuControl control;
    private final List<DeviceSection> devices;
    private final Object closeLock = new Object();
    private boolean closed;

    private KvmGuest(Builder b, boolean incoming) {
        this.machineType = b.machineType;
        this.uuid = Optional.ofNullable(b.uuid);
        this.incoming = incoming;
        long end = b.sweepEnd < 0 ? b.ramSize : b.sweepEnd;
        this.programs = programs(b.ramSize, b.vcpus, b.sweepStart, end);
        this.serial = new SweepSerial(b.vcpus);
        try (Kvm kvm = Kvm.open()) {
            // The VM outlives the device descriptor it was created from.
            this.vm = kvm.createVm();
        }
        KvmDirtyTracker created = null;
        try {
            vm.setTssAddr(SweepGuest.TSS_ADDRESS);
            vm.setIdentityMapAddr(SweepGuest.IDENTITY_MAP_ADDRESS);
            this.ramFile = b.ramDirectory == null ? null : createRamFile(b.ramDirectory, b.ramSize);
            this.ram = ramFile == null ? vm.createMemorySlot(0, 0, b.ramSize, false)
                    : vm.createFileMemorySlot(0, 0, b.ramSize, false, ramFile.path());
            DirtyTrackingMode mode = b.mode != null ? b.mode : defaultDirtyTracking(vm);
            // Before the first vCPU: a dirty ring cannot be enabled afterwards.
            created = KvmDirtyTracker.create(vm, mode);
            this.tracker = created;
            List<KvmVcpu> made = new ArrayList<>();
            for (int i = 0; i < b.vcpus; i++) {
                made.add(vm.createVcpu(i, serial.port(i)));
            }
            this.vcpus = List.copyOf(made);
            if (!incoming) {
                for (int i = 0; i < b.vcpus; i++) {
                    byte[] code = programs.get(i).code();
                    long at = codeAddress(i);
                    MemorySegment.copy(code, 0, ram.memory(), JAVA_BYTE, at, code.length);
                    FlatProtectedMode.enter(vcpus.get(i), at);
                }
            }
        } catch (RuntimeException e) {
            vm.close();
            closeRamFile();
            if (created != null) {
                // The rings mapped from the vCPUs created so far.
                created.close();
            }
            throw e;
        }
        if (ramFile != null) {
            // The mapping and the channel hold the file now: nothing is left behind on disk.
            ramFile.unlink();
        }
        this.block = new SlotRamBlock(RAM_BLOCK, ram,
                ramFile == null ? Optional.empty() : Optional.of(ramFile.channel()));
        this.dirtyLog = new TrackerDirtyLog(tracker, List.of(block));
        this.control = new KvmVcpuControl(vcpus);
        List<DeviceSection> sections = new ArrayList<>();
        for (KvmVcpu vcpu : vcpus) {
            sections.add(new VcpuSection(vcpu));
        }
        sections.add(serial);
        this.devices = List.copyOf(sections);
    }

    /** A RAM file: its path until unlinked, and the channel the engine reads it through. */
    private record RamFile(Path path, FileChannel channel) {
        void unlink() {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the RAM file " + path + ": " + e.getMessage(), e);
            }
        }
    }

    /** A zero-filled (sparse) file of {@code bytes} in {@code directory}, open for reading and writing. */
    private static RamFile createRamFile(Path directory, long bytes) {
        Path path = null;
        try {
            path = Files.createTempFile(directory, "tern-kvm-ram-", ".mem");
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                // A hole up to the last byte: reads as zero, takes no memory until written.
                channel.write(ByteBuffer.allocate(1), bytes - 1);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return new RamFile(path, channel);
        } catch (IOException e) {
            if (path != null) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new UncheckedIOException("cannot create file-backed RAM in " + directory + ": " + e.getMessage(), e);
        }
    }

    private void closeRamFile() {
        RamFile file = ramFile;
        if (file == null) {
            return;
        }
        try {
            file.unlink();
            file.channel().close();
        } catch (IOException | UncheckedIOException e) {
            System.getLogger(KvmGuest.class.getName()).log(System.Logger.Level.DEBUG, "closing the RAM file failed", e);
        }
    }

    /** Where vCPU {@code index}'s code page is: one page each from {@link SweepGuest#CODE_ADDRESS}. */
    private static long codeAddress(int index) {
        return SweepGuest.CODE_ADDRESS + index * SweepGuestProgram.PAGE;
    }

    /** The sweep range split into one page-aligned share per vCPU. */
    private static List<SweepGuestProgram> programs(long ramSize, int vcpus, long start, long end) {
        if (ramSize <= 0 || ramSize % SweepGuestProgram.PAGE != 0 || ramSize > MAX_RAM) {
            throw new IllegalArgumentException(String.format(
                    "KVM guest RAM must be a positive multiple of 4 KiB up to 0x%x bytes: %d", MAX_RAM, ramSize));
        }
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("a KVM guest has 1 to " + MAX_VCPUS + " vCPUs: " + vcpus);
        }
        long codeEnd = codeAddress(vcpus);
        if (start < codeEnd || end > ramSize || start % SweepGuestProgram.PAGE != 0
                || end % SweepGuestProgram.PAGE != 0 || (end - start) / SweepGuestProgram.PAGE < vcpus) {
            throw new IllegalArgumentException(String.format("sweep range [0x%x, 0x%x) must be 4 KiB-aligned, start at"
                    + " or above the code pages' end 0x%x, end within the 0x%x bytes of RAM and hold a page per vCPU",
                    start, end, codeEnd, ramSize));
        }
        long pages = (end - start) / SweepGuestProgram.PAGE;
        List<SweepGuestProgram> shares = new ArrayList<>();
        for (int i = 0; i < vcpus; i++) {
            long from = start + pages * i / vcpus * SweepGuestProgram.PAGE;
            long to = start + pages * (i + 1) / vcpus * SweepGuestProgram.PAGE;
            shares.add(new SweepGuestProgram(from, to, 1));
        }
        return List.copyOf(shares);
    }

    /**
     * The mode a guest tracks dirty pages in unless the builder says otherwise: manual clear
     * when the host offers {@code KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2}, as QEMU 7.2 prefers it
     * (its dirty ring needs {@code dirty-ring-size} set), otherwise the plain bitmap.
     *
     * @param vm the VM
     * @return the mode
     */
    static DirtyTrackingMode defaultDirtyTracking(KvmVm vm) {
        return vm.hasExtension(KvmCapabilities.MANUAL_DIRTY_LOG_PROTECT2) ? DirtyTrackingMode.MANUAL_CLEAR
                : DirtyTrackingMode.BITMAP;
    }

    /**
     * The dirty-tracking modes this host offers: always {@link DirtyTrackingMode#BITMAP};
     * {@link DirtyTrackingMode#MANUAL_CLEAR} with {@code KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2};
     * {@link DirtyTrackingMode#RING} with {@code KVM_CAP_DIRTY_LOG_RING(_ACQ_REL)}.
     *
     * @return the modes, asked of a scratch VM
     * @throws KvmException if {@code /dev/kvm} is unusable
     */
    public static Set<DirtyTrackingMode> supportedDirtyTracking() {
        Set<DirtyTrackingMode> modes = EnumSet.of(DirtyTrackingMode.BITMAP);
        try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm()) {
            if (vm.hasExtension(KvmCapabilities.MANUAL_DIRTY_LOG_PROTECT2)) {
                modes.add(DirtyTrackingMode.MANUAL_CLEAR);
            }
            if (vm.hasExtension(KvmCapabilities.DIRTY_LOG_RING_ACQ_REL) || vm.hasExtension(KvmCapabilities.DIRTY_LOG_RING)) {
                modes.add(DirtyTrackingMode.RING);
            }
        }
        return Collections.unmodifiableSet(modes);
    }

    /**
     * Why this process cannot run KVM guests, if it cannot: {@code /dev/kvm} missing, not
     * accessible, or of another API version.
     *
     * @return the reason, empty when {@code /dev/kvm} opens and speaks API version 12
     */
    public static Optional<String> unusableReason() {
        try {
            Kvm.open().close();
            return Optional.empty();
        } catch (KvmException | UnsatisfiedLinkError e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    /**
     * A builder with the defaults: 256 MiB of RAM, one vCPU, the sweep from
     * {@value #DEFAULT_SWEEP_START} to the end of RAM, the host's default dirty tracking,
     * machine type {@value #DEFAULT_MACHINE_TYPE}, no UUID.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the guest (a source): the vCPU threads are created and run the sweep from its
     * first instruction. The same as {@code vcpus().get().resume()}.
     *
     * @throws IllegalStateException if the guest is closed
     */
    public void start() {
        control.resume();
    }

    /**
     * {@inheritDoc}
     *
     * @return the builder's machine type, {@value #DEFAULT_MACHINE_TYPE} by default
     */
    @Override
    public String machineType() {
        return machineType;
    }

    /**
     * {@inheritDoc}
     *
     * @return one block, {@value #RAM_BLOCK}: the memory slot, guest physical address 0; with
     *     {@link Builder#fileBackedRam(Path)} its {@link RamBlock#backingFile()} is the mapped file
     */
    @Override
    public List<RamBlock> ramBlocks() {
        return List.of(block);
    }

    /**
     * {@inheritDoc}
     *
     * @return a {@code "cpu"} section per vCPU (instance id = vCPU index) and the serial port's
     *     {@code "tern-sweep-serial"} section
     */
    @Override
    public List<DeviceSection> devices() {
        return devices;
    }

    /**
     * {@inheritDoc}
     *
     * @return the builder's UUID, if any
     */
    @Override
    public Optional<UUID> uuid() {
        return uuid;
    }

    /**
     * {@inheritDoc}
     *
     * @return KVM's dirty log in this guest's {@link #dirtyTrackingMode()}
     */
    @Override
    public Optional<DirtyLog> dirtyLog() {
        return Optional.of(dirtyLog);
    }

    /**
     * {@inheritDoc}
     *
     * @return the vCPUs: pause waits until each is out of {@code KVM_RUN}; the first resume
     *     starts them
     */
    @Override
    public Optional<VcpuControl> vcpus() {
        return Optional.of(control);
    }

    /**
     * {@inheritDoc}
     *
     * @return the per-vCPU rings in {@link DirtyTrackingMode#RING} mode, otherwise empty
     */
    @Override
    public Optional<DirtyRing> dirtyRing() {
        return tracker instanceof DirtyRing ring ? Optional.of(ring) : Optional.empty();
    }

    /**
     * How this guest tracks the pages its vCPUs write.
     *
     * @return the mode chosen on the builder or by the host
     */
    public DirtyTrackingMode dirtyTrackingMode() {
        return tracker.mode();
    }

    /**
     * Whether the guest was built as a migration destination.
     *
     * @return true for {@link Builder#buildIncoming()}
     */
    public boolean incoming() {
        return incoming;
    }

    /**
     * Each vCPU's sweep: vCPU {@code i} runs {@code programs().get(i)}.
     *
     * @return one program per vCPU, in vCPU order
     */
    public List<SweepGuestProgram> programs() {
        return programs;
    }

    /**
     * The vCPUs.
     *
     * @return the vCPUs in index order
     */
    public List<KvmVcpu> kvmVcpus() {
        return vcpus;
    }

    /**
     * The RAM slot.
     *
     * @return the slot, guest physical address 0 upwards
     */
    public MemorySlot ram() {
        return ram;
    }

    /**
     * The throttle in force ({@code auto-converge}'s CPU throttle).
     *
     * @return 0 to 99
     */
    public int throttle() {
        return control.throttle();
    }

    /**
     * The passes the vCPUs have reported on the serial port, summed; migrated, so a destination
     * continues from the source's count.
     *
     * @return the pass count
     */
    public long passes() {
        long sum = 0;
        for (int i = 0; i < vcpus.size(); i++) {
            sum += serial.passMarks(i) * programs.get(i).passesPerReport();
        }
        return sum;
    }

    /**
     * How many times a vCPU wrote {@code 'A'}: once per vCPU when a source starts; a destination
     * continuing a migrated guest adds none.
     *
     * @return the count, summed over vCPUs
     */
    public long startMarks() {
        long sum = 0;
        for (int i = 0; i < vcpus.size(); i++) {
            sum += serial.startMarks(i);
        }
        return sum;
    }

    /**
     * Serial output other than {@code 'A'} and {@code 'B'}, which a healthy guest never writes.
     *
     * @return the number of such bytes, summed over vCPUs
     */
    public long otherOutput() {
        long sum = 0;
        for (int i = 0; i < vcpus.size(); i++) {
            sum += serial.otherOutput(i);
        }
        return sum;
    }

    /**
     * Why a vCPU stopped, if one did: a healthy sweep guest never stops by itself.
     *
     * @return the first vCPU failure
     */
    public Optional<KvmException> failure() {
        for (KvmVcpu vcpu : vcpus) {
            Optional<KvmException> failure = vcpu.failure();
            if (failure.isPresent()) {
                return failure;
            }
        }
        return Optional.empty();
    }

    /**
     * QEMU's RAM check (spec 15.2) of each vCPU's share of the sweep; meaningful with the vCPUs
     * paused.
     *
     * @return one result per vCPU, in vCPU order
     */
    public List<SweepRamCheck> checkRam() {
        List<SweepRamCheck> checks = new ArrayList<>();
        for (SweepGuestProgram program : programs) {
            checks.add(SweepRamCheck.of(ram.memory(), ram.guestPhysAddr(), program));
        }
        return List.copyOf(checks);
    }

    /**
     * Stops the vCPU threads, unmaps the RAM (the block's segment is unusable afterwards),
     * destroys the VM and releases the dirty tracker. Idempotent.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        control.close();
        try {
            vm.close();
        } finally {
            tracker.close();
            closeRamFile();
        }
    }

    @Override
    public String toString() {
        return "KvmGuest[" + (ram.size() >> 20) + " MiB, " + vcpus.size() + " vCPU" + (vcpus.size() == 1 ? "" : "s")
                + ", " + tracker.mode() + (incoming ? ", incoming" : "") + "]";
    }

    /**
     * Builds {@link KvmGuest}s. Not thread-safe; each {@code build} makes an independent guest
     * (a source and its destination come from equal settings).
     */
    public static final class Builder {
        private long ramSize = 256L << 20;
        private int vcpus = 1;
        private long sweepStart = DEFAULT_SWEEP_START;
        private long sweepEnd = -1;
        private DirtyTrackingMode mode;
        private String machineType = DEFAULT_MACHINE_TYPE;
        private UUID uuid;
        private Path ramDirectory;

        private Builder() {
        }

        /**
         * Backs the RAM with a file in {@code /dev/shm} (tmpfs), as QEMU's
         * {@code memory-backend-file,mem-path=/dev/shm/...,share=on}; see {@link #fileBackedRam(Path)}.
         *
         * @return this builder
         */
        public Builder fileBackedRam() {
            return fileBackedRam(Path.of("/dev/shm"));
        }

        /**
         * Backs the RAM with a file created (and at once unlinked) in {@code directory}, mapped
         * shared into the slot: the RAM block then has a {@link RamBlock#backingFile()}, from which
         * {@code zero-copy-send} sends pages with {@code sendfile}. The directory should be on
         * tmpfs or hugetlbfs, or the guest's RAM goes to disk.
         *
         * @param directory where the file is made
         * @return this builder
         */
        public Builder fileBackedRam(Path directory) {
            this.ramDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The RAM size.
         *
         * @param bytes a positive multiple of 4 KiB, at most {@link #MAX_RAM}
         * @return this builder
         */
        public Builder ramSize(long bytes) {
            this.ramSize = bytes;
            return this;
        }

        /**
         * The number of vCPUs; each sweeps its own share of the range.
         *
         * @param count 1 to {@value #MAX_VCPUS}
         * @return this builder
         */
        public Builder vcpus(int count) {
            this.vcpus = count;
            return this;
        }

        /**
         * The sweep range (guest physical addresses); by default from
         * {@value #DEFAULT_SWEEP_START} to the end of RAM.
         *
         * @param start the first page, 4 KiB-aligned, above the code pages (one per vCPU from 0x1000)
         * @param end the end (exclusive), 4 KiB-aligned, within RAM
         * @return this builder
         */
        public Builder sweep(long start, long end) {
            this.sweepStart = start;
            this.sweepEnd = end;
            return this;
        }

        /**
         * The dirty-tracking mode; by default manual clear where the host offers it, else the bitmap.
         *
         * @param trackingMode the mode
         * @return this builder
         */
        public Builder dirtyTracking(DirtyTrackingMode trackingMode) {
            this.mode = Objects.requireNonNull(trackingMode, "trackingMode");
            return this;
        }

        /**
         * The machine type sent in the stream's configuration section.
         *
         * @param name a non-empty name
         * @return this builder
         */
        public Builder machineType(String name) {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("the machine type needs a name");
            }
            this.machineType = name;
            return this;
        }

        /**
         * The VM's UUID ({@code validate-uuid}; multifd needs equal ones on both sides).
         *
         * @param value the UUID
         * @return this builder
         */
        public Builder uuid(UUID value) {
            this.uuid = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * A source: the sweep code loaded and each vCPU set up to run it from the start; call
         * {@link KvmGuest#start()}.
         *
         * @return the guest, not running
         * @throws IllegalArgumentException if the settings do not make a guest
         * @throws KvmException if {@code /dev/kvm} is unusable or KVM refuses something (for
         *     example {@code KVM_MISSING_CAP} for a dirty ring the host lacks)
         */
        public KvmGuest build() {
            return new KvmGuest(this, false);
        }

        /**
         * A migration destination: the same machine with zeroed RAM and its vCPUs in reset state,
         * created but not run until the engine resumes them after loading the source's state.
         *
         * @return the guest, not running
         * @throws IllegalArgumentException if the settings do not make a guest
         * @throws KvmException if {@code /dev/kvm} is unusable or KVM refuses something
         */
        public KvmGuest buildIncoming() {
            return new KvmGuest(this, true);
        }
    }
}
