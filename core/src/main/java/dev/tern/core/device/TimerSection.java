package dev.tern.core.device;

import dev.tern.api.guest.DeviceSection;
import dev.tern.core.stream.VmDescription;
import dev.tern.core.stream.VmStateSubsections;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * QEMU's {@code timer} section ({@code softmmu/cpu-timers.c}, {@code vmstate_timers}, version 2,
 * minimum 1), which every QEMU machine sends, even {@code -M none}. Tern keeps what it receives
 * and can send one, so a QEMU destination finds the section it expects.
 *
 * <pre>
 *  +-----------------------+-----------------------+-----------------------+
 *  | be64 cpu_ticks_offset | 8 unused bytes        | be64 cpu_clock_offset |
 *  +-----------------------+-----------------------+-----------------------+
 *  offset 0                 8                       16 (version 2 only)      24 bytes
 * </pre>
 *
 * The {@code timer/icount} subsection (icount machines only) is not supported and is refused.
 */
public final class TimerSection implements DeviceSection, DescribedDevice {
    /** The section idstr and vmstate name. */
    public static final String IDSTR = "timer";
    /** The version written. */
    public static final int VERSION = 2;
    /** The oldest version read. */
    public static final int MINIMUM_VERSION = 1;
    /** Bytes of a version 2 payload. */
    public static final int LENGTH = 24;

    private static final List<VmDescription.Field> FIELDS = List.of(
            new VmDescription.Field("cpu_ticks_offset", "int64", 8),
            new VmDescription.Field("unused", "unused_buffer", 8),
            new VmDescription.Field("cpu_clock_offset", "int64", 8));

    private volatile long cpuTicksOffset;
    private volatile long cpuClockOffset;
    private volatile boolean received;

    /** A section sending zero offsets (a guest without a virtual clock of its own). */
    public TimerSection() {
        this(0, 0);
    }

    /**
     * A section sending the given offsets.
     *
     * @param cpuTicksOffset {@code cpu_ticks_offset}
     * @param cpuClockOffset {@code cpu_clock_offset}
     */
    public TimerSection(long cpuTicksOffset, long cpuClockOffset) {
        this.cpuTicksOffset = cpuTicksOffset;
        this.cpuClockOffset = cpuClockOffset;
    }

    /**
     * The ticks offset, as constructed or as received.
     *
     * @return {@code cpu_ticks_offset}
     */
    public long cpuTicksOffset() {
        return cpuTicksOffset;
    }

    /**
     * The clock offset, as constructed or as received (unchanged by a version 1 section).
     *
     * @return {@code cpu_clock_offset}
     */
    public long cpuClockOffset() {
        return cpuClockOffset;
    }

    /**
     * Whether a section was loaded.
     *
     * @return true after a load
     */
    public boolean received() {
        return received;
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
        out.writeLong(cpuTicksOffset);
        out.writeLong(0);
        out.writeLong(cpuClockOffset);
    }

    @Override
    public void load(DataInput in, int versionId) throws IOException {
        VmStateSubsections.checkVersion(IDSTR, versionId, VERSION, MINIMUM_VERSION);
        cpuTicksOffset = in.readLong();
        in.skipBytes(8);
        if (versionId >= 2) {
            cpuClockOffset = in.readLong();
        }
        received = true;
    }

    @Override
    public String vmsdName() {
        return IDSTR;
    }

    @Override
    public List<VmDescription.Field> vmDescriptionFields() {
        return FIELDS;
    }
}
