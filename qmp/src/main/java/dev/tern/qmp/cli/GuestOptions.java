package dev.tern.qmp.cli;

import dev.tern.core.guest.ReferenceGuest;
import dev.tern.kvm.KvmGuest;
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
 * @param kind the reference guest, a KVM guest ({@code --guest kvm}: the sweep on real vCPUs, in
 *     block {@value #DEFAULT_BLOCK}, with its {@code cpu} and serial sections), or either
 */
record GuestOptions(long ramBytes, int vcpus, WorkloadSpec workload, String machineType, String blockName,
        Optional<UUID> uuid, boolean deviceSection, GuestKind kind) {
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
        Objects.requireNonNull(kind, "kind");
        if (kind == GuestKind.KVM) {
            kvmIncompatibility(ramBytes, vcpus, workload, blockName, deviceSection).ifPresent(reason -> {
                throw new IllegalArgumentException("--guest kvm: " + reason);
            });
        }
    }

    /**
     * Options of the reference guest.
     *
     * @param ramBytes the RAM
     * @param vcpus the vCPUs
     * @param workload what they do
     * @param machineType the machine type
     * @param blockName the RAM block's name
     * @param uuid the UUID
     * @param deviceSection whether the workload section migrates
     */
    GuestOptions(long ramBytes, int vcpus, WorkloadSpec workload, String machineType, String blockName,
            Optional<UUID> uuid, boolean deviceSection) {
        this(ramBytes, vcpus, workload, machineType, blockName, uuid, deviceSection, GuestKind.REFERENCE);
    }

    /** Why these options cannot make the KVM guest, which sweeps one block named pc.ram with its sections. */
    private static Optional<String> kvmIncompatibility(long ramBytes, int vcpus, WorkloadSpec workload,
            String blockName, boolean deviceSection) {
        if (ramBytes > KvmGuest.MAX_RAM) {
            return Optional.of("the KVM guest has at most " + Sizes.format(KvmGuest.MAX_RAM) + " of RAM, not "
                    + Sizes.format(ramBytes));
        }
        if (ramBytes < KvmGuest.DEFAULT_SWEEP_START + vcpus * PAGE_SIZE) {
            return Optional.of("the KVM guest's sweep starts at 1 MiB: it needs more RAM than "
                    + Sizes.format(ramBytes) + " (a page above 1 MiB per vCPU)");
        }
        if (vcpus > KvmGuest.MAX_VCPUS) {
            return Optional.of("the KVM guest has at most " + KvmGuest.MAX_VCPUS + " vCPUs, not " + vcpus);
        }
        if (workload.kind() != WorkloadSpec.Kind.SWEEP) {
            return Optional.of("the KVM guest runs the sweep workload only, not " + workload.optionValue());
        }
        if (!blockName.equals(KvmGuest.RAM_BLOCK)) {
            return Optional.of("the KVM guest's RAM block is " + KvmGuest.RAM_BLOCK + ", not " + blockName);
        }
        if (!deviceSection) {
            return Optional.of("the KVM guest always migrates its vCPU and serial sections (--no-device-section)");
        }
        return Optional.empty();
    }

    /**
     * A guest kind decided: {@link GuestKind#AUTO} becomes KVM when {@code /dev/kvm} is usable
     * and the options allow it, the reference guest otherwise.
     *
     * @param options the options, of kind {@link GuestKind#REFERENCE} or {@link GuestKind#KVM}
     * @param reason why this kind, for the demo's output
     */
    record Resolved(GuestOptions options, String reason) {
    }

    /**
     * Decides {@link GuestKind#AUTO}; other kinds stay as they are. A KVM guest gets the machine
     * type {@value KvmGuest#DEFAULT_MACHINE_TYPE} unless another than the reference guest's
     * default was asked for.
     *
     * @return the options to build, and why
     */
    Resolved resolve() {
        return switch (kind) {
            case REFERENCE -> new Resolved(this, "--guest reference");
            case KVM -> new Resolved(this, "--guest kvm");
            case AUTO -> {
                Optional<String> refused = kvmIncompatibility(ramBytes, vcpus, workload, blockName, deviceSection).or(KvmGuest::unusableReason);
                if (refused.isPresent()) {
                    yield new Resolved(withKind(GuestKind.REFERENCE), "no KVM guest: " + refused.get());
                }
                yield new Resolved(withKind(GuestKind.KVM), "/dev/kvm is usable");
            }
        };
    }

    private GuestOptions withKind(GuestKind newKind) {
        String machine = newKind == GuestKind.KVM && machineType.equals(ReferenceGuest.DEFAULT_MACHINE_TYPE)
                ? KvmGuest.DEFAULT_MACHINE_TYPE : machineType;
        return new GuestOptions(ramBytes, vcpus, workload, machine, blockName, uuid, deviceSection, newKind);
    }

    /**
     * Builds the guest these options name, paused (its vCPUs run from {@link HostedGuest#start()});
     * {@link GuestKind#AUTO} is resolved first.
     *
     * @return the guest; the caller closes it
     * @throws IllegalArgumentException if the KVM guest's RAM or vCPUs are out of its range
     * @throws dev.tern.kvm.KvmException if {@code /dev/kvm} is unusable for a KVM guest
     */
    HostedGuest host() {
        return host(false);
    }

    /**
     * Builds the KVM guest as an incoming migration's destination: RAM zero, vCPUs not started.
     * For the reference guest the same as {@link #host()}.
     *
     * @return the guest; the caller closes it
     */
    HostedGuest hostIncoming() {
        return host(true);
    }

    private HostedGuest host(boolean incoming) {
        GuestOptions options = resolve().options();
        if (options.kind() == GuestKind.REFERENCE) {
            return new HostedGuest.Reference(options.build());
        }
        KvmGuest.Builder builder = KvmGuest.builder().ramSize(ramBytes).vcpus(vcpus).machineType(options.machineType());
        uuid.ifPresent(builder::uuid);
        return new HostedGuest.Kvm(incoming ? builder.buildIncoming() : builder.build());
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
     * Builds the reference guest of these options (whatever their kind), paused (its vCPUs run
     * from {@link ReferenceGuest#start()}).
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
        if (kind != GuestKind.REFERENCE) {
            words.addAll(List.of("--guest", kind.optionName()));
        }
        return words;
    }

    /**
     * Says what the guest is, for status lines.
     *
     * @return for example {@code 64 MiB of RAM in block pc.ram, machine tern-reference, 1 vCPU, sweep ...}
     */
    String describe() {
        if (kind == GuestKind.KVM) {
            return "KVM guest: " + Sizes.format(ramBytes) + " of RAM in block " + blockName + ", machine " + machineType
                    + ", " + vcpus + (vcpus == 1 ? " vCPU" : " vCPUs") + ", workload sweep (A-B) from 1 MiB to the end of"
                    + " RAM on KVM vCPUs";
        }
        return Sizes.format(ramBytes) + " of RAM in block " + blockName + ", machine " + machineType + ", " + vcpus
                + (vcpus == 1 ? " vCPU" : " vCPUs") + ", workload " + workload.describe()
                + (deviceSection ? "" : ", no device section");
    }
}
