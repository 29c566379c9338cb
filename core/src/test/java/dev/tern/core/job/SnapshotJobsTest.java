package dev.tern.core.job;

import static dev.tern.api.job.JobStatus.ABORTING;
import static dev.tern.api.job.JobStatus.CONCLUDED;
import static dev.tern.api.job.JobStatus.CREATED;
import static dev.tern.api.job.JobStatus.NULL;
import static dev.tern.api.job.JobStatus.PENDING;
import static dev.tern.api.job.JobStatus.RUNNING;
import static dev.tern.api.job.JobStatus.WAITING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationException;
import dev.tern.api.event.JobStatusChangeEvent;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.guest.BlockDevices;
import dev.tern.api.guest.Guest;
import dev.tern.api.guest.RamBlock;
import dev.tern.api.job.JobInfo;
import dev.tern.api.job.JobStatus;
import dev.tern.api.job.JobType;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotJobsTest {
    private static final Instant NOW = Instant.parse("2022-12-14T10:00:00.123456Z");
    private static final List<JobStatus> SUCCESS = List.of(CREATED, RUNNING, WAITING, PENDING, CONCLUDED);
    private static final List<JobStatus> FAILURE = List.of(CREATED, RUNNING, ABORTING, CONCLUDED);
    private static final List<String> BOTH = List.of("disk0", "disk1");

    private final FakeHost host = new FakeHost();
    private final FakeBlocks blocks = new FakeBlocks();
    private final FakeBlocks.Store disk0 = blocks.store("disk0");
    private final FakeBlocks.Store disk1 = blocks.store("disk1");
    private final List<MigrationEvent> events = new CopyOnWriteArrayList<>();
    private SnapshotJobs jobs = jobsFor(Optional.of(blocks));

    {
        blocks.raw("raw0");
        blocks.readOnly("ro0");
    }

    private SnapshotJobs jobsFor(Optional<BlockDevices> devices) {
        Guest guest = new Guest() {
            @Override
            public String machineType() {
                return "none";
            }

            @Override
            public List<RamBlock> ramBlocks() {
                return List.of();
            }

            @Override
            public Optional<BlockDevices> blockDevices() {
                return devices;
            }
        };
        return new SnapshotJobs(guest, host, events::add, InstantSource.fixed(NOW));
    }

    @AfterEach
    void noThreadLeft() {
        jobs.close();
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("snapshot-job") && t.isAlive()).count());
    }

    private JobInfo finish(String id) throws InterruptedException {
        for (int i = 0; i < 10_000; i++) {
            for (JobInfo info : jobs.query()) {
                if (info.id().equals(id) && info.status() == CONCLUDED) {
                    return info;
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError("job " + id + " did not conclude");
    }

    private List<JobStatus> statuses(String id) {
        return events.stream().map(JobStatusChangeEvent.class::cast).filter(e -> e.id().equals(id))
                .map(JobStatusChangeEvent::status).toList();
    }

    private String saveError(String tag, String vmstate, List<String> devices) throws InterruptedException {
        jobs.save("save0", tag, vmstate, devices);
        JobInfo info = finish("save0");
        assertEquals(FAILURE, statuses("save0"));
        return info.error().orElseThrow();
    }

    private String loadError(String tag, String vmstate, List<String> devices) throws InterruptedException {
        jobs.load("load0", tag, vmstate, devices);
        JobInfo info = finish("load0");
        assertEquals(FAILURE, statuses("load0"));
        return info.error().orElseThrow();
    }

    private String deleteError(String tag, List<String> devices) throws InterruptedException {
        jobs.delete("delete0", tag, devices);
        JobInfo info = finish("delete0");
        assertEquals(FAILURE, statuses("delete0"));
        return info.error().orElseThrow();
    }

    // ---- snapshot-save ----

    @Test
    void saveWritesTheVmStateToTheVmstateNodeAndSnapshotsEveryDevice() throws InterruptedException {
        jobs.save("save0", "snap0", "disk0", BOTH);
        assertEquals(new JobInfo("save0", JobType.SNAPSHOT_SAVE, CONCLUDED, 1, 1, Optional.empty()), finish("save0"));
        assertEquals(SUCCESS, statuses("save0"));
        assertEquals(Optional.of(FakeHost.VM_STATE), disk0.vmState("snap0"));
        assertEquals(Optional.empty(), disk1.vmState("snap0"), "disk1 holds a disk-only snapshot");
        assertEquals(List.of("pause save-vm", "save", "resume"), host.log());
        assertTrue(events.stream().allMatch(e -> e.timestamp().equals(NOW) && e.qapiName().equals("JOB_STATUS_CHANGE")));
    }

    @Test
    void saveLeavesAPausedVmPaused() throws InterruptedException {
        host.running = false;
        jobs.save("save0", "snap0", "disk0", BOTH);
        finish("save0");
        assertEquals(List.of("pause save-vm", "save"), host.log());
    }

    @Test
    void createdAndRunningAreAnnouncedBeforeTheCommandReturns() throws InterruptedException {
        host.saveGate = new CountDownLatch(1);
        jobs.save("save0", "snap0", "disk0", BOTH);
        assertEquals(List.of(CREATED, RUNNING), statuses("save0"));
        assertTrue(host.saving.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(new JobInfo("save0", JobType.SNAPSHOT_SAVE, RUNNING, 0, 1, Optional.empty())),
                jobs.query());
        host.saveGate.countDown();
        finish("save0");
    }

    @Test
    void aFailedJobAbortsAndReportsItsErrorWithFullProgress() throws InterruptedException {
        jobs.save("save0", "snap0", "disk0", List.of());
        assertEquals(new JobInfo("save0", JobType.SNAPSHOT_SAVE, CONCLUDED, 1, 1,
                Optional.of("At least one device is required for snapshot")), finish("save0"));
        assertEquals(FAILURE, statuses("save0"));
        assertEquals(List.of(), host.log(), "checks fail before the VM is stopped");
    }

    @Test
    void aMigrationBlockerIsTheFirstCheck() throws InterruptedException {
        host.blockers = List.of("Migration is disabled when VirtFS export path '/x' is mounted", "second");
        assertEquals("Migration is disabled when VirtFS export path '/x' is mounted", saveError("snap0", "disk0", List.of()));
        assertEquals(List.of(), host.log());
    }

    @Test
    void saveRefusesUnknownNodesBeforeCheckingAnyNodesCapability() throws InterruptedException {
        assertEquals("No block device node 'nope'", saveError("snap0", "disk0", List.of("raw0", "nope")));
    }

    @Test
    void saveRefusesANodeWithoutSnapshotStorage() throws InterruptedException {
        assertEquals("Device 'raw0' is writable but does not support snapshots",
                saveError("snap0", "disk0", List.of("disk0", "raw0")));
        assertFalse(disk0.has("snap0"));
    }

    @Test
    void saveRefusesAReadOnlyNodeWithQemusText() throws InterruptedException {
        assertEquals("Device 'ro0' is writable but does not support snapshots", saveError("snap0", "ro0", List.of("ro0")));
    }

    @Test
    void saveRefusesATagPresentOnAnyListedDevice() throws InterruptedException {
        disk1.with("snap0", "older");
        assertEquals("Snapshot 'snap0' already exists in one or more devices", saveError("snap0", "disk0", BOTH));
        assertEquals(Optional.of("older"), disk1.vmState("snap0"));
        assertFalse(disk0.has("snap0"));
        assertEquals(List.of(), host.log());
    }

    @Test
    void theVmstateNodeMustBeListed() throws InterruptedException {
        assertEquals("vmstate block device 'disk1' does not exist", saveError("snap0", "disk1", List.of("disk0")));
    }

    @Test
    void anUnknownVmstateNodeDoesNotExist() throws InterruptedException {
        assertEquals("vmstate block device 'zzz' does not exist", saveError("snap0", "zzz", BOTH));
    }

    @Test
    void aVmstateNodeThatStoppedTakingSnapshotsIsReported() throws InterruptedException {
        // Writable for the device check, read-only by the time the vmstate node is chosen.
        blocks.store("flaky").writableAnswers(true, false);
        assertEquals("vmstate block device 'flaky' does not support snapshots",
                saveError("snap0", "flaky", List.of("flaky")));
    }

    @Test
    void aRunningMigrationIsFoundAfterTheVmStopped() throws InterruptedException {
        host.migrationRunning = true;
        assertEquals("There's a migration process in progress", saveError("snap0", "disk0", BOTH));
        assertEquals(List.of("pause save-vm", "resume"), host.log());
        assertFalse(disk0.has("snap0"));
    }

    @Test
    void blockMigrationIsIncompatible() throws InterruptedException {
        host.blockMigration = true;
        assertEquals("Block migration and snapshots are incompatible", saveError("snap0", "disk0", BOTH));
        assertEquals(List.of("pause save-vm", "resume"), host.log());
    }

    @Test
    void aVmStateAreaThatCannotBeOpenedFailsTheSave() throws InterruptedException {
        disk0.failing("writeVmState", new IOException("EACCES"));
        assertEquals("Could not open VM state file", saveError("snap0", "disk0", BOTH));
        assertEquals(List.of("pause save-vm", "resume"), host.log());
    }

    @Test
    void aWriteErrorIsReportedWithItsCause() throws InterruptedException {
        host.saveFailure = new IOException("No space left on device");
        assertEquals("Error while writing VM state: No space left on device", saveError("snap0", "disk0", BOTH));
        assertFalse(disk0.has("snap0"));
        assertEquals(List.of("pause save-vm", "save", "resume"), host.log());
    }

    @Test
    void aFailedCreateRollsBackTheSnapshotsAlreadyTaken() throws InterruptedException {
        disk1.failing("create", new IOException("refcount overflow"));
        assertEquals("Could not create snapshot 'snap0' on 'disk1'", saveError("snap0", "disk0", BOTH));
        assertFalse(disk0.has("snap0"));
        assertFalse(disk1.has("snap0"));
        assertEquals(List.of("disk0 writeVmState snap0", "disk0 create snap0", "disk1 create snap0",
                "disk0 delete snap0"), blocks.operations());
        assertEquals("resume", host.log().getLast());
    }

    @Test
    void aGuestWithoutBlockDevicesHasNoNodes() throws InterruptedException {
        jobs.close();
        jobs = jobsFor(Optional.empty());
        assertEquals("No block device node 'disk0'", saveError("snap0", "disk0", List.of("disk0")));
        jobs.delete("delete0", "snap0", List.of());
        assertEquals(Optional.of("At least one device is required for snapshot"), finish("delete0").error());
    }

    // ---- snapshot-load ----

    @Test
    void loadRevertsEveryDeviceAndLoadsTheVmState() throws InterruptedException {
        disk0.with("snap0", "saved-state");
        disk1.withDiskOnly("snap0");
        jobs.load("load0", "snap0", "disk0", BOTH);
        assertEquals(new JobInfo("load0", JobType.SNAPSHOT_LOAD, CONCLUDED, 1, 1, Optional.empty()), finish("load0"));
        assertEquals(SUCCESS, statuses("load0"));
        assertEquals(List.of("pause restore-vm", "load saved-state", "resume"), host.log());
        assertEquals(List.of("disk0 readVmState snap0", "disk0 revert snap0", "disk1 revert snap0"), blocks.operations());
    }

    @Test
    void loadLeavesAPausedVmPaused() throws InterruptedException {
        disk0.with("snap0", "saved-state");
        disk1.withDiskOnly("snap0");
        host.running = false;
        jobs.load("load0", "snap0", "disk0", BOTH);
        finish("load0");
        assertEquals(List.of("pause restore-vm", "load saved-state"), host.log());
    }

    @Test
    void loadNeedsTheTagOnEveryDeviceAndStopsTheVmFirst() throws InterruptedException {
        disk0.with("snap0", "saved-state");
        assertEquals("Snapshot 'snap0' does not exist in one or more devices", loadError("snap0", "disk0", BOTH));
        assertEquals(List.of("pause restore-vm"), host.log());
    }

    @Test
    void loadChecksTheDevicesWithTheVmStopped() throws InterruptedException {
        assertEquals("At least one device is required for snapshot", loadError("snap0", "disk0", List.of()));
        assertEquals(List.of("pause restore-vm"), host.log());
        jobs.dismiss("load0");
        events.clear();
        assertEquals("Device 'raw0' is writable but does not support snapshots", loadError("snap0", "raw0", List.of("raw0")));
    }

    @Test
    void loadNeedsTheVmstateNodeAmongTheDevices() throws InterruptedException {
        disk0.with("snap0", "saved-state");
        assertEquals("vmstate block device 'disk1' does not exist", loadError("snap0", "disk1", List.of("disk0")));
    }

    @Test
    void aDiskOnlySnapshotIsNotLoadedAndNothingIsReverted() throws InterruptedException {
        disk0.with("snap0", "saved-state");
        disk1.withDiskOnly("snap0");
        assertEquals("This is a disk-only snapshot. Revert to it  offline using qemu-img", loadError("snap0", "disk1", BOTH));
        assertEquals(List.of("disk1 readVmState snap0"), blocks.operations());
        assertEquals(List.of("pause restore-vm"), host.log());
    }

    @Test
    void aVmStateThatCannotBeOpenedFailsTheLoad() throws InterruptedException {
        disk0.with("snap0", "saved-state").failing("readVmState", new IOException("EIO"));
        assertEquals("Could not open VM state file", loadError("snap0", "disk0", List.of("disk0")));
    }

    @Test
    void aFailedRevertNamesTheDeviceAndItsError() throws InterruptedException {
        disk0.with("snap0", "saved-state");
        disk1.withDiskOnly("snap0").failing("revert", new IOException("corrupt L1 table"));
        assertEquals("Could not load snapshot 'snap0' on 'disk1': corrupt L1 table", loadError("snap0", "disk0", BOTH));
        assertEquals(List.of("pause restore-vm"), host.log());
    }

    @Test
    void aStreamThatDoesNotLoadReportsMinus22AndTheVmStaysStopped() throws InterruptedException {
        disk0.with("snap0", "saved-state");
        host.loadFailure = new IOException("Unknown savevm section or instance 'virtio-rng' 0");
        assertEquals("Error -22 while loading VM state", loadError("snap0", "disk0", List.of("disk0")));
        assertEquals(List.of("pause restore-vm", "load saved-state"), host.log());
    }

    // ---- snapshot-delete ----

    @Test
    void deletingATagThatExistsNowhereSucceeds() throws InterruptedException {
        jobs.delete("delete0", "snap0", BOTH);
        assertEquals(new JobInfo("delete0", JobType.SNAPSHOT_DELETE, CONCLUDED, 1, 1, Optional.empty()),
                finish("delete0"));
        assertEquals(SUCCESS, statuses("delete0"));
        assertEquals(List.of(), blocks.operations());
        assertEquals(List.of(), host.log(), "delete does not stop the VM");
    }

    @Test
    void deleteRemovesTheTagWhereItExists() throws InterruptedException {
        disk0.with("snap0", "saved-state");
        disk0.with("snap1", "other");
        jobs.delete("delete0", "snap0", BOTH);
        assertEquals(Optional.empty(), finish("delete0").error());
        assertFalse(disk0.has("snap0"));
        assertTrue(disk0.has("snap1"));
        assertEquals(List.of("disk0 delete snap0"), blocks.operations());
    }

    @Test
    void aFailedDeleteNamesTheDeviceAndItsError() throws InterruptedException {
        disk0.with("snap0", "saved-state").failing("delete", new IOException("image is locked"));
        disk1.with("snap0", "saved-state");
        assertEquals("Could not delete snapshot 'snap0' on 'disk0': image is locked", deleteError("snap0", BOTH));
        assertTrue(disk1.has("snap0"), "the first failure ends the job");
    }

    @Test
    void deleteChecksTheDevices() throws InterruptedException {
        assertEquals("Device 'raw0' is writable but does not support snapshots", deleteError("snap0", List.of("raw0")));
        jobs.dismiss("delete0");
        events.clear();
        assertEquals("No block device node 'nope'", deleteError("snap0", List.of("nope")));
    }

    // ---- job ids, query-jobs, job-dismiss ----

    @Test
    void jobIdsMustStartWithALetterAndUseOnlyLettersDigitsAndDashDotUnderscore() throws InterruptedException {
        for (String bad : List.of("", "1job", "-job", "_job", "job 1", "job/1", "jöb", "é", "job+")) {
            assertEquals("Invalid job ID '" + bad + "'", assertThrows(MigrationException.class,
                    () -> jobs.save(bad, "snap0", "disk0", BOTH)).getMessage());
            assertEquals("Invalid job ID '" + bad + "'", assertThrows(MigrationException.class,
                    () -> jobs.load(bad, "snap0", "disk0", BOTH)).getMessage());
            assertEquals("Invalid job ID '" + bad + "'", assertThrows(MigrationException.class,
                    () -> jobs.delete(bad, "snap0", BOTH)).getMessage());
        }
        assertEquals(List.of(), events);
        jobs.delete("a", "snap0", BOTH);
        jobs.delete("Z9-._x", "snap0", BOTH);
        finish("a");
        finish("Z9-._x");
    }

    @Test
    void aJobIdStaysInUseUntilDismissed() throws InterruptedException {
        jobs.delete("job", "snap0", BOTH);
        finish("job");
        for (Runnable again : List.<Runnable>of(() -> jobs.save("job", "snap0", "disk0", BOTH),
                () -> jobs.load("job", "snap0", "disk0", BOTH), () -> jobs.delete("job", "snap0", BOTH))) {
            assertEquals("Job ID 'job' already in use", assertThrows(MigrationException.class, again::run).getMessage());
        }
        jobs.dismiss("job");
        jobs.delete("job", "snap0", BOTH);
        finish("job");
    }

    @Test
    void dismissRemovesAConcludedJobAndAnnouncesNull() throws InterruptedException {
        jobs.delete("delete0", "snap0", BOTH);
        finish("delete0");
        jobs.dismiss("delete0");
        assertEquals(List.of(CREATED, RUNNING, WAITING, PENDING, CONCLUDED, NULL), statuses("delete0"));
        assertEquals(List.of(), jobs.query());
        assertEquals("Job not found", assertThrows(MigrationException.class, () -> jobs.dismiss("delete0")).getMessage());
    }

    @Test
    void dismissOfAnUnknownJobIsRefused() {
        assertEquals("Job not found", assertThrows(MigrationException.class, () -> jobs.dismiss("ghost")).getMessage());
    }

    @Test
    void aJobThatHasNotConcludedCannotBeDismissed() throws InterruptedException {
        host.saveGate = new CountDownLatch(1);
        jobs.save("save0", "snap0", "disk0", BOTH);
        assertTrue(host.saving.await(10, TimeUnit.SECONDS));
        assertEquals("Job 'save0' in state 'running' cannot accept command verb 'dismiss'",
                assertThrows(MigrationException.class, () -> jobs.dismiss("save0")).getMessage());
        host.saveGate.countDown();
        finish("save0");
        jobs.dismiss("save0");
    }

    @Test
    void jobsRunOneAtATimeAndAreListedNewestFirst() throws InterruptedException {
        host.saveGate = new CountDownLatch(1);
        jobs.save("first", "snap0", "disk0", BOTH);
        assertTrue(host.saving.await(10, TimeUnit.SECONDS));
        jobs.delete("second", "snap0", BOTH);
        // The second job waits for the worker: running, but its work has not started.
        assertEquals(List.of(new JobInfo("second", JobType.SNAPSHOT_DELETE, RUNNING, 0, 0, Optional.empty()),
                new JobInfo("first", JobType.SNAPSHOT_SAVE, RUNNING, 0, 1, Optional.empty())), jobs.query());
        host.saveGate.countDown();
        finish("second");
        // It ran after the save: the snapshot the save took is gone again.
        assertFalse(disk0.has("snap0"));
        assertEquals(List.of("second", "first"), jobs.query().stream().map(JobInfo::id).toList());
    }

    @Test
    void aThrowingEventConsumerDoesNotStopTheJob() throws InterruptedException {
        jobs.close();
        jobs = new SnapshotJobs(new Guest() {
            @Override
            public String machineType() {
                return "none";
            }

            @Override
            public List<RamBlock> ramBlocks() {
                return List.of();
            }

            @Override
            public Optional<BlockDevices> blockDevices() {
                return Optional.of(blocks);
            }
        }, host, e -> {
            throw new IllegalStateException("listener bug");
        }, InstantSource.fixed(NOW));
        jobs.save("save0", "snap0", "disk0", BOTH);
        assertEquals(Optional.empty(), finish("save0").error());
    }

    @Test
    void closeWaitsForTheRunningJobAndThenRefusesNewOnes() throws InterruptedException {
        host.saveGate = new CountDownLatch(1);
        jobs.save("save0", "snap0", "disk0", BOTH);
        assertTrue(host.saving.await(10, TimeUnit.SECONDS));
        List<JobInfo> seenAfterClose = new CopyOnWriteArrayList<>();
        Thread closer = Thread.ofPlatform().start(() -> {
            jobs.close();
            seenAfterClose.addAll(jobs.query());
        });
        host.saveGate.countDown();
        closer.join();
        assertEquals(CONCLUDED, seenAfterClose.getFirst().status());
        assertThrows(IllegalStateException.class, () -> jobs.delete("delete0", "snap0", BOTH));
    }
}
