package dev.tern.core.precopy;

import dev.tern.api.guest.DeviceSection;
import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.VcpuControl;
import dev.tern.core.guest.ReferenceGuest;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A reference guest with more: extra device sections after its own, and extra RAM blocks after
 * its own that no vCPU writes (their dirty log never reports a page, which is the truth).
 */
final class ExtendedGuest implements Guest {
    private final ReferenceGuest base;
    private final List<DeviceSection> devices;
    private final List<RamBlock> blocks;
    private final DirtyLog log;

    ExtendedGuest(ReferenceGuest base, List<DeviceSection> extraDevices, List<RamBlock> extraBlocks) {
        this.base = base;
        List<DeviceSection> d = new ArrayList<>(base.devices());
        d.addAll(extraDevices);
        this.devices = List.copyOf(d);
        List<RamBlock> b = new ArrayList<>(base.ramBlocks());
        b.addAll(extraBlocks);
        this.blocks = List.copyOf(b);
        this.log = new StillBlocksLog(base.softwareDirtyLog(), base.ramBlocks());
    }

    static ExtendedGuest withDevice(ReferenceGuest base, DeviceSection device) {
        return new ExtendedGuest(base, List.of(device), List.of());
    }

    static ExtendedGuest withBlock(ReferenceGuest base, RamBlock block) {
        return new ExtendedGuest(base, List.of(), List.of(block));
    }

    @Override
    public String machineType() {
        return base.machineType();
    }

    @Override
    public List<RamBlock> ramBlocks() {
        return blocks;
    }

    @Override
    public List<DeviceSection> devices() {
        return devices;
    }

    @Override
    public Optional<UUID> uuid() {
        return base.uuid();
    }

    @Override
    public Optional<DirtyLog> dirtyLog() {
        return Optional.of(log);
    }

    @Override
    public Optional<VcpuControl> vcpus() {
        return base.vcpus();
    }

    /** The reference guest's log for its blocks; nothing dirty in the others. */
    private record StillBlocksLog(DirtyLog base, List<RamBlock> baseBlocks) implements DirtyLog {
        @Override
        public void start() {
            base.start();
        }

        @Override
        public void stop() {
            base.stop();
        }

        @Override
        public long syncInto(RamBlock block, MemorySegment bitmap) {
            for (RamBlock b : baseBlocks) {
                if (b == block) {
                    return base.syncInto(block, bitmap);
                }
            }
            return 0;
        }
    }

    /** A device holding one 64-bit value; {@code failLoad} makes its load throw, as a broken device would. */
    static final class CounterDevice implements DeviceSection {
        private final boolean failLoad;
        private volatile long value;

        CounterDevice(long value, boolean failLoad) {
            this.value = value;
            this.failLoad = failLoad;
        }

        long value() {
            return value;
        }

        @Override
        public String idstr() {
            return "test-counter";
        }

        @Override
        public int versionId() {
            return 1;
        }

        @Override
        public void save(DataOutput out) throws IOException {
            out.writeLong(value);
        }

        @Override
        public void load(DataInput in, int versionId) throws IOException {
            long v = in.readLong();
            if (failLoad) {
                throw new IOException("test-counter: this device refuses every state (received " + v + ")");
            }
            value = v;
        }
    }
}
