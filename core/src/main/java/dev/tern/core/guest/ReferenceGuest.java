package dev.tern.core.guest;

import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.SegmentRamBlock;
import dev.tern.api.guest.VcpuControl;
import java.lang.foreign.Arena;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * A guest that needs no hypervisor: RAM blocks in off-heap memory, vCPUs that are Java threads
 * running a {@link Workload}, a software dirty log, and one device section holding the
 * workload's progress. Tern's tests, demo and benchmarks migrate it, and it shows a VMM author
 * what the {@link Guest} SPI asks for.
 *
 * {@snippet :
 * try (ReferenceGuest source = ReferenceGuest.builder()
 *         .machineType("none")
 *         .ramBlock("pc.ram", 150L << 20)
 *         .vcpus(2)
 *         .workload(Workload.sequentialSweep(1L << 20, 100L << 20))
 *         .build()) {
 *     source.start();
 *     // ... migrate it; after the switchover its vCPUs are paused:
 *     SweepCheck check = ReferenceGuest.checkSweep(
 *             source.ramBlocks().get(0).memory(), 1L << 20, 100L << 20);
 * }
 * }
 *
 * <p>A destination is built with the same builder and not started: the engine loads RAM and the
 * device section into it and then resumes its vCPUs, which continue the workload where the
 * source stopped.
 *
 * <p>Thread-safe. {@link #close()} stops the vCPU threads and frees the RAM; the segments of
 * {@link #ramBlocks()} are not accessible after that.
 */
public final class ReferenceGuest implements Guest, AutoCloseable {
    /** The machine type unless the builder sets another. */
    public static final String DEFAULT_MACHINE_TYPE = "tern-reference";

    private final String machineType;
    private final List<RamBlock> ramBlocks;
    private final Optional<UUID> uuid;
    private final Workload workload;
    private final Arena arena;
    private final ReferenceVcpus vcpus;
    private final SoftwareDirtyLog dirtyLog;
    private final VcpuCursor[] cursors;
    private final List<DeviceSection> devices;
    private final LongAdder pagesWritten = new LongAdder();
    private final GuestMemory memory;
    private final Object closeLock = new Object();
    /** The files behind file-backed RAM, closed after the mappings. */
    private final List<FileChannel> files = new ArrayList<>();
    private boolean closed;

    private ReferenceGuest(Builder builder) {
        this.machineType = builder.machineType;
        this.uuid = Optional.ofNullable(builder.uuid);
        this.workload = builder.workload;
        this.arena = Arena.ofShared();
        try {
            List<RamBlock> blocks = new ArrayList<>();
            MemorySegment[] memory = new MemorySegment[builder.blocks.size()];
            int i = 0;
            for (Map.Entry<String, Long> block : builder.blocks.entrySet()) {
                if (builder.ramDirectory != null) {
                    FileChannel file = createRamFile(builder.ramDirectory, block.getValue());
                    files.add(file);
                    // A shared mapping of the file: the file's pages are the guest's pages.
                    memory[i] = file.map(FileChannel.MapMode.READ_WRITE, 0, block.getValue(), arena);
                    blocks.add(new FileRamBlock(block.getKey(), memory[i], file));
                } else {
                    // Arena.allocate zeroes the memory; page alignment lets the engine hand out
                    // page-sized ByteBuffer views that never straddle a host page.
                    memory[i] = arena.allocate(block.getValue(), GuestMemory.PAGE_SIZE);
                    blocks.add(new SegmentRamBlock(block.getKey(), memory[i], block.getValue(),
                            GuestMemory.PAGE_SIZE, false));
                }
                i++;
            }
            this.ramBlocks = List.copyOf(blocks);
            this.cursors = new VcpuCursor[builder.vcpus];
            for (int v = 0; v < cursors.length; v++) {
                cursors[v] = new VcpuCursor(initialPosition(workload, v));
            }
            this.vcpus = new ReferenceVcpus(builder.vcpus, this::vcpuBody);
            this.dirtyLog = new SoftwareDirtyLog(ramBlocks, arena, vcpus);
            this.memory = new GuestMemory(memory, dirtyLog);
            this.devices = builder.deviceSection ? List.of(new WorkloadSection(workload, cursors, vcpus)) : List.of();
        } catch (IOException e) {
            arena.close();
            closeFiles();
            throw new UncheckedIOException("cannot create file-backed RAM: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            closeFiles();
            throw e;
        }
    }

    /**
     * A zero-filled file of {@code bytes} in {@code directory}, already unlinked: it lives as long
     * as its channel and its mapping, so nothing is left behind whatever happens to the process.
     */
    private static FileChannel createRamFile(Path directory, long bytes) throws IOException {
        Path path = Files.createTempFile(directory, "tern-ram-", ".mem");
        try {
            FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                // Extends the file with a hole: reads as zero, takes no memory until written.
                file.write(ByteBuffer.allocate(1), bytes - 1);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
            return file;
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private void closeFiles() {
        for (FileChannel f : files) {
            try {
                f.close();
            } catch (IOException e) {
                System.getLogger(ReferenceGuest.class.getName()).log(System.Logger.Level.DEBUG,
                        "closing a RAM file failed", e);
            }
        }
    }

    /**
     * A builder with the defaults: machine type {@value #DEFAULT_MACHINE_TYPE}, one vCPU, the
     * {@link Workload#idle() idle} workload, no UUID, the device section on, and no RAM blocks
     * (at least one must be added).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks the RAM of a stopped A-B guest (a {@link Workload#sequentialSweep} over the same
     * range), as QEMU's migration tests do on the destination (spec 15.2). Usable on any
     * segment, for example a destination's block or a copy of a source's at the stop point.
     *
     * @param ram the memory of the swept block
     * @param fromOffset the sweep's first page
     * @param toOffset the sweep's end (exclusive)
     * @return the result; {@link SweepCheck#message()} says what is wrong, if anything
     * @throws IllegalArgumentException if the range is empty, negative, not 4 KiB aligned or
     *     beyond {@code ram}
     */
    public static SweepCheck checkSweep(MemorySegment ram, long fromOffset, long toOffset) {
        return SweepCheck.of(Objects.requireNonNull(ram, "ram"), fromOffset, toOffset);
    }

    private static long initialPosition(Workload workload, int vcpu) {
        return switch (workload) {
            case Workload.SequentialSweep sweep -> vcpu == 0 ? sweep.fromOffset() : 0;
            case Workload.UniformRandom _, Workload.HotSet _ -> RandomWriteStep.seedFor(vcpu);
            case Workload.Idle _ -> 0;
        };
    }

    /** What vCPU {@code index} runs; called when the vCPU threads are created. */
    private Runnable vcpuBody(int index) {
        return switch (workload) {
            case Workload.SequentialSweep sweep -> index == 0
                    ? new VcpuLoop(vcpus, new SweepStep(memory, cursors[0], sweep), new RateBudget(-1), pagesWritten)
                    : VcpuLoop.idle(vcpus);
            case Workload.UniformRandom uniform ->
                    new VcpuLoop(vcpus, new RandomWriteStep(memory, cursors[index], 1, 1),
                            rateOf(uniform.pagesPerSecond(), index), pagesWritten);
            case Workload.HotSet hot ->
                    new VcpuLoop(vcpus, new RandomWriteStep(memory, cursors[index], hot.hotFraction(),
                            hot.hotProbability()), rateOf(hot.pagesPerSecond(), index), pagesWritten);
            case Workload.Idle _ -> VcpuLoop.idle(vcpus);
        };
    }

    private RateBudget rateOf(long guestPagesPerSecond, int index) {
        return new RateBudget(RateBudget.share(guestPagesPerSecond, cursors.length, index));
    }

    /**
     * Starts the guest: creates the vCPU threads on the first call and lets them run, the same
     * as {@code referenceVcpus().resume()}.
     *
     * @throws IllegalStateException if the guest is closed
     */
    public void start() {
        vcpus.resume();
    }

    /**
     * {@inheritDoc}
     *
     * @return the machine type set on the builder, {@value #DEFAULT_MACHINE_TYPE} by default
     */
    @Override
    public String machineType() {
        return machineType;
    }

    /**
     * {@inheritDoc}
     *
     * @return the blocks in the order they were added to the builder, with 4 KiB pages, not
     *     shared: each a {@link SegmentRamBlock}, or with {@link Builder#fileBackedRam(Path)} a
     *     block whose {@link RamBlock#backingFile()} is the mapped file
     */
    @Override
    public List<RamBlock> ramBlocks() {
        return ramBlocks;
    }

    /**
     * {@inheritDoc}
     *
     * @return the {@code tern-workload} section (version 1), or nothing if the builder turned
     *     it off
     */
    @Override
    public List<DeviceSection> devices() {
        return devices;
    }

    /**
     * {@inheritDoc}
     *
     * @return the UUID set on the builder, if any
     */
    @Override
    public Optional<UUID> uuid() {
        return uuid;
    }

    /**
     * {@inheritDoc}
     *
     * @return the {@link #softwareDirtyLog()}
     */
    @Override
    public Optional<DirtyLog> dirtyLog() {
        return Optional.of(dirtyLog);
    }

    /**
     * {@inheritDoc}
     *
     * @return the {@link #referenceVcpus()}
     */
    @Override
    public Optional<VcpuControl> vcpus() {
        return Optional.of(vcpus);
    }

    /**
     * The dirty log with its concrete type (what {@link #dirtyLog()} holds).
     *
     * @return the dirty log
     */
    public SoftwareDirtyLog softwareDirtyLog() {
        return dirtyLog;
    }

    /**
     * The vCPU control with its concrete type (what {@link #vcpus()} holds), which also reports
     * the throttle.
     *
     * @return the vCPU control
     */
    public ReferenceVcpus referenceVcpus() {
        return vcpus;
    }

    /**
     * The workload the vCPUs run.
     *
     * @return the workload
     */
    public Workload workload() {
        return workload;
    }

    /**
     * Each vCPU's progress, migrated by the {@code tern-workload} section. Exact while the
     * vCPUs are paused; a recent value of each field while they run.
     *
     * @return one entry per vCPU, in vCPU order
     */
    public List<VcpuProgress> progress() {
        List<VcpuProgress> all = new ArrayList<>(cursors.length);
        for (VcpuCursor cursor : cursors) {
            all.add(cursor.progressAcquire());
        }
        return all;
    }

    /**
     * The sum of the vCPUs' pass counters: the completed sweeps of a
     * {@link Workload#sequentialSweep}, the writes of a random workload (see
     * {@link VcpuProgress}); migrated, so a destination continues counting from the source's
     * value.
     *
     * @return the passes
     */
    public long passes() {
        long sum = 0;
        for (VcpuCursor cursor : cursors) {
            sum += cursor.progressAcquire().passes();
        }
        return sum;
    }

    /**
     * Guest writes made by this guest's vCPUs since it was built (not migrated), counted in
     * batches of up to 64 and at every pause. Sample it twice to get a dirtying rate:
     *
     * {@snippet :
     * long before = guest.pagesWritten();
     * Thread.sleep(1000);
     * long pagesPerSecond = guest.pagesWritten() - before;
     * }
     *
     * @return the number of page writes
     */
    public long pagesWritten() {
        return pagesWritten.sum();
    }

    /**
     * Stops and joins the vCPU threads, then frees guest RAM and the dirty bitmaps. Idempotent.
     * Nobody may use the RAM segments after this (accesses throw
     * {@link IllegalStateException}).
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        vcpus.close();
        arena.close();
        closeFiles();
    }

    /**
     * Builds a {@link ReferenceGuest}. Not thread-safe; {@link #build()} may be called more
     * than once, each time creating an independent guest (for example a source and its
     * destination).
     */
    public static final class Builder {
        private String machineType = DEFAULT_MACHINE_TYPE;
        private final Map<String, Long> blocks = new LinkedHashMap<>();
        private int vcpus = 1;
        private Workload workload = Workload.idle();
        private UUID uuid;
        private boolean deviceSection = true;
        private Path ramDirectory;

        private Builder() {
        }

        /**
         * Backs every RAM block with a file in {@code /dev/shm} (tmpfs), as QEMU's
         * {@code memory-backend-file,mem-path=/dev/shm/...,share=on}; see
         * {@link #fileBackedRam(Path)}.
         *
         * @return this builder
         */
        public Builder fileBackedRam() {
            return fileBackedRam(Path.of("/dev/shm"));
        }

        /**
         * Backs every RAM block with a file created in {@code directory} and mapped shared, so
         * the blocks report it as their {@link RamBlock#backingFile()} (what
         * {@code zero-copy-send} sends from). The file is unlinked as soon as it is mapped and
         * released when the guest is closed.
         *
         * @param directory where the files are made; tmpfs or hugetlbfs for memory-speed RAM
         * @return this builder
         */
        public Builder fileBackedRam(Path directory) {
            this.ramDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The machine type the configuration section carries.
         *
         * @param machineType for example {@code "none"}; not empty
         * @return this builder
         * @throws IllegalArgumentException if empty
         */
        public Builder machineType(String machineType) {
            if (Objects.requireNonNull(machineType, "machineType").isEmpty()) {
                throw new IllegalArgumentException("machine type is empty");
            }
            this.machineType = machineType;
            return this;
        }

        /**
         * Adds a RAM block, zero-filled; blocks are listed in the order they are added.
         *
         * @param name the block's id string, 1 to 255 bytes of UTF-8, unique in the guest
         * @param bytes the size, a positive multiple of 4096
         * @return this builder
         * @throws IllegalArgumentException if the name is empty, too long or taken, or the size is
         *     not a positive multiple of 4096
         */
        public Builder ramBlock(String name, long bytes) {
            int nameLength = Objects.requireNonNull(name, "name").getBytes(StandardCharsets.UTF_8).length;
            if (nameLength == 0 || nameLength > 255) {
                throw new IllegalArgumentException("RAM block name \"" + name + "\" must be 1 to 255 bytes of UTF-8");
            }
            if (blocks.containsKey(name)) {
                throw new IllegalArgumentException("RAM block \"" + name + "\" is already defined");
            }
            if (bytes <= 0 || bytes % GuestMemory.PAGE_SIZE != 0) {
                throw new IllegalArgumentException("RAM block \"" + name + "\" size " + bytes
                        + " is not a positive multiple of 4096");
            }
            blocks.put(name, bytes);
            return this;
        }

        /**
         * The number of vCPUs (threads {@code tern-vcpu-0} onwards).
         *
         * @param count at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is less than 1
         */
        public Builder vcpus(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("vCPU count " + count + " is less than 1");
            }
            this.vcpus = count;
            return this;
        }

        /**
         * What the vCPUs do.
         *
         * @param workload the workload
         * @return this builder
         */
        public Builder workload(Workload workload) {
            this.workload = Objects.requireNonNull(workload, "workload");
            return this;
        }

        /**
         * The VM's UUID, as QEMU's {@code -uuid} (compared under {@code validate-uuid}).
         *
         * @param uuid the UUID
         * @return this builder
         */
        public Builder uuid(UUID uuid) {
            this.uuid = Objects.requireNonNull(uuid, "uuid");
            return this;
        }

        /**
         * Whether the guest has its {@code tern-workload} device section (on by default). A
         * guest without it migrates RAM only, like QEMU's {@code -M none} with no devices; its
         * destination starts the workload from the beginning.
         *
         * @param enabled true to include the section
         * @return this builder
         */
        public Builder deviceSection(boolean enabled) {
            this.deviceSection = enabled;
            return this;
        }

        /**
         * Allocates the RAM and creates the guest, paused: no vCPU thread runs until
         * {@link ReferenceGuest#start()}.
         *
         * @return the guest
         * @throws IllegalStateException if no RAM block was added, or the sweep range does not fit
         *     the first block
         */
        public ReferenceGuest build() {
            if (blocks.isEmpty()) {
                throw new IllegalStateException("the guest has no RAM block");
            }
            if (workload instanceof Workload.SequentialSweep(long from, long to)) {
                Map.Entry<String, Long> first = blocks.entrySet().iterator().next();
                if (to > first.getValue()) {
                    throw new IllegalStateException(String.format(
                            "sweep range [0x%x, 0x%x) is beyond the 0x%x bytes of RAM block \"%s\"",
                            from, to, first.getValue(), first.getKey()));
                }
            }
            return new ReferenceGuest(this);
        }
    }
}
