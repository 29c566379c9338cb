package dev.tern.benchmarks.harness;

import dev.tern.api.guest.Guest;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.guest.SweepCheck;
import dev.tern.core.guest.Workload;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** Core's reference guest in the harness: machine type {@code none}, one RAM block, one vCPU. */
final class ReferenceHarnessGuest implements HarnessGuest {
    private final ReferenceGuest guest;

    ReferenceHarnessGuest(Scenario scenario) {
        this.guest = ReferenceGuest.builder().machineType("none").ramBlock("ram", scenario.ramBytes()).vcpus(1)
                .workload(scenario.workload().apply(scenario.ramBytes())).build();
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
        return ram();
    }

    @Override
    public void start() {
        guest.start();
    }

    @Override
    public boolean counts() {
        return !(guest.workload() instanceof Workload.Idle);
    }

    @Override
    public long passes() {
        return guest.passes();
    }

    @Override
    public long activity() {
        return guest.pagesWritten();
    }

    @Override
    public int throttle() {
        return guest.referenceVcpus().throttlePercent();
    }

    @Override
    public Optional<String> ramCheck() {
        if (!(guest.workload() instanceof Workload.SequentialSweep sweep)) {
            return Optional.empty();
        }
        SweepCheck check = ReferenceGuest.checkSweep(ram(), sweep.fromOffset(), sweep.toOffset());
        return Optional.of(check.consistent() ? "15.2 ok" : "15.2 FAILED: " + check.message().replace('\n', ' '));
    }

    @Override
    public Optional<String> fault() {
        return Optional.empty();
    }

    @Override
    public String dirtyTracking() {
        return "software dirty log";
    }

    @Override
    public void close() {
        guest.close();
    }
}
