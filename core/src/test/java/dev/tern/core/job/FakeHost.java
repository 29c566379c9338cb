package dev.tern.core.job;

import dev.tern.api.RunState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A VM that records what the jobs ask of it. */
final class FakeHost implements SnapshotHost {
    static final String VM_STATE = "QEVM-stream";

    volatile List<String> blockers = List.of();
    volatile boolean migrationRunning;
    volatile boolean blockMigration;
    volatile boolean running = true;
    volatile IOException saveFailure;
    volatile IOException loadFailure;
    /** While set, saveVmState signals {@link #saving} and waits for this gate. */
    volatile CountDownLatch saveGate;
    final CountDownLatch saving = new CountDownLatch(1);
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public List<String> migrationBlockers() {
        return blockers;
    }

    @Override
    public boolean migrationRunning() {
        return migrationRunning;
    }

    @Override
    public boolean blockMigrationEnabled() {
        return blockMigration;
    }

    @Override
    public boolean pauseVm(RunState reason) {
        log.add("pause " + reason.qapiName());
        boolean was = running;
        running = false;
        return was;
    }

    @Override
    public void resumeVm() {
        log.add("resume");
        running = true;
    }

    @Override
    public void saveVmState(WritableByteChannel out) throws IOException {
        log.add("save");
        CountDownLatch gate = saveGate;
        if (gate != null) {
            saving.countDown();
            try {
                if (!gate.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("test gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        if (saveFailure != null) {
            throw saveFailure;
        }
        out.write(ByteBuffer.wrap(VM_STATE.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void loadVmState(ReadableByteChannel in) throws IOException {
        try (InputStream stream = Channels.newInputStream(in)) {
            log.add("load " + new String(stream.readAllBytes(), StandardCharsets.UTF_8));
        }
        if (loadFailure != null) {
            throw loadFailure;
        }
    }
}
