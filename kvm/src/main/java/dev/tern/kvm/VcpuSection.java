package dev.tern.kvm;

import dev.tern.api.guest.DeviceSection;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * A vCPU's register state as a device section of the migration stream: idstr {@code "cpu"},
 * instance id the vCPU id, version {@value VcpuState#VERSION}, the payload
 * {@link VcpuState}'s format. Saved and loaded with the vCPU paused (or not yet started).
 */
public final class VcpuSection implements DeviceSection {
    /** The section id string, as QEMU's x86 CPU vmstate. */
    public static final String IDSTR = "cpu";

    private final KvmVcpu vcpu;

    /**
     * The section of one vCPU.
     *
     * @param vcpu the vCPU whose state is saved or loaded
     */
    public VcpuSection(KvmVcpu vcpu) {
        this.vcpu = Objects.requireNonNull(vcpu, "vcpu");
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code "cpu"}
     */
    @Override
    public String idstr() {
        return IDSTR;
    }

    /**
     * {@inheritDoc}
     *
     * @return the vCPU id
     */
    @Override
    public int instanceId() {
        return vcpu.id();
    }

    /**
     * {@inheritDoc}
     *
     * @return {@link VcpuState#VERSION}
     */
    @Override
    public int versionId() {
        return VcpuState.VERSION;
    }

    /**
     * Writes the paused vCPU's state.
     *
     * @param out the section payload
     * @throws IOException if the channel fails
     * @throws IllegalStateException if the vCPU is running
     */
    @Override
    public void save(DataOutput out) throws IOException {
        vcpu.saveState().write(out);
    }

    /**
     * Reads a state and loads it into the vCPU.
     *
     * @param in the section payload
     * @param versionId the sender's version
     * @throws IOException if the payload is malformed, of another version, or the channel fails
     * @throws IllegalStateException if the vCPU is running
     */
    @Override
    public void load(DataInput in, int versionId) throws IOException {
        vcpu.loadState(VcpuState.read(in, versionId));
    }
}
