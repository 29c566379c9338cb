package dev.tern.core.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.guest.Guest;
import dev.tern.api.info.MigrationInfo;
import dev.tern.api.info.SocketAddress;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.guest.SweepCheck;
import dev.tern.core.guest.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A source VM whose sweeping reference guest runs, and a destination VM waiting in
 * {@code inmigrate} with autostart off (so its RAM stays still for the byte-for-byte compare).
 * Fresh destinations can be made for a retry; everything is closed together.
 */
final class GuestPair implements AutoCloseable {
    /** Small enough for a sub-second migration, large enough that the stream outlives socket buffers. */
    static final long RAM = 32L << 20;
    static final long SWEEP_FROM = 1L << 20;
    static final long SWEEP_TO = RAM - (1L << 20);
    private static final Set<MigrationStatus> FINAL =
            EnumSet.of(MigrationStatus.COMPLETED, MigrationStatus.FAILED, MigrationStatus.CANCELLED);

    private final ReferenceGuest.Builder dstBuilder;
    private final Function<ReferenceGuest, Guest> dstWrap;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ReferenceGuest srcGuest;
    private final MigrationControl source;
    private ReferenceGuest dstGuest;
    private MigrationControl destination;

    private GuestPair(ReferenceGuest.Builder srcBuilder, Function<ReferenceGuest, Guest> srcWrap,
            ReferenceGuest.Builder dstBuilder, Function<ReferenceGuest, Guest> dstWrap) {
        this.dstBuilder = dstBuilder;
        this.dstWrap = dstWrap;
        this.srcGuest = srcBuilder.build();
        resources.add(srcGuest);
        this.source = MigrationControl.create(srcWrap.apply(srcGuest), StartMode.RUNNING);
        resources.add(source);
        srcGuest.start();
        source.setParameters(Migrations.converge());
        newDestination();
    }

    /** The guest every test migrates: 32 MiB, one vCPU sweeping almost all of it. */
    static ReferenceGuest.Builder sweeping() {
        return ReferenceGuest.builder().ramBlock("pc.ram", RAM).vcpus(1)
                .workload(Workload.sequentialSweep(SWEEP_FROM, SWEEP_TO));
    }

    /** Two sweeping guests, converge parameters on the source. */
    static GuestPair create() {
        return create(sweeping(), sweeping());
    }

    static GuestPair create(ReferenceGuest.Builder src, ReferenceGuest.Builder dst) {
        return new GuestPair(src, g -> g, dst, g -> g);
    }

    /** Guests wrapped before their VMs are made (extra devices or blocks). */
    static GuestPair create(ReferenceGuest.Builder src, Function<ReferenceGuest, Guest> srcWrap,
            ReferenceGuest.Builder dst, Function<ReferenceGuest, Guest> dstWrap) {
        return new GuestPair(src, srcWrap, dst, dstWrap);
    }

    static List<MigrationCapabilityStatus> on(MigrationCapability... caps) {
        return Arrays.stream(caps).map(c -> new MigrationCapabilityStatus(c, true)).toList();
    }

    ReferenceGuest srcGuest() {
        return srcGuest;
    }

    MigrationControl source() {
        return source;
    }

    ReferenceGuest dstGuest() {
        return dstGuest;
    }

    MigrationControl destination() {
        return destination;
    }

    /** Replaces the destination with a fresh one (the old one stays open until {@link #close()}). */
    MigrationControl newDestination() {
        return newDestination(dstBuilder);
    }

    /** A fresh destination built differently (wrapped as the first one was). */
    MigrationControl newDestination(ReferenceGuest.Builder builder) {
        dstGuest = builder.build();
        resources.add(dstGuest);
        destination = MigrationControl.create(dstWrap.apply(dstGuest), StartMode.INCOMING);
        resources.add(destination);
        destination.stop(); // autostart off: the destination stays paused
        return destination;
    }

    /** Closes the current destination VM and guest now (to free its RAM before making another). */
    void discardDestination() {
        destination.close();
        dstGuest.close();
        resources.remove(destination);
        resources.remove(dstGuest);
    }

    /** {@code migrate-incoming tcp:127.0.0.1:0}; returns the URI the source connects to. */
    String listenTcp() {
        destination.migrateIncoming("tcp:127.0.0.1:0");
        return "tcp:127.0.0.1:" + port(destination);
    }

    static int port(MigrationControl vm) {
        return Integer.parseInt(((SocketAddress.Inet) vm.queryMigrate().socketAddress().orElseThrow().getFirst())
                .port());
    }

    void add(AutoCloseable resource) {
        resources.add(resource);
    }

    static MigrationStatus status(MigrationControl vm) {
        return vm.queryMigrate().status().orElse(MigrationStatus.NONE);
    }

    /** Waits until the VM's migration status is completed, failed or cancelled. */
    static MigrationInfo awaitFinal(MigrationControl vm) throws InterruptedException {
        Migrations.await("a final status", vm, () -> FINAL.contains(status(vm)));
        return vm.queryMigrate();
    }

    /** Waits until the destination completed or failed. */
    static MigrationStatus awaitDestinationSettled(MigrationControl vm) throws InterruptedException {
        Migrations.await("the destination to settle", vm,
                () -> status(vm) == MigrationStatus.COMPLETED || status(vm) == MigrationStatus.FAILED);
        return status(vm);
    }

    /**
     * Both sides completed: the source in postmigrate, the destination paused with the source's
     * RAM byte for byte, the workload position restored and the sweep pattern intact.
     */
    MigrationInfo assertCompleted() throws InterruptedException {
        MigrationInfo done = Migrations.awaitStatus(source, MigrationStatus.COMPLETED);
        Migrations.await("destination completed", destination,
                () -> status(destination) == MigrationStatus.COMPLETED);
        assertEquals(RunState.POSTMIGRATE, source.runState());
        assertEquals(RunState.PAUSED, destination.runState());
        Migrations.assertSameRam(srcGuest.ramBlocks(), dstGuest.ramBlocks());
        assertEquals(srcGuest.progress(), dstGuest.progress(), "device state (workload position) restored");
        SweepCheck check = ReferenceGuest.checkSweep(dstGuest.ramBlocks().getFirst().memory(), SWEEP_FROM, SWEEP_TO);
        assertTrue(check.consistent(), check.message());
        return done;
    }

    /**
     * After a migration that did not complete: the source guest runs again, its RAM holds a
     * consistent sweep (nothing the engine did damaged it) and it keeps making passes.
     */
    void assertSourceSurvived() throws InterruptedException {
        assertEquals(RunState.RUNNING, source.runState(), "source run state");
        assertTrue(srcGuest.referenceVcpus().running(), "source vCPUs run");
        long passes = srcGuest.passes();
        Migrations.await("source guest making passes", source, () -> srcGuest.passes() > passes + 1);
        source.stop();
        SweepCheck check = ReferenceGuest.checkSweep(srcGuest.ramBlocks().getFirst().memory(), SWEEP_FROM, SWEEP_TO);
        assertTrue(check.consistent(), check.message());
        source.cont();
        assertEquals(RunState.RUNNING, source.runState());
    }

    /** The destination rejected the stream: failed, still inmigrate, its guest never ran. */
    void assertDestinationNotStarted() throws InterruptedException {
        MigrationStatus s = awaitDestinationSettled(destination);
        assertEquals(MigrationStatus.FAILED, s, "destination: " + destination.queryMigrate());
        assertEquals(RunState.INMIGRATE, destination.runState());
        assertFalse(dstGuest.referenceVcpus().running(), "destination vCPUs must not run");
        assertEquals(0, dstGuest.pagesWritten(), "the destination guest wrote memory: it ran");
    }

    /** A retry to a fresh destination completes with equal RAM (the source's dirty tracking is intact). */
    void assertRetryCompletes() throws InterruptedException {
        assertRetryCompletesTo(dstBuilder);
    }

    /** As {@link #assertRetryCompletes()}, to a destination built with {@code builder}. */
    void assertRetryCompletesTo(ReferenceGuest.Builder builder) throws InterruptedException {
        source.setParameters(Migrations.converge());
        newDestination(builder);
        source.migrate(listenTcp());
        assertCompleted();
    }

    /** The destination's error-desc (Tern reports why a destination failed). */
    static String errorOf(MigrationControl vm) {
        return vm.queryMigrate().errorDesc().orElseGet(() -> fail("no error-desc: " + vm.queryMigrate()));
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable r : resources.reversed()) {
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing " + r + " failed", e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
