package dev.tern.core.job;

import dev.tern.api.MigrationException;
import dev.tern.api.event.JobStatusChangeEvent;
import dev.tern.api.event.MigrationEvent;
import dev.tern.api.guest.Guest;
import dev.tern.api.job.JobInfo;
import dev.tern.api.job.JobStatus;
import dev.tern.api.job.JobType;
import dev.tern.core.vm.QemuId;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The snapshot jobs of QEMU 7.2: QAPI {@code snapshot-save}, {@code snapshot-load},
 * {@code snapshot-delete}, and the job commands {@code query-jobs} and {@code job-dismiss}
 * as they apply to them (spec §13).
 *
 * <p>A command validates the job id, creates the job and returns; the work runs on one daemon
 * worker thread named {@code snapshot-job}, so jobs run one after another, as QEMU's
 * bottom halves do in its main loop. Each status change is announced by a
 * {@link JobStatusChangeEvent}: {@code created} and {@code running} before the command returns,
 * then {@code waiting}, {@code pending}, {@code concluded} on success, or {@code aborting},
 * {@code concluded} on failure, and {@code null} when the job is dismissed. Jobs are never
 * dismissed automatically. The event consumer is called with the job table locked, so events
 * of one job arrive in order; it must not block.
 */
public final class SnapshotJobs implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SnapshotJobs.class.getName());

    private final InternalSnapshots snapshots;
    private final Consumer<MigrationEvent> events;
    private final InstantSource clock;
    private final ExecutorService worker;
    // Every thread the executor made: termination is signalled before a worker thread has died,
    // so close() joins them too.
    private final List<Thread> workerThreads = new ArrayList<>();

    private final Object lock = new Object();
    // In creation order; guarded by lock.
    private final Map<String, SnapshotJob> jobs = new LinkedHashMap<>();
    private boolean closed;

    /**
     * Creates the job table of a VM.
     *
     * @param guest the guest; its {@link Guest#blockDevices()} hold the snapshots
     * @param host the VM control the jobs need
     * @param events receives every {@code JOB_STATUS_CHANGE}
     * @param clock timestamps the events
     */
    public SnapshotJobs(Guest guest, SnapshotHost host, Consumer<MigrationEvent> events, InstantSource clock) {
        Objects.requireNonNull(guest, "guest");
        this.snapshots = new InternalSnapshots(Objects.requireNonNull(host, "host"),
                new SnapshotDevices(guest.blockDevices()));
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.worker = Executors.newSingleThreadExecutor(task -> {
            Thread t = Thread.ofPlatform().daemon().name("snapshot-job").unstarted(task);
            synchronized (workerThreads) {
                workerThreads.add(t);
            }
            return t;
        });
    }

    /**
     * QAPI {@code snapshot-save}: saves the VM state to {@code vmstate} and snapshots every
     * listed node under {@code tag}. The guest is stopped while the state is written and
     * restarted afterwards if it was running.
     *
     * @param jobId {@code job-id}
     * @param tag {@code tag}: the snapshot name; must not exist yet on any listed node
     * @param vmstate {@code vmstate}: the node that stores the VM state, one of {@code devices}
     * @param devices {@code devices}: the node names to snapshot
     * @throws MigrationException "Invalid job ID '%s'" or "Job ID '%s' already in use"; every
     *     other failure is the job's error in {@link #query()}
     * @throws IllegalStateException after {@link #close()}
     */
    public void save(String jobId, String tag, String vmstate, List<String> devices) {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(vmstate, "vmstate");
        List<String> list = List.copyOf(devices);
        create(jobId, JobType.SNAPSHOT_SAVE, () -> snapshots.save(tag, vmstate, list));
    }

    /**
     * QAPI {@code snapshot-load}: stops the guest, reverts every listed node to {@code tag} and
     * loads the VM state from {@code vmstate}; the guest is restarted only if the load succeeded
     * and it was running.
     *
     * @param jobId {@code job-id}
     * @param tag {@code tag}: the snapshot to load; must exist on every listed node
     * @param vmstate {@code vmstate}: the node that holds the VM state, one of {@code devices}
     * @param devices {@code devices}: the node names to revert
     * @throws MigrationException "Invalid job ID '%s'" or "Job ID '%s' already in use"; every
     *     other failure is the job's error in {@link #query()}
     * @throws IllegalStateException after {@link #close()}
     */
    public void load(String jobId, String tag, String vmstate, List<String> devices) {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(vmstate, "vmstate");
        List<String> list = List.copyOf(devices);
        create(jobId, JobType.SNAPSHOT_LOAD, () -> snapshots.load(tag, vmstate, list));
    }

    /**
     * QAPI {@code snapshot-delete}: deletes {@code tag} from every listed node that has it; a tag
     * that exists nowhere is not an error. The guest keeps running.
     *
     * @param jobId {@code job-id}
     * @param tag {@code tag}: the snapshot to delete
     * @param devices {@code devices}: the node names to delete it from
     * @throws MigrationException "Invalid job ID '%s'" or "Job ID '%s' already in use"; every
     *     other failure is the job's error in {@link #query()}
     * @throws IllegalStateException after {@link #close()}
     */
    public void delete(String jobId, String tag, List<String> devices) {
        Objects.requireNonNull(tag, "tag");
        List<String> list = List.copyOf(devices);
        create(jobId, JobType.SNAPSHOT_DELETE, () -> snapshots.delete(tag, list));
    }

    /**
     * QAPI {@code query-jobs}: every job not yet dismissed, the most recently created first (QEMU
     * keeps its job list newest first). Total progress is 1 once the work has started, current
     * progress 1 once it has ended; {@code error} is present on a failed job.
     *
     * @return the jobs
     */
    public List<JobInfo> query() {
        synchronized (lock) {
            List<JobInfo> infos = new ArrayList<>(jobs.size());
            for (SnapshotJob job : jobs.values()) {
                infos.add(job.info());
            }
            return List.copyOf(infos.reversed());
        }
    }

    /**
     * QAPI {@code job-dismiss}: removes a concluded job (status {@code null}, announced by an
     * event).
     *
     * @param id {@code id}: the job
     * @throws MigrationException "Job not found" for an unknown id, "Job '%s' in state '%s' cannot
     *     accept command verb 'dismiss'" for a job that has not concluded
     */
    public void dismiss(String id) {
        Objects.requireNonNull(id, "id");
        synchronized (lock) {
            SnapshotJob job = jobs.get(id);
            if (job == null) {
                throw SnapshotErrors.jobNotFound();
            }
            if (job.status() != JobStatus.CONCLUDED) {
                throw SnapshotErrors.verbRefused(id, job.status(), "dismiss");
            }
            transition(job, JobStatus.NULL);
            jobs.remove(id);
        }
    }

    /**
     * Refuses new jobs, lets the created ones finish and waits for the worker thread to exit.
     * Concluded jobs stay queryable. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        worker.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (worker.awaitTermination(1, TimeUnit.DAYS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        List<Thread> threads;
        synchronized (workerThreads) {
            threads = List.copyOf(workerThreads);
        }
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void create(String id, JobType type, Runnable work) {
        Objects.requireNonNull(id, "jobId");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the snapshot jobs are closed");
            }
            if (!QemuId.wellFormed(id)) {
                throw SnapshotErrors.invalidJobId(id);
            }
            if (jobs.containsKey(id)) {
                throw SnapshotErrors.jobIdInUse(id);
            }
            SnapshotJob job = new SnapshotJob(id, type);
            jobs.put(id, job);
            transition(job, JobStatus.CREATED);
            // QEMU's job_start runs inside the command, so "running" precedes its return too.
            transition(job, JobStatus.RUNNING);
            worker.execute(() -> run(job, work));
        }
    }

    private void run(SnapshotJob job, Runnable work) {
        synchronized (lock) {
            job.workStarted();
        }
        String error = null;
        try {
            work.run();
        } catch (MigrationException e) {
            error = e.getMessage();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "snapshot job " + job.id() + " failed", e);
            error = e.toString();
        }
        synchronized (lock) {
            job.workEnded();
            if (error == null) {
                transition(job, JobStatus.WAITING);
                transition(job, JobStatus.PENDING);
            } else {
                job.failed(error);
                transition(job, JobStatus.ABORTING);
            }
            transition(job, JobStatus.CONCLUDED);
        }
    }

    /** Changes a job's status and announces it; the caller holds the lock. */
    private void transition(SnapshotJob job, JobStatus next) {
        job.status(next);
        try {
            events.accept(new JobStatusChangeEvent(clock.instant(), job.id(), next));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "JOB_STATUS_CHANGE consumer failed", e);
        }
    }
}
