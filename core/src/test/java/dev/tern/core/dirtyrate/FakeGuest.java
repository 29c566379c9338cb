package dev.tern.core.dirtyrate;

import dev.tern.api.guest.DirtyLog;
import dev.tern.api.guest.DirtyRing;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.guest.VcpuControl;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A guest made of whatever facilities a test hands it. */
final class FakeGuest implements Guest {
    private Supplier<List<RamBlock>> blocks = List::of;
    private Optional<DirtyRing> ring = Optional.empty();
    private Optional<DirtyLog> log = Optional.empty();
    private Optional<VcpuControl> vcpus = Optional.empty();

    FakeGuest blocks(RamBlock... list) {
        List<RamBlock> fixed = List.of(list);
        blocks = () -> fixed;
        return this;
    }

    FakeGuest blocks(Supplier<List<RamBlock>> supplier) {
        blocks = supplier;
        return this;
    }

    FakeGuest ring(DirtyRing value) {
        ring = Optional.of(value);
        return this;
    }

    FakeGuest log(DirtyLog value) {
        log = Optional.of(value);
        return this;
    }

    FakeGuest vcpus(int count) {
        vcpus = Optional.of(new FakeVcpus(count));
        return this;
    }

    @Override
    public String machineType() {
        return "none";
    }

    @Override
    public List<RamBlock> ramBlocks() {
        return blocks.get();
    }

    @Override
    public Optional<DirtyRing> dirtyRing() {
        return ring;
    }

    @Override
    public Optional<DirtyLog> dirtyLog() {
        return log;
    }

    @Override
    public Optional<VcpuControl> vcpus() {
        return vcpus;
    }

    private record FakeVcpus(int vcpuCount) implements VcpuControl {
        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public boolean running() {
            return true;
        }

        @Override
        public void setThrottle(int percent) {
        }
    }
}
