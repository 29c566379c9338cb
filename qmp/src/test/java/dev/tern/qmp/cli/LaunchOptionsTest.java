package dev.tern.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.core.guest.ReferenceGuest;
import dev.tern.core.guest.Workload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing of {@code run} and {@code demo} options into the guest they build. */
class LaunchOptionsTest {
    private static final UUID ID = UUID.fromString("12345678-9abc-def0-1234-56789abcdef0");

    @Test
    void everyRunOption() {
        LaunchOptions o = LaunchOptions.parse("run", List.of("--qmp", "unix:/run/q", "--incoming", "defer", "--ram", "128M",
                "--vcpus", "3", "--workload", "hotset:500", "--machine", "none", "--block", "ram", "--uuid", ID.toString(),
                "--no-device-section", "--report-digest-on-complete"));
        assertEquals(Optional.of(Path.of("/run/q")), o.qmpSocket());
        assertEquals(Optional.of("defer"), o.incoming());
        assertTrue(o.reportDigestOnComplete());
        assertEquals(new GuestOptions(128L << 20, 3, new WorkloadSpec(WorkloadSpec.Kind.HOTSET, 500), "none", "ram",
                Optional.of(ID), false), o.guest());
    }

    @Test
    void qemuSpellings() {
        LaunchOptions o = LaunchOptions.parse("run", List.of("-qmp", "unix:/q,server=on,wait=off", "-incoming",
                "tcp:0:4444", "-m", "64", "-smp", "2", "-M", "none", "-uuid", ID.toString()));
        assertEquals(Optional.of(Path.of("/q")), o.qmpSocket());
        assertEquals(Optional.of("tcp:0:4444"), o.incoming());
        assertEquals(64L << 20, o.guest().ramBytes(), "QEMU's -m counts MiB without a unit");
        assertEquals(4096, LaunchOptions.parse("run", List.of("-qmp", "unix:/q", "-m", "4K")).guest().ramBytes());
        assertEquals(4096, LaunchOptions.parse("run", List.of("-qmp", "unix:/q", "--ram", "4096")).guest().ramBytes(),
                "--ram counts bytes without a unit");
        assertEquals(2, o.guest().vcpus());
        assertEquals("none", o.guest().machineType());
        assertEquals(Optional.of(ID), o.guest().uuid());
    }

    @Test
    void defaults() {
        LaunchOptions run = LaunchOptions.parse("run", List.of("--qmp", "unix:/q"));
        assertEquals(Optional.empty(), run.incoming());
        assertFalse(run.reportDigestOnComplete());
        assertEquals(new GuestOptions(64L << 20, 1, WorkloadSpec.SWEEP, ReferenceGuest.DEFAULT_MACHINE_TYPE, "pc.ram",
                Optional.empty(), true), run.guest());
        LaunchOptions demo = LaunchOptions.parse("demo", List.of());
        assertEquals(Optional.empty(), demo.qmpSocket());
        assertEquals(256L << 20, demo.guest().ramBytes());
        assertEquals(WorkloadSpec.SWEEP, demo.guest().workload());
        assertEquals(new WorkloadSpec(WorkloadSpec.Kind.RANDOM, 7),
                LaunchOptions.parse("demo", List.of("--workload", "random:7", "--vcpus", "2")).guest().workload());
    }

    @Test
    void laterOptionsWin() {
        assertEquals(8L << 20, LaunchOptions.parse("demo", List.of("--ram", "4M", "--ram", "8M")).guest().ramBytes());
    }

    @Test
    void guestFieldChecks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse("run", List.of("--qmp", "unix:/q", "--machine", "")));
        assertEquals("--machine needs a name", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse("run", List.of("--qmp", "unix:/q", "--block", "")));
        assertEquals("--block needs a name of 1 to 255 bytes, not ''", e.getMessage());
        String longest = "b".repeat(255);
        assertEquals(longest, LaunchOptions.parse("run", List.of("--qmp", "unix:/q", "--block", longest)).guest().blockName());
        assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse("run", List.of("--qmp", "unix:/q", "--block", longest + "b")));
        // 128 two-byte characters: 256 bytes of UTF-8
        assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse("run", List.of("--qmp", "unix:/q", "--block", "é".repeat(128))));
        assertEquals(4096, LaunchOptions.parse("demo", List.of("--ram", "4K")).guest().ramBytes());
    }

    @ParameterizedTest
    @CsvSource({
        "sweep, SWEEP, 0, sweep",
        "idle, IDLE, 0, idle",
        "random, RANDOM, 0, random:0",
        "random:0, RANDOM, 0, random:0",
        "random:25000, RANDOM, 25000, random:25000",
        "hotset, HOTSET, 0, hotset:0",
        "hotset:12, HOTSET, 12, hotset:12",
    })
    void workloads(String text, WorkloadSpec.Kind kind, long rate, String optionValue) {
        WorkloadSpec spec = WorkloadSpec.parse(text);
        assertEquals(new WorkloadSpec(kind, rate), spec);
        assertEquals(optionValue, spec.optionValue());
        assertEquals(spec, WorkloadSpec.parse(spec.optionValue()), "a second process gets the same workload");
    }

    @Test
    void workloadsMapToTheReferenceGuests() {
        assertEquals(Workload.sequentialSweep(0, 1 << 20), WorkloadSpec.SWEEP.workload(1 << 20));
        assertEquals(Workload.uniformRandom(9), WorkloadSpec.parse("random:9").workload(1 << 20));
        assertEquals(Workload.hotSet(0.1, 0.9, 9), WorkloadSpec.parse("hotset:9").workload(1 << 20));
        assertInstanceOf(Workload.Idle.class, WorkloadSpec.parse("idle").workload(1 << 20));
        assertThrows(IllegalArgumentException.class, () -> WorkloadSpec.parse("Sweep"));
        assertThrows(IllegalArgumentException.class, () -> WorkloadSpec.parse("random:"));
        assertThrows(IllegalArgumentException.class, () -> WorkloadSpec.parse(""));
    }

    @Test
    void guestBuiltFromOptions() {
        GuestOptions options = new GuestOptions(1 << 20, 2, WorkloadSpec.parse("idle"), "none", "ram", Optional.of(ID),
                false);
        try (ReferenceGuest guest = options.build()) {
            assertEquals("none", guest.machineType());
            assertEquals(1, guest.ramBlocks().size());
            assertEquals("ram", guest.ramBlocks().getFirst().name());
            assertEquals(1 << 20, guest.ramBlocks().getFirst().usedLength());
            assertEquals(List.of(), guest.devices(), "no device section, like QEMU -M none");
            assertEquals(Optional.of(ID), guest.uuid());
            assertEquals(2, guest.progress().size(), "one entry per vCPU");
        }
        try (ReferenceGuest guest = GuestOptions.defaults(1 << 20).build()) {
            assertEquals(1, guest.devices().size(), "the tern-workload section");
            assertEquals(Workload.sequentialSweep(0, 1 << 20), guest.workload());
            assertEquals(Optional.empty(), guest.uuid());
        }
    }

    @Test
    void argumentsRebuildTheSameGuestInAnotherProcess() {
        for (GuestOptions g : List.of(GuestOptions.defaults(8L << 20),
                new GuestOptions(12288, 4, WorkloadSpec.parse("hotset:3"), "none", "my block", Optional.of(ID), false))) {
            List<String> words = new ArrayList<>(List.of("--qmp", "unix:/q"));
            words.addAll(g.arguments());
            assertEquals(g, LaunchOptions.parse("run", words).guest(), String.join(" ", words));
        }
    }

    @Test
    void guestKindDefaultsToReferenceForRunAndAutoForTheDemo() {
        assertEquals(GuestKind.REFERENCE, LaunchOptions.parse("run", List.of("--qmp", "unix:/q")).guest().kind());
        assertEquals(GuestKind.AUTO, LaunchOptions.parse("demo", List.of()).guest().kind());
        assertEquals(GuestKind.REFERENCE, LaunchOptions.parse("demo", List.of("--guest", "reference")).guest().kind());
    }

    @Test
    void kvmGuestTakesItsMachineTypeUnlessOneIsGiven() {
        GuestOptions kvm = LaunchOptions.parse("run", List.of("--qmp", "unix:/q", "--guest", "kvm", "--ram", "32M"))
                .guest();
        assertEquals(new GuestOptions(32L << 20, 1, WorkloadSpec.SWEEP, "tern-kvm-sweep", "pc.ram", Optional.empty(), true,
                GuestKind.KVM), kvm);
        assertEquals("pc", LaunchOptions.parse("run", List.of("--qmp", "unix:/q", "--guest", "kvm", "--machine", "pc"))
                .guest().machineType());
        assertEquals("KVM guest: 32 MiB of RAM in block pc.ram, machine tern-kvm-sweep, 1 vCPU, workload sweep (A-B) from"
                + " 1 MiB to the end of RAM on KVM vCPUs", kvm.describe());
        List<String> words = new ArrayList<>(List.of("--qmp", "unix:/q"));
        words.addAll(kvm.arguments());
        assertEquals(kvm, LaunchOptions.parse("run", words).guest(), "a second process builds the same KVM guest");
    }

    @Test
    void autoFallsBackToTheReferenceGuestForWhatTheKvmGuestCannotDo() {
        GuestOptions.Resolved random = LaunchOptions.parse("demo", List.of("--workload", "random:5")).guest().resolve();
        assertEquals(GuestKind.REFERENCE, random.options().kind());
        assertEquals("no KVM guest: the KVM guest runs the sweep workload only, not random:5", random.reason());
        assertEquals(ReferenceGuest.DEFAULT_MACHINE_TYPE, random.options().machineType());
        GuestOptions.Resolved tiny = LaunchOptions.parse("demo", List.of("--ram", "1M")).guest().resolve();
        assertEquals(GuestKind.REFERENCE, tiny.options().kind());
        assertEquals("no KVM guest: the KVM guest's sweep starts at 1 MiB: it needs more RAM than 1 MiB (a page above"
                + " 1 MiB per vCPU)", tiny.reason());
        GuestOptions.Resolved reference = LaunchOptions.parse("demo", List.of("--guest", "reference")).guest().resolve();
        assertEquals("--guest reference", reference.reason());
        assertEquals(GuestKind.REFERENCE, reference.options().kind());
    }
}
