package dev.tern.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import dev.tern.qmp.codec.QapiCodec;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A scenario migrated by Tern inside this JVM: a source VM whose guest (reference or KVM,
 * {@link HarnessGuest}) runs, a destination VM waiting with {@code migrate-incoming
 * tcp:127.0.0.1:0} and kept paused afterwards (autostart off), so that the two RAMs can be
 * compared byte for byte once it completed. Then the destination's RAM gets QEMU's check of the
 * sweep (spec 15.2), and a guest that counts passes is resumed with {@code cont} and must go on
 * counting from the migrated count. A sweeping source is migrated after its first pass, so the
 * whole range has been written once, as QEMU's tests wait for the first pass mark.
 */
final class TernMigration {
    private static final long POLL_MILLIS = 20;
    private static final long LOG_EVERY_MILLIS = 1000;
    private static final long SEED = 0x7e4a_5eedL;
    private static final long CANCEL_CHECK_MILLIS = 2000;
    private static final long PASS_WAIT_MILLIS = 30_000;
    /** How many passes a resumed destination must add to count as running on. */
    private static final long PASSES_AFTER_CONT = 2;

    private final Scenario scenario;
    private final PrintStream log;

    TernMigration(Scenario scenario, PrintStream log) {
        this.scenario = scenario;
        this.log = log;
    }

    /**
     * Runs the scenario.
     *
     * @return what it measured
     * @throws InterruptedException if interrupted
     */
    Measurement run() throws InterruptedException {
        long allocStart = System.nanoTime();
        try (HarnessGuest src = HarnessGuest.create(scenario, false); HarnessGuest dst = HarnessGuest.create(scenario, true);
                MigrationControl source = MigrationControl.create(src.guest(), StartMode.RUNNING);
                MigrationControl destination = MigrationControl.create(dst.guest(), StartMode.INCOMING)) {
            long filled = RamPattern.fill(src.fillable(), scenario.filledPerMille(), scenario.pattern(), SEED);
            log.printf("  two guests allocated (%s) and %d pages filled in %d ms%n", src.dirtyTracking(), filled,
                    (System.nanoTime() - allocStart) / 1_000_000);
            src.start();
            if (src.counts()) {
                awaitFirstPass(src);
            }
            destination.stop();
            // multifd and compress must be on at both ends before the destination listens (QEMU's order)
            setTransfer(destination, true);
            destination.migrateIncoming("tcp:127.0.0.1:0");
            SocketAddress.Inet address = (SocketAddress.Inet) destination.queryMigrate().socketAddress().orElseThrow()
                    .getFirst();
            MigrateSetParameters.Builder parameters = MigrateSetParameters.builder().maxBandwidth(scenario.maxBandwidth())
                    .downtimeLimit(scenario.downtimeLimitMillis());
            scenario.autoConverge().ifPresent(a -> {
                source.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.AUTO_CONVERGE, true)));
                parameters.cpuThrottleInitial(a.initialPercent()).cpuThrottleIncrement(a.incrementPercent());
            });
            setTransfer(source, false);
            source.setParameters(parameters.build());
            long start = System.nanoTime();
            source.migrate("tcp:127.0.0.1:" + address.port());
            return follow(source, destination, src, dst, start);
        }
    }

    /** Waits until a sweeping source has written its whole range once. */
    private void awaitFirstPass(HarnessGuest src) throws InterruptedException {
        long start = System.nanoTime();
        while (src.passes() < 1) {
            if (System.nanoTime() - start > PASS_WAIT_MILLIS * 1_000_000) {
                throw new IllegalStateException("the source guest made no pass in " + PASS_WAIT_MILLIS + " ms"
                        + src.fault().map(f -> ": " + f).orElse(""));
            }
            Thread.sleep(POLL_MILLIS);
        }
        log.printf("  source's first pass after %d ms%n", (System.nanoTime() - start) / 1_000_000);
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

    private Measurement follow(MigrationControl source, MigrationControl destination, HarnessGuest src,
            HarnessGuest dst, long start) throws InterruptedException {
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

    private Measurement completed(MigrationInfo info, MigrationControl destination, HarnessGuest src, HarnessGuest dst,
            long throttle) throws InterruptedException {
        JsonNode json = QapiCodec.encode(info);
        log.println("  " + Progress.line(info.totalTime().orElse(0), json));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (destination.queryMigrate().status().orElse(MigrationStatus.NONE) != MigrationStatus.COMPLETED) {
            if (System.nanoTime() > deadline) {
                return Measurement.of(scenario, "completed", json, 0, throttle,
                        note("destination did not complete: " + destination.queryMigrate()));
            }
            Thread.sleep(POLL_MILLIS);
        }
        List<String> verdict = new ArrayList<>();
        verdict.add(sameRam(src.ram(), dst.ram()));
        dst.ramCheck().ifPresent(verdict::add);
        if (dst.counts()) {
            verdict.add(runsOn(destination, dst));
        }
        dst.fault().ifPresent(f -> verdict.add("FAULT: " + f));
        return Measurement.of(scenario, "completed", json, 0, throttle, note(String.join("; ", verdict)));
    }

    /**
     * Resumes the destination ({@code cont}) and waits for the guest to add passes to the count it
     * arrived with.
     */
    private static String runsOn(MigrationControl destination, HarnessGuest dst) throws InterruptedException {
        long arrived = dst.passes();
        destination.cont();
        long start = System.nanoTime();
        while (dst.passes() < arrived + PASSES_AFTER_CONT) {
            if (System.nanoTime() - start > PASS_WAIT_MILLIS * 1_000_000) {
                return "DESTINATION STUCK at " + dst.passes() + " passes (arrived with " + arrived + ")";
            }
            Thread.sleep(1);
        }
        String verdict = "dst counts on from pass " + arrived;
        destination.stop();
        return verdict;
    }

    /** The note column: the run's findings, after what the scenario set that a reader must know. */
    private String note(String findings) {
        return scenario.autoConverge().map(a -> a.describe() + "; " + findings).orElse(findings);
    }

    /** No switchover within the limit: cancel, and check that the source guest runs on. */
    private Measurement cancelled(MigrationControl source, HarnessGuest src, MigrationInfo last, long elapsed,
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
        long before = src.activity();
        long waitStart = System.nanoTime();
        while (src.activity() == before && System.nanoTime() - waitStart < CANCEL_CHECK_MILLIS * 1_000_000) {
            Thread.sleep(POLL_MILLIS);
        }
        long writes = src.activity() - before;
        int throttleAfter = src.throttle();
        // QEMU stops the throttle when the migration is cleaned up: the guest must run at full speed again
        String after = source.runState() == RunState.RUNNING && writes > 0 && throttleAfter == 0 ? "runs on"
                : "runstate " + source.runState().qapiName() + ", throttle " + throttleAfter + "%, " + writes
                        + " writes or passes within " + CANCEL_CHECK_MILLIS + " ms";
        return Measurement.of(scenario, "no switchover", json, elapsed, throttle,
                note(String.format("dirty %d pages/s, %d MiB left; after migrate_cancel the source %s", dirtyRate,
                        remaining >> 20, after)));
    }

    private static String sameRam(MemorySegment a, MemorySegment b) {
        long at = MemorySegment.mismatch(a, 0, a.byteSize(), b, 0, b.byteSize());
        return at == -1 ? "RAM identical" : "RAM DIFFERS at byte " + at;
    }
}
