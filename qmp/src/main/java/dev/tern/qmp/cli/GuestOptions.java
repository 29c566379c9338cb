package dev.tern.qmp.cli;

import dev.tern.core.guest.ReferenceGuest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The reference guest the launcher hosts: one RAM block, vCPUs and a workload. The defaults make
 * a Tern-to-Tern VM; {@code --machine none --block ram --no-device-section} makes one that
 * matches a QEMU 7.2 {@code -M none} peer (spec appendix C), whose only RAM block is named
 * after its memory backend ({@code ram} by default).
 *
 * @param ramBytes the size of the one RAM block, a positive multiple of {@value #PAGE_SIZE}
 * @param vcpus the number of vCPUs, at least 1
 * @param workload what the vCPUs do
 * @param machineType the machine type in the stream's configuration section
 * @param blockName the RAM block's id string
 * @param uuid the VM's UUID ({@code validate-uuid}), if any
 * @param deviceSection whether the guest migrates its {@code tern-workload} device section
 */
record GuestOptions(long ramBytes, int vcpus, WorkloadSpec workload, String machineType, String blockName,
        Optional<UUID> uuid, boolean deviceSection) {
    /** Guest pages are 4 KiB, so RAM comes in whole pages. */
    static final long PAGE_SIZE = 4096;
    /** {@code run}'s default RAM: 64 MiB, as the QEMU 7.2 {@code -M none -m 64} peer in the spec. */
    static final long DEFAULT_RUN_RAM = 64L << 20;
    /** {@code demo}'s default RAM: enough that the migration takes a visible while. */
    static final long DEFAULT_DEMO_RAM = 256L << 20;
    /** The RAM block's name unless {@code --block} says otherwise. */
    static final String DEFAULT_BLOCK = "pc.ram";

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException with a message for the user if one is out of range
     */
    GuestOptions {
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(machineType, "machineType");
        Objects.requireNonNull(blockName, "blockName");
        Objects.requireNonNull(uuid, "uuid");
        if (ramBytes <= 0 || ramBytes % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("--ram must be a positive multiple of 4 KiB, not " + ramBytes + " bytes");
        }
        if (vcpus < 1) {
            throw new IllegalArgumentException("--vcpus must be at least 1, not " + vcpus);
        }
        if (machineType.isEmpty()) {
            throw new IllegalArgumentException("--machine needs a name");
        }
        int nameBytes = blockName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (nameBytes == 0 || nameBytes > 255) {
            throw new IllegalArgumentException("--block needs a name of 1 to 255 bytes, not '" + blockName + "'");
        }
    }

    /**
     * The defaults of a command with the given RAM: one vCPU sweeping, machine
     * {@value ReferenceGuest#DEFAULT_MACHINE_TYPE}, block {@value #DEFAULT_BLOCK}, no UUID,
     * the device section on.
     *
     * @param ramBytes the RAM
     * @return the options
     */
    static GuestOptions defaults(long ramBytes) {
        return new GuestOptions(ramBytes, 1, WorkloadSpec.SWEEP, ReferenceGuest.DEFAULT_MACHINE_TYPE, DEFAULT_BLOCK,
                Optional.empty(), true);
    }

    /**
     * Builds the guest, paused (its vCPUs run from {@link ReferenceGuest#start()}).
     *
     * @return the guest; the caller closes it
     */
    ReferenceGuest build() {
        ReferenceGuest.Builder builder = ReferenceGuest.builder()
                .machineType(machineType)
                .ramBlock(blockName, ramBytes)
                .vcpus(vcpus)
                .workload(workload.workload(ramBytes))
                .deviceSection(deviceSection);
        uuid.ifPresent(builder::uuid);
        return builder.build();
    }

    /**
     * The {@code run} options that build the same guest in another process, as a migration
     * destination needs.
     *
     * @return the words, for example {@code --ram 268435456 --vcpus 1 --workload sweep ...}
     */
    List<String> arguments() {
        List<String> words = new ArrayList<>(List.of("--ram", Long.toString(ramBytes), "--vcpus", Integer.toString(vcpus),
                "--workload", workload.optionValue(), "--machine", machineType, "--block", blockName));
        uuid.ifPresent(u -> words.addAll(List.of("--uuid", u.toString())));
        if (!deviceSection) {
            words.add("--no-device-section");
        }
        return words;
    }

    /**
     * Says what the guest is, for status lines.
     *
     * @return for example {@code 64 MiB of RAM in block pc.ram, machine tern-reference, 1 vCPU, sweep ...}
     */
    String describe() {
        return Sizes.format(ramBytes) + " of RAM in block " + blockName + ", machine " + machineType + ", " + vcpus
                + (vcpus == 1 ? " vCPU" : " vCPUs") + ", workload " + workload.describe()
                + (deviceSection ? "" : ", no device section");
    }
}
