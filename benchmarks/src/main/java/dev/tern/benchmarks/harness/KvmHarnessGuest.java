package dev.tern.benchmarks.harness;

import dev.tern.api.guest.Guest;
import dev.tern.kvm.KvmGuest;
import dev.tern.kvm.SweepRamCheck;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A KVM guest in the harness: one vCPU running the sweep guest over the range
 * {@link KvmSweepRange#of} gives for the scenario's workload, the host's default dirty tracking
 * (manual clear where offered, as QEMU 7.2). A destination is built incoming: its vCPU starts
 * with the migrated state when the destination resumes.
 */
final class KvmHarnessGuest implements HarnessGuest {
    private final KvmGuest guest;
    private final KvmSweepRange range;

    KvmHarnessGuest(Scenario scenario, boolean incoming) {
        this.range = KvmSweepRange.of(scenario.workload().apply(scenario.ramBytes()), scenario.ramBytes());
        KvmGuest.Builder builder = KvmGuest.builder().ramSize(scenario.ramBytes()).vcpus(1).sweep(range.start(),
                range.end());
        this.guest = incoming ? builder.buildIncoming() : builder.build();
    }

    @Override
    public Guest guest() {
        return guest;
    }

    @Override
    public MemorySegment ram() {
        return guest.ramBlocks().getFirst().memory();
    }

    @Override
    public MemorySegment fillable() {
        return ram().asSlice(range.fillFrom() - guest.ram().guestPhysAddr());
    }

    @Override
    public void start() {
        guest.start();
    }

    @Override
    public boolean counts() {
        return true;
    }

    @Override
    public long passes() {
        return guest.passes();
    }

    @Override
    public long activity() {
        return guest.passes();
    }

    @Override
    public int throttle() {
        return guest.throttle();
    }

    @Override
    public Optional<String> ramCheck() {
        List<String> bad = new ArrayList<>();
        for (SweepRamCheck check : guest.checkRam()) {
            if (!check.consistent()) {
                bad.add(check.message().replace('\n', ' '));
            }
        }
        return Optional.of(bad.isEmpty() ? "15.2 ok" : "15.2 FAILED: " + String.join("; ", bad));
    }

    @Override
    public Optional<String> fault() {
        List<String> faults = new ArrayList<>();
        guest.failure().ifPresent(e -> faults.add("vCPU failed: " + e.getMessage()));
        if (guest.otherOutput() > 0) {
            faults.add(guest.otherOutput() + " unexpected serial bytes");
        }
        // one 'A' per vCPU, written on the source and migrated: a second means the sweep started over
        if (guest.startMarks() != guest.kvmVcpus().size()) {
            faults.add(guest.startMarks() + " start marks for " + guest.kvmVcpus().size() + " vCPU");
        }
        return faults.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", faults));
    }

    @Override
    public String dirtyTracking() {
        return "KVM dirty log " + guest.dirtyTrackingMode();
    }

    @Override
    public void close() {
        guest.close();
    }
}
