package dev.tern.core.device;

import dev.tern.api.RunState;
import dev.tern.api.guest.DeviceSection;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.VmDescription;
import dev.tern.core.stream.VmStateSubsections;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * QEMU's {@code globalstate} section (spec §8.1, {@code migration/global_state.c}): the source's
 * run state at the moment the completion stopped it, which the destination uses to decide whether
 * to start the guest.
 *
 * <pre>
 *  +----------------+------------------------------------------------+
 *  | be32 size      | runstate name, NUL padded to 100 bytes          |
 *  +----------------+------------------------------------------------+
 *   size = strlen(name) + 1; the loader ignores it and reads the name up to its NUL
 * </pre>
 *
 * Source: {@link #store(RunState)} before stopping the vCPUs (QEMU's {@code global_state_store}),
 * then save. Destination: load, then {@link #received()}.
 */
public final class GlobalStateSection implements DeviceSection, DescribedDevice {
    /** The section idstr and vmstate name. */
    public static final String IDSTR = "globalstate";
    /** The version. */
    public static final int VERSION = 1;
    /** Bytes of the runstate buffer. */
    public static final int RUNSTATE_LENGTH = 100;

    private static final List<VmDescription.Field> FIELDS = List.of(
            new VmDescription.Field("size", "uint32", 4),
            new VmDescription.Field("runstate", "buffer", RUNSTATE_LENGTH));

    private final boolean storeGlobalState;
    private volatile String stored = "";
    private volatile RunState received;

    /** The section with QEMU's default {@code store-global-state=on}: always sent. */
    public GlobalStateSection() {
        this(true);
    }

    /**
     * The section with an explicit {@code store-global-state} machine property.
     *
     * @param storeGlobalState when false the section is sent only if the stored state is neither
     *     running nor paused
     */
    public GlobalStateSection(boolean storeGlobalState) {
        this.storeGlobalState = storeGlobalState;
    }

    /**
     * Records the state to send (QEMU's {@code global_state_store}). Until called, an empty name
     * is sent, as QEMU would.
     *
     * @param state the current run state
     */
    public void store(RunState state) {
        stored = state.qapiName();
    }

    /**
     * The state a source sent.
     *
     * @return the received run state, empty until a section is loaded
     */
    public Optional<RunState> received() {
        return Optional.ofNullable(received);
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
    public boolean needed() {
        if (storeGlobalState) {
            return true;
        }
        String s = stored;
        return !s.equals(RunState.RUNNING.qapiName()) && !s.equals(RunState.PAUSED.qapiName());
    }

    @Override
    public void save(DataOutput out) throws IOException {
        byte[] name = stored.getBytes(StandardCharsets.US_ASCII);
        byte[] buffer = new byte[RUNSTATE_LENGTH];
        System.arraycopy(name, 0, buffer, 0, Math.min(name.length, RUNSTATE_LENGTH - 1));
        out.writeInt(Math.min(name.length, RUNSTATE_LENGTH - 1) + 1);
        out.write(buffer);
    }

    @Override
    public void load(DataInput in, int versionId) throws IOException {
        VmStateSubsections.checkVersion(IDSTR, versionId, VERSION, VERSION);
        in.readInt();
        byte[] buffer = new byte[RUNSTATE_LENGTH];
        in.readFully(buffer);
        // A name filling all 100 bytes has its last byte forced to NUL, as global_state_post_load does.
        int end = 0;
        while (end < RUNSTATE_LENGTH - 1 && buffer[end] != 0) {
            end++;
        }
        String name = new String(buffer, 0, end, StandardCharsets.ISO_8859_1);
        try {
            received = RunState.fromQapi(name);
        } catch (IllegalArgumentException e) {
            throw StreamFormatException.invalidRunState(name);
        }
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
