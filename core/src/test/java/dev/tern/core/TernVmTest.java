package dev.tern.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrateOptions;
import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationCapability;
import dev.tern.api.MigrationCapabilityStatus;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationException;
import dev.tern.api.MigrationStatus;
import dev.tern.api.RunState;
import dev.tern.api.StartMode;
import dev.tern.api.UnavailableFeatureException;
import dev.tern.api.colo.ColoExitReason;
import dev.tern.api.colo.ColoMode;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.event.MigrationStatusEvent;
import dev.tern.api.info.MigrationInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control object's commands through {@link MigrationControl#create}: argument and state
 * checks in QEMU 7.2's order, with QEMU's texts, and what they leave behind in query-migrate.
 */
class TernVmTest {
    private final TestGuest guest = new TestGuest(1 << 20);
    private final List<MigrationEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> transitions = new CopyOnWriteArrayList<>();
    private MigrationControl vm;

    private MigrationControl vm(StartMode mode) {
        vm = MigrationControl.create(guest, mode);
        vm.addEventListener(events::add);
        vm.addStatusListener((side, from, to) -> transitions.add(side + ":" + from.qapiName() + "->" + to.qapiName()));
        return vm;
    }

    @AfterEach
    void close() {
        if (vm != null) {
            vm.close();
        }
        guest.close();
    }

    private static String message(Runnable command) {
        return assertThrows(MigrationException.class, command::run).getMessage();
    }

    private void caps(MigrationCapability... on) {
        vm.setCapabilities(java.util.Arrays.stream(on).map(c -> new MigrationCapabilityStatus(c, true)).toList());
    }

    @Test
    void createsTheEngineThroughTheServiceLoader() {
        assertInstanceOf(TernVm.class, vm(StartMode.RUNNING));
        assertEquals(RunState.RUNNING, vm.runState());
        assertEquals(guest, vm.guest());
    }

    @Test
    void queryMigrateBeforeAnyMigrationIsEmpty() {
        MigrationInfo info = vm(StartMode.RUNNING).queryMigrate();
        assertEquals(MigrationInfo.builder().build(), info);
    }

    @Test
    void blockersAppearInQueryMigrateAndRefuseMigrate() {
        guest.blockers.add("non-migratable device: vfio0");
        vm(StartMode.PAUSED);
        assertEquals(Optional.of(List.of("non-migratable device: vfio0")), vm.queryMigrate().blockedReasons());
        assertEquals("non-migratable device: vfio0", message(() -> vm.migrate("tcp:127.0.0.1:4444")));
        assertEquals(MigrationStatus.NONE, vm.queryMigrate().status().orElse(MigrationStatus.NONE));
    }

    @Test
    void migrateOnADestinationIsRefused() {
        vm(StartMode.INCOMING);
        assertEquals("Guest is waiting for an incoming migration", message(() -> vm.migrate("unix:/tmp/x")));
    }

    @Test
    void blockMigrationArgumentsAreRefusedAsInABuildWithoutIt() {
        vm(StartMode.RUNNING);
        MigrateOptions blk = new MigrateOptions(Optional.of(true), Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals("QEMU compiled without old-style (blk/-b, inc/-i) block migration",
                message(() -> vm.migrate("unix:/tmp/x", blk)));
        caps(MigrationCapability.X_COLO);
        assertEquals("No disk migration is required in COLO mode", message(() -> vm.migrate("unix:/tmp/x", blk)));
        vm.setCapabilities(List.of(new MigrationCapabilityStatus(MigrationCapability.X_COLO, false)));
        vm.setParameters(MigrateSetParameters.builder().blockIncremental(true).build());
        MigrateOptions inc = new MigrateOptions(Optional.empty(), Optional.of(true), Optional.empty(), Optional.empty());
        assertEquals("Command options are incompatible with current migration capabilities",
                message(() -> vm.migrate("unix:/tmp/x", inc)));
    }

    @Test
    void aRunningGuestWithoutDirtyLogCannotMigrateLive() {
        vm(StartMode.RUNNING);
        String text = assertThrows(UnavailableFeatureException.class, () -> vm.migrate("tcp:127.0.0.1:4444")).getMessage();
        assertTrue(text.contains("DirtyLog"), text);
        assertTrue(vm.queryMigrate().status().isEmpty(), "refused before setup, like a blocker");
    }

    @Test
    void unknownSchemeFailsTheMigrationWithoutAnErrorDesc() {
        vm(StartMode.PAUSED);
        caps(MigrationCapability.EVENTS);
        assertEquals("Parameter 'uri' expects a valid migration protocol", message(() -> vm.migrate("carrier-pigeon:1")));
        MigrationInfo info = vm.queryMigrate();
        assertEquals(Optional.of(MigrationStatus.FAILED), info.status());
        assertEquals(Optional.empty(), info.errorDesc());
        assertEquals(List.of("SOURCE:none->setup", "SOURCE:setup->failed"), transitions);
        assertEquals(List.of(MigrationStatus.SETUP, MigrationStatus.FAILED), events.stream()
                .map(e -> ((MigrationStatusEvent) e).status()).toList());
    }

    @Test
    void malformedAddressFailsTheMigrationWithTheParserMessage() {
        vm(StartMode.PAUSED);
        String text = message(() -> vm.migrate("tcp:127.0.0.1:port"));
        assertEquals("error parsing port in address '127.0.0.1:port'", text);
        assertEquals(Optional.of(text), vm.queryMigrate().errorDesc());
        assertTrue(events.isEmpty(), "events capability is off");
    }

    @Test
    void aRefusedConnectionFailsTheMigrationInTheBackgroundAndCanBeRetried() throws InterruptedException {
        vm(StartMode.PAUSED);
        for (int attempt = 0; attempt < 2; attempt++) {
            vm.migrate("tcp:127.0.0.1:1");
            awaitSourceStatus(MigrationStatus.FAILED);
            String text = vm.queryMigrate().errorDesc().orElseThrow();
            assertTrue(text.startsWith("Failed to connect to '127.0.0.1:1'"), text);
        }
        assertEquals(RunState.PRELAUNCH, vm.runState());
    }

    private void awaitSourceStatus(MigrationStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (vm.queryMigrate().status().orElse(MigrationStatus.NONE) != status) {
            if (System.nanoTime() > deadline) {
                org.junit.jupiter.api.Assertions.fail("gave up waiting for " + status.qapiName() + ": " + vm.queryMigrate());
            }
            Thread.sleep(2);
        }
    }

    @Test
    void rdmaAndVsockAreRefusedWithTheirReason() {
        vm(StartMode.PAUSED);
        assertTrue(message(() -> vm.migrate("rdma:127.0.0.1:4444")).contains("RDMA"));
        assertTrue(message(() -> vm.migrate("vsock:3:4444")).contains("vsock"));
    }

    @Test
    void resumeNeedsAPausedPostcopy() {
        vm(StartMode.RUNNING);
        assertEquals("Cannot resume if there is no paused migration",
                message(() -> vm.migrate("unix:/tmp/x", MigrateOptions.resuming())));
    }

    @Test
    void migrateIncomingRules() {
        vm(StartMode.RUNNING);
        assertEquals("'-incoming' was not specified on the command line", message(() -> vm.migrateIncoming("tcp::0")));
    }

    @Test
    void migrateIncomingAnnouncesSetupUnconditionallyAndStartsOnce() {
        vm(StartMode.INCOMING);
        assertEquals("unknown migration protocol: bogus:1", message(() -> vm.migrateIncoming("bogus:1")));
        assertEquals(List.of(MigrationStatus.SETUP), events.stream().map(e -> ((MigrationStatusEvent) e).status()).toList());
        vm.migrateIncoming("tcp:127.0.0.1:0");
        assertEquals(2, events.size());
        var address = (dev.tern.api.info.SocketAddress.Inet) vm.queryMigrate().socketAddress().orElseThrow().getFirst();
        assertEquals("127.0.0.1", address.host());
        assertTrue(Integer.parseInt(address.port()) > 0, "port 0 reports the bound port");
        assertEquals("The incoming migration has already been started", message(() -> vm.migrateIncoming("tcp:127.0.0.1:0")));
        assertEquals(RunState.INMIGRATE, vm.runState());
        assertTrue(vm.queryMigrate().status().isEmpty(), "no status until a source connects");
    }

    @Test
    void migrateContinueComparesTheState() {
        vm(StartMode.RUNNING);
        assertEquals("Migration not in expected state: none", message(() -> vm.continueMigration(MigrationStatus.PRE_SWITCHOVER)));
    }

    @Test
    void startPostcopyChecksInQemusOrder() throws InterruptedException {
        vm(StartMode.PAUSED);
        assertEquals("Enable postcopy with migrate_set_capability before the start of migration",
                message(vm::startPostcopy));
        caps(MigrationCapability.DIRTY_BITMAPS);
        assertEquals("Postcopy must be started after migration has been started", message(vm::startPostcopy));
        vm.migrate("tcp:127.0.0.1:1");
        awaitSourceStatus(MigrationStatus.FAILED);
        vm.startPostcopy(); // after a migration ended: accepted and harmless
    }

    @Test
    void postcopyOnlyCommands() {
        vm(StartMode.RUNNING);
        assertEquals("migrate-pause is currently only supported during postcopy-active state", message(vm::pause));
        assertEquals("Migrate recover can only be run when postcopy is paused.", message(() -> vm.recover("tcp::0")));
    }

    @Test
    void cancelWithoutAMigrationDoesNothing() throws InterruptedException {
        vm(StartMode.PAUSED);
        vm.cancel();
        assertTrue(transitions.isEmpty());
        vm.migrate("tcp:127.0.0.1:1");
        awaitSourceStatus(MigrationStatus.FAILED);
        vm.cancel();
        assertEquals(Optional.of(MigrationStatus.FAILED), vm.queryMigrate().status());
    }

    @Test
    void capabilitiesCannotChangeAfterARejectedSet() {
        vm(StartMode.RUNNING);
        caps(MigrationCapability.XBZRLE);
        assertEquals("Multifd is not compatible with compress",
                message(() -> caps(MigrationCapability.MULTIFD, MigrationCapability.COMPRESS)));
        assertEquals(List.of(MigrationCapability.XBZRLE), vm.queryCapabilities().stream()
                .filter(MigrationCapabilityStatus::state).map(MigrationCapabilityStatus::capability).toList());
    }

    @Test
    void xbzrleCacheStatsAreNotShownForAFailedMigration() throws InterruptedException {
        vm(StartMode.PAUSED);
        caps(MigrationCapability.XBZRLE);
        vm.migrate("tcp:127.0.0.1:1");
        awaitSourceStatus(MigrationStatus.FAILED);
        // failed shows status and error only; stats belong to active and completed states
        MigrationInfo info = vm.queryMigrate();
        assertFalse(info.xbzrleCache().isPresent());
        assertTrue(info.errorDesc().isPresent());
    }

    @Test
    void coloCommandsOutsideColo() {
        vm(StartMode.RUNNING);
        assertEquals("The feature 'colo' is not enabled", message(vm::coloLostHeartbeat));
        var status = vm.queryColoStatus();
        assertEquals(ColoMode.NONE, status.mode());
        assertEquals(ColoMode.NONE, status.lastMode());
        assertEquals(ColoExitReason.NONE, status.reason());
    }

    @Test
    void replicationActsOnNoFiltersAndChecksFailover() {
        vm(StartMode.RUNNING);
        assertEquals("Parameter 'failover' is only for stopping replication",
                message(() -> vm.setReplication(true, true, Optional.of(true))));
        vm.setReplication(true, true, Optional.empty());
        vm.setReplication(false, false, Optional.of(true));
        vm.coloCheckpoint();
        assertFalse(vm.queryReplicationStatus().error());
    }

    @Test
    void clientMigrateInfoHasNoSpiceToInform() {
        vm(StartMode.RUNNING);
        assertEquals("SPICE is not in use", message(() -> vm.clientMigrateInfo("spice", "host", OptionalLong.of(5900),
                OptionalLong.empty(), Optional.empty())));
        assertEquals("Parameter 'protocol' expects 'spice'", message(() -> vm.clientMigrateInfo("vnc", "host",
                OptionalLong.empty(), OptionalLong.empty(), Optional.empty())));
    }

    @Test
    void globalDirtyLogNeedsADirtyLog() {
        vm(StartMode.RUNNING);
        assertTrue(message(() -> vm.setGlobalDirtyLog(true)).contains("DirtyLog"));
        vm.close();
        guest.hasDirtyLog = true;
        vm(StartMode.RUNNING);
        vm.setGlobalDirtyLog(true);
        vm.setGlobalDirtyLog(false);
        assertEquals(List.of("start", "stop"), guest.dirtyLogCalls);
    }

    @Test
    void deviceStateCommandsNameTheMissingStream() {
        vm(StartMode.RUNNING);
        assertTrue(message(() -> vm.saveDeviceState("/tmp/x", Optional.empty())).contains("device state"));
        assertTrue(message(() -> vm.loadDeviceState("/tmp/x")).contains("device state"));
    }

    @Test
    void stopAndContOnARunningVm() {
        vm(StartMode.RUNNING);
        vm.stop();
        assertEquals(RunState.PAUSED, vm.runState());
        vm.cont();
        assertEquals(RunState.RUNNING, vm.runState());
    }

    @Test
    void stopAndContWhileWaitingForAMigrationOnlyChangeAutostart() {
        vm(StartMode.INCOMING);
        vm.stop();
        assertEquals(RunState.INMIGRATE, vm.runState());
        vm.cont();
        assertEquals(RunState.INMIGRATE, vm.runState());
    }

    @Test
    void pausedStartWaitsForCont() {
        vm(StartMode.PAUSED);
        assertEquals(RunState.PRELAUNCH, vm.runState());
        vm.cont();
        assertEquals(RunState.RUNNING, vm.runState());
    }

    @Test
    void fdRegistryFollowsGetfdAndClosefd() {
        vm(StartMode.RUNNING);
        assertEquals("File descriptor named 'fd-mig' not found", message(() -> vm.closeFd("fd-mig")));
        Channel channel = new Channel();
        vm.addFd("fd-mig", channel);
        vm.closeFd("fd-mig");
        assertFalse(channel.isOpen());
        assertEquals("File descriptor named 'fd-mig' not found", message(() -> vm.closeFd("fd-mig")));
    }

    @Test
    void vmmWritesRejectForeignBlocksAndRanges() {
        vm(StartMode.RUNNING);
        vm.vmmWrites().written(guest.ram(), 0, 4096);
        assertThrows(IndexOutOfBoundsException.class, () -> vm.vmmWrites().written(guest.ram(), 1 << 20, 1));
        try (TestGuest other = new TestGuest(4096)) {
            assertThrows(IllegalArgumentException.class, () -> vm.vmmWrites().written(other.ram(), 0, 1));
        }
    }

    @Test
    void dirtyLimitNeedsADirtyRing() {
        vm(StartMode.RUNNING);
        assertEquals("dirty page limit feature requires KVM with accelerator property 'dirty-ring-size' set'",
                message(() -> vm.setVcpuDirtyLimit(OptionalLong.empty(), 100)));
        vm.cancelVcpuDirtyLimit(OptionalLong.empty());
        assertEquals(List.of(), vm.queryVcpuDirtyLimit());
    }

    @Test
    void snapshotJobsReportMissingDevices() throws InterruptedException {
        vm(StartMode.RUNNING);
        assertEquals("Invalid job ID '1job'", message(() -> vm.snapshotSave("1job", "t", "disk0", List.of("disk0"))));
        vm.snapshotDelete("del0", "t", List.of("disk0"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (vm.queryJobs().getFirst().status() != dev.tern.api.job.JobStatus.CONCLUDED && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        var job = vm.queryJobs().getFirst();
        assertEquals(dev.tern.api.job.JobStatus.CONCLUDED, job.status());
        assertEquals(Optional.of("No block device node 'disk0'"), job.error());
        vm.dismissJob("del0");
        assertEquals(List.of(), vm.queryJobs());
    }

    @Test
    void sideOfEveryTransitionIsTheSource() throws InterruptedException {
        vm(StartMode.PAUSED);
        vm.migrate("unix:/tmp/nowhere-" + System.nanoTime());
        awaitSourceStatus(MigrationStatus.FAILED);
        assertTrue(transitions.stream().allMatch(t -> t.startsWith("SOURCE:")), transitions.toString());
    }

    /** A channel that only records whether it is open. */
    private static final class Channel implements ByteChannel {
        private boolean open = true;

        @Override
        public int read(ByteBuffer dst) {
            return -1;
        }

        @Override
        public int write(ByteBuffer src) {
            return 0;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() throws IOException {
            open = false;
        }
    }
}
