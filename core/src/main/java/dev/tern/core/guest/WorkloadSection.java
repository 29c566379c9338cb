package dev.tern.core.guest;

import dev.tern.api.guest.DeviceSection;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference guest's one device: its workload's progress, so that a destination guest built
 * the same way continues where the source stopped. Section {@value #IDSTR}, instance 0,
 * version {@value #VERSION}; the payload, big-endian as vmstate is:
 *
 * <pre>
 *   +------+----------+--------------------------------------------+
 *   | u8   | be32     | n x ( be64 position | be64 passes )         |
 *   | kind | n vCPUs  |   per vCPU, in vCPU order, see VcpuProgress |
 *   +------+----------+--------------------------------------------+
 *   kind: 0 idle, 1 sequential sweep, 2 uniform random, 3 hot set
 * </pre>
 */
final class WorkloadSection implements DeviceSection {
    /** The section id string. */
    static final String IDSTR = "tern-workload";
    /** The layout version this guest writes and reads. */
    static final int VERSION = 1;

    private static final String[] KIND_NAMES = {"idle", "sequential sweep", "uniform random", "hot set"};

    private final Workload workload;
    private final VcpuCursor[] cursors;
    private final ReferenceVcpus vcpus;

    WorkloadSection(Workload workload, VcpuCursor[] cursors, ReferenceVcpus vcpus) {
        this.workload = workload;
        this.cursors = cursors;
        this.vcpus = vcpus;
    }

    @Override
    public String idstr() {
        return IDSTR;
    }

    @Override
    public int versionId() {
        return VERSION;
    }

    @Override
    public void save(DataOutput out) throws IOException {
        // The engine saves with the vCPUs stopped; stopping them here as well makes a save
        // from any other caller consistent too (it costs nothing when they are stopped).
        List<VcpuProgress> progress = vcpus.whileStopped(() -> {
            List<VcpuProgress> all = new ArrayList<>(cursors.length);
            for (VcpuCursor cursor : cursors) {
                all.add(cursor.progressAcquire());
            }
            return all;
        });
        out.writeByte(kindOf(workload));
        out.writeInt(progress.size());
        for (VcpuProgress p : progress) {
            out.writeLong(p.position());
            out.writeLong(p.passes());
        }
    }

    @Override
    public void load(DataInput in, int versionId) throws IOException {
        if (versionId != VERSION) {
            throw new IOException(IDSTR + ": cannot load version " + versionId + ", only version " + VERSION);
        }
        int kind = in.readUnsignedByte();
        if (kind != kindOf(workload)) {
            throw new IOException(IDSTR + ": the source's workload is \"" + describe(kind)
                    + "\", this guest's is \"" + KIND_NAMES[kindOf(workload)] + "\"");
        }
        int count = in.readInt();
        if (count != cursors.length) {
            throw new IOException(IDSTR + ": the source has " + Integer.toUnsignedString(count)
                    + " vCPUs, this guest has " + cursors.length);
        }
        long[] positions = new long[count];
        long[] passes = new long[count];
        for (int i = 0; i < count; i++) {
            positions[i] = in.readLong();
            passes[i] = in.readLong();
        }
        if (workload instanceof Workload.SequentialSweep sweep) {
            checkSweepPosition(sweep, positions[0]);
        }
        vcpus.whileStopped(() -> {
            for (int i = 0; i < count; i++) {
                cursors[i].positionRelease(positions[i]);
                cursors[i].passesRelease(passes[i]);
            }
            return null;
        });
    }

    private static void checkSweepPosition(Workload.SequentialSweep sweep, long position) throws IOException {
        if (position < sweep.fromOffset() || position >= sweep.toOffset()
                || (position - sweep.fromOffset()) % GuestMemory.PAGE_SIZE != 0) {
            throw new IOException(String.format("%s: sweep position 0x%x is not a page of [0x%x, 0x%x)",
                    IDSTR, position, sweep.fromOffset(), sweep.toOffset()));
        }
    }

    private static int kindOf(Workload workload) {
        return switch (workload) {
            case Workload.Idle _ -> 0;
            case Workload.SequentialSweep _ -> 1;
            case Workload.UniformRandom _ -> 2;
            case Workload.HotSet _ -> 3;
        };
    }

    private static String describe(int kind) {
        return kind < KIND_NAMES.length ? KIND_NAMES[kind] : "unknown (" + kind + ")";
    }
}
