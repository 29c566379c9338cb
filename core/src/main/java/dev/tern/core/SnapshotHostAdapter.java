package dev.tern.core;

import dev.tern.api.RunState;
import dev.tern.api.UnavailableFeatureException;
import dev.tern.core.job.SnapshotHost;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/** What the snapshot jobs need from a {@link TernVm}. */
final class SnapshotHostAdapter implements SnapshotHost {
    private final TernVm vm;

    SnapshotHostAdapter(TernVm vm) {
        this.vm = vm;
    }

    @Override
    public List<String> migrationBlockers() {
        return vm.guest().migrationBlockers();
    }

    @Override
    public boolean migrationRunning() {
        return vm.migrationRunning();
    }

    @Override
    public boolean pauseVm(RunState reason) {
        return vm.runControl().stopAs(reason);
    }

    @Override
    public void resumeVm() {
        vm.runControl().start();
    }

    @Override
    public void saveVmState(WritableByteChannel out) {
        throw new UnavailableFeatureException(MissingEngine.DEVICE_STREAM);
    }

    @Override
    public void loadVmState(ReadableByteChannel in) {
        throw new UnavailableFeatureException(MissingEngine.DEVICE_STREAM);
    }
}
