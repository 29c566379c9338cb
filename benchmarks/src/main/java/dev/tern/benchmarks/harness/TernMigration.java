package dev.tern.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.guest.Workload;
import dev.tern.qmp.codec.QapiCodec;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A scenario migrated by Tern inside this JVM: a source VM whose reference guest runs, a
 * destination VM waiting with {@code migrate-incoming tcp:127.0.0.1:0} and kept paused afterwards
 * (autostart off), so that the two RAMs can be compared byte for byte once it completed.
 */
final class TernMigration {
    private static final long POLL_MILLIS = 20;
    private static final long LOG_EVERY_MILLIS = 1000;
    private static final long SEED = 0x7e4a_5eedL;
    private static final long CANCEL_CHECK_MILLIS = 2000;

    private final Scenario scenario;
    private final PrintStream log;

    TernMigration(Scenario scenario, PrintStream log) {
        this.scenario = scenario;
        this.log = log;
    }

    private ReferenceGuest guest() {
        return ReferenceGuest.builder().machineType("none").ramBlock("ram", scenario.ramBytes()).vcpus(1)
                .workload(scenario.workload().apply(scenario.ramBytes())).build();
    }

    /**
     * Runs the scenario.
     *
     * @return what it measured
     * @throws InterruptedException if interrupted
     */
    Measurement run() throws InterruptedException {
        long allocStart = System.nanoTime();
        try (ReferenceGuest src = guest(); ReferenceGuest dst = guest();
                MigrationControl source = MigrationControl.create(src, StartMode.RUNNING);
                MigrationControl destination = MigrationControl.create(dst, StartMode.INCOMING)) {
            long filled = RamPattern.fill(src.ramBlocks().getFirst().memory(), scenario.filledPerMille(),
                    scenario.pattern(), SEED);
            log.printf("  two guests allocated and %d pages filled in %d ms%n", filled,
                    (System.nanoTime() - allocStart) / 1_000_000);
            src.start();
            destination.stop();
            // multifd and compress must be on at both ends before the destination listens (QEMU's order)
            setTransfer(destination, true);
            destination.migrateIncoming("tcp:127.0.0.1:0");
            SocketAddress.Inet address = (SocketAddress.Inet) destination.queryMigrate().socketAddress().orElseThrow()
                    .getFirst();
            if (scenario.autoConverge()) {
                source.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.AUTO_CONVERGE, true)));
            }
            setTransfer(source, false);
            source.setParameters(MigrateSetParameters.builder().maxBandwidth(scenario.maxBandwidth())
                    .downtimeLimit(scenario.downtimeLimitMillis()).build());
            long start = System.nanoTime();
            source.migrate("tcp:127.0.0.1:" + address.port());
            return follow(source, destination, src, dst, start);
        }
    }

    /**
     * The scenario's multifd or compress capability and its parameters, through the public API,
     * as the QEMU baseline sets them: the destination of a compressed migration keeps its default
     * {@code decompress-threads}.
     */
    private void setTransfer(MigrationControl control, boolean destination) {
        Transfer transfer = scenario.transfer();
        if (transfer.multifd()) {
            control.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.MULTIFD, true)));
            control.setParameters(MigrateSetParameters.builder().multifdChannels(transfer.multifdChannels())
                    .multifdCompression(transfer.multifdCompression()).build());
        } else if (transfer.compress()) {
            control.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.COMPRESS, true)));
            if (!destination) {
                control.setParameters(MigrateSetParameters.builder().compressThreads(transfer.compressThreads()).build());
            }
        }
    }

    private Measurement follow(MigrationControl source, MigrationControl destination, ReferenceGuest src,
            ReferenceGuest dst, long start) throws InterruptedException {
        long lastLog = start;
        long throttle = 0;
        while (true) {
            MigrationInfo info = source.queryMigrate();
            MigrationStatus status = info.status().orElse(MigrationStatus.NONE);
            throttle = Math.max(throttle, info.cpuThrottlePercentage().orElse(0));
            long now = System.nanoTime();
            long elapsed = (now - start) / 1_000_000;
            if (now - lastLog >= LOG_EVERY_MILLIS * 1_000_000) {
                log.println("  " + Progress.line(elapsed, QapiCodec.encode(info)));
                lastLog = now;
            }
            switch (status) {
                case COMPLETED -> {
                    return completed(info, destination, src, dst, throttle);
                }
                case FAILED, CANCELLED -> {
                    return Measurement.of(scenario, status.qapiName(),
                            QapiCodec.encode(info), elapsed, throttle, info.errorDesc().orElse(""));
                }
                default -> {
                }
            }
            if (elapsed > scenario.limit().toMillis()) {
                return cancelled(source, src, info, elapsed, throttle);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private Measurement completed(MigrationInfo info, MigrationControl destination, ReferenceGuest src, ReferenceGuest dst,
            long throttle) throws InterruptedException {
        JsonNode json = QapiCodec.encode(info);
        log.println("  " + Progress.line(info.totalTime().orElse(0), json));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (destination.queryMigrate().status().orElse(MigrationStatus.NONE) != MigrationStatus.COMPLETED) {
            if (System.nanoTime() > deadline) {
                return Measurement.of(scenario, "completed", json, 0, throttle,
                        "destination did not complete: " + destination.queryMigrate());
            }
            Thread.sleep(POLL_MILLIS);
        }
        String check = sameRam(src.ramBlocks(), dst.ramBlocks());
        String state = "source " + src.passes() + " passes, destination " + dst.passes() + ", " + destination.runState()
                .qapiName();
        return Measurement.of(scenario, "completed", json, 0, throttle,
                check + (src.workload() instanceof Workload.Idle ? "" : "; " + state));
    }

    /** No switchover within the limit: cancel, and check that the source guest runs on. */
    private Measurement cancelled(MigrationControl source, ReferenceGuest src, MigrationInfo last, long elapsed,
            long throttle) throws InterruptedException {
        JsonNode json = QapiCodec.encode(last);
        long dirtyRate = last.ram().map(r -> r.dirtyPagesRate()).orElse(0L);
        long remaining = last.ram().map(r -> r.remaining()).orElse(0L);
        log.printf("  no switchover after %d ms: migrate_cancel%n", elapsed);
        source.cancel();
        while (source.queryMigrate().status().orElse(MigrationStatus.NONE) != MigrationStatus.CANCELLED) {
            Thread.sleep(POLL_MILLIS);
        }
        // a vCPU may be in the middle of a 990 ms throttle sleep (99%): give it time to write again
        long before = src.pagesWritten();
        long waitStart = System.nanoTime();
        while (src.pagesWritten() == before && System.nanoTime() - waitStart < CANCEL_CHECK_MILLIS * 1_000_000) {
            Thread.sleep(POLL_MILLIS);
        }
        long writes = src.pagesWritten() - before;
        int throttleAfter = src.referenceVcpus().throttlePercent();
        // QEMU stops the throttle when the migration is cleaned up: the guest must run at full speed again
        String after = source.runState() == RunState.RUNNING && writes > 0 && throttleAfter == 0 ? "runs on"
                : "runstate " + source.runState().qapiName() + ", throttle " + throttleAfter + "%, " + writes
                        + " writes within " + CANCEL_CHECK_MILLIS + " ms";
        return Measurement.of(scenario, "no switchover", json, elapsed, throttle,
                String.format("dirty %d pages/s, %d MiB left; after migrate_cancel the source %s", dirtyRate,
                        remaining >> 20, after));
    }

    private static String sameRam(List<RamBlock> source, List<RamBlock> destination) {
        for (int i = 0; i < source.size(); i++) {
            MemorySegment a = source.get(i).memory();
            MemorySegment b = destination.get(i).memory();
            long at = MemorySegment.mismatch(a, 0, source.get(i).usedLength(), b, 0, destination.get(i).usedLength());
            if (at != -1) {
                return "RAM DIFFERS at byte " + at + " of " + source.get(i).name();
            }
        }
        return "RAM identical";
    }
}
