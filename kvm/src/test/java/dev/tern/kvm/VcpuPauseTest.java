package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pause and resume of a vCPU inside KVM_RUN, and the throttle (spec 6.3). */
@RequiresKvm
// A vCPU that cannot be kicked hangs pause(): fail such a test instead of the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class VcpuPauseTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final int CYCLES = 200;

    /** A short sweep: a pass takes well under a millisecond, so passes measure progress finely. */
    private static final SweepGuestProgram SHORT = new SweepGuestProgram(0x10_0000, 0x20_0000, 1);

    @Test
    void pauseAndResumeManyTimes() throws InterruptedException {
        try (Kvm kvm = Kvm.open(); SweepGuest guest = SweepGuest.create(kvm, 2L << 20, SHORT)) {
            KvmVcpu vcpu = guest.vcpu();
            vcpu.start();
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                long before = guest.passes();
                assertTrue(guest.awaitPasses(before + 1, LONG), "the guest moves after resume, cycle " + cycle);
                vcpu.pause();
                assertEquals(VcpuRunState.PAUSED, vcpu.state());
                assertFalse(vcpu.running());
                long passes = guest.passes();
                byte firstPage = guest.ram().memory().get(JAVA_BYTE, SHORT.start());
                if (cycle % 20 == 0) {
                    // Long enough for hundreds of passes if the guest were still running.
                    Thread.sleep(50);
                } else {
                    Thread.yield();
                }
                assertEquals(passes, guest.passes(), "no pass while paused, cycle " + cycle);
                assertEquals(firstPage, guest.ram().memory().get(JAVA_BYTE, SHORT.start()),
                        "no write while paused, cycle " + cycle);
                SweepRamCheck check = guest.check();
                assertTrue(check.consistent(), check::message);
                vcpu.pause(); // idempotent
                vcpu.resume();
                assertTrue(vcpu.running());
            }
            vcpu.resume(); // idempotent
            assertTrue(guest.awaitPasses(guest.passes() + 1, LONG));
            assertEquals(Optional.empty(), vcpu.failure());
            assertEquals(1, guest.startMarks());
        }
    }

    @Test
    void pauseFromManyThreadsAtOnce() throws InterruptedException {
        try (Kvm kvm = Kvm.open(); SweepGuest guest = SweepGuest.create(kvm, 2L << 20, SHORT)) {
            guest.vcpu().start();
            for (int round = 0; round < 20; round++) {
                assertTrue(guest.awaitPasses(guest.passes() + 1, LONG));
                Thread[] pausers = new Thread[4];
                for (int i = 0; i < pausers.length; i++) {
                    pausers[i] = Thread.ofPlatform().start(guest.vcpu()::pause);
                }
                for (Thread pauser : pausers) {
                    pauser.join();
                }
                long passes = guest.passes();
                Thread.yield();
                assertEquals(passes, guest.passes());
                guest.vcpu().resume();
            }
        }
    }

    @Test
    void closeStopsARunningVcpuAndItsThread() throws InterruptedException {
        try (Kvm kvm = Kvm.open()) {
            SweepGuest guest = SweepGuest.create(kvm, 2L << 20, SHORT);
            guest.vcpu().start();
            assertTrue(guest.awaitPasses(1, LONG));
            guest.close();
            assertEquals(VcpuRunState.CLOSED, guest.vcpu().state());
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("tern-vcpu-0") && t.isAlive()), "no vCPU thread left");
        }
    }

    @Test
    void throttleSlowsTheGuestDown() throws InterruptedException {
        try (Kvm kvm = Kvm.open(); SweepGuest guest = SweepGuest.create(kvm, 2L << 20, SHORT)) {
            KvmVcpu vcpu = guest.vcpu();
            vcpu.start();
            assertTrue(guest.awaitPasses(10, LONG));
            long free = progressOver(guest, Duration.ofMillis(1500));
            vcpu.setThrottle(50);
            assertEquals(50, vcpu.throttle());
            long half = progressOver(guest, Duration.ofMillis(1500));
            vcpu.setThrottle(90);
            long tenth = progressOver(guest, Duration.ofMillis(1500));
            vcpu.setThrottle(0);
            long freeAgain = progressOver(guest, Duration.ofMillis(1500));
            String progress = "passes at 0%: " + free + ", 50%: " + half + ", 90%: " + tenth + ", 0% again: " + freeAgain;
            // Expected ratios 1 : 0.5 : 0.1; the bounds leave room for a loaded machine.
            assertTrue(half < Math.max(free, freeAgain), progress);
            assertTrue(tenth < Math.max(free, freeAgain) / 2, progress);
            assertTrue(tenth < half, progress);
            assertTrue(freeAgain > tenth, progress);
        }
    }

    @Test
    void pauseEndsAThrottleSleepAndCloseEndsAThrottledVcpu() throws InterruptedException {
        try (Kvm kvm = Kvm.open(); SweepGuest guest = SweepGuest.create(kvm, 2L << 20, SHORT)) {
            KvmVcpu vcpu = guest.vcpu();
            // 99%: sleeps 990 ms after every 10 ms slice.
            vcpu.setThrottle(99);
            vcpu.start();
            assertTrue(guest.awaitPasses(1, LONG));
            for (int i = 0; i < 5; i++) {
                vcpu.pause();
                assertEquals(VcpuRunState.PAUSED, vcpu.state());
                vcpu.resume();
            }
        }
    }

    /** l: inc dword [0x500]; jmp l   (as --32): a guest that never exits. */
    private static final byte[] SILENT_COUNTER = HexFormat.of().parseHex("ff0500050000" + "ebf8");

    private static int counter(CodeGuest guest) {
        return guest.ram.memory().get(JAVA_INT, 0x500);
    }

    @Test
    void pauseKicksAGuestThatNeverExits() throws InterruptedException {
        try (Kvm kvm = Kvm.open(); CodeGuest guest = new CodeGuest(kvm, VcpuIoHandler.NONE, SILENT_COUNTER)) {
            guest.vcpu.start();
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                int before = counter(guest);
                awaitCounterAbove(guest, before);
                guest.vcpu.pause();
                int paused = counter(guest);
                if (cycle % 20 == 0) {
                    Thread.sleep(50);
                }
                assertEquals(paused, counter(guest), "counter moved while paused, cycle " + cycle);
                assertEquals(0x1000, guest.vcpu.saveState().register("rip") & ~0x7, "RIP inside the loop");
                guest.vcpu.resume();
            }
        }
    }

    @Test
    void pausingOneVcpuLeavesTheOtherRunning() throws InterruptedException {
        try (Kvm kvm = Kvm.open(); CodeGuest guest = new CodeGuest(kvm, VcpuIoHandler.NONE, SILENT_COUNTER)) {
            // vCPU 1 runs the same loop at 0x2000 on the counter at 0x600: inc dword [0x600]; jmp back.
            byte[] second = HexFormat.of().parseHex("ff0500060000" + "ebf8");
            MemorySegment.copy(second, 0, guest.ram.memory(), JAVA_BYTE, 0x2000, second.length);
            KvmVcpu other = guest.vm.createVcpu(1, VcpuIoHandler.NONE);
            FlatProtectedMode.enter(other, 0x2000);
            guest.vcpu.start();
            other.start();
            assertTrue(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList()
                    .containsAll(List.of("tern-vcpu-0", "tern-vcpu-1")));
            for (int cycle = 0; cycle < 50; cycle++) {
                KvmVcpu paused = cycle % 2 == 0 ? guest.vcpu : other;
                long pausedCounter = cycle % 2 == 0 ? 0x500 : 0x600;
                long runningCounter = cycle % 2 == 0 ? 0x600 : 0x500;
                paused.pause();
                int frozen = guest.ram.memory().get(JAVA_INT, pausedCounter);
                int moving = guest.ram.memory().get(JAVA_INT, runningCounter);
                long deadline = System.nanoTime() + LONG.toNanos();
                while (guest.ram.memory().get(JAVA_INT, runningCounter) == moving) {
                    assertTrue(System.nanoTime() - deadline < 0, "the other vCPU stopped too, cycle " + cycle);
                    Thread.onSpinWait();
                }
                assertEquals(frozen, guest.ram.memory().get(JAVA_INT, pausedCounter), "cycle " + cycle);
                paused.resume();
            }
        }
    }

    @Test
    void throttleKicksAGuestThatNeverExits() throws InterruptedException {
        try (Kvm kvm = Kvm.open(); CodeGuest guest = new CodeGuest(kvm, VcpuIoHandler.NONE, SILENT_COUNTER)) {
            guest.vcpu.start();
            awaitCounterAbove(guest, 0);
            long free = counterProgressOver(guest, Duration.ofMillis(1500));
            guest.vcpu.setThrottle(90);
            long tenth = counterProgressOver(guest, Duration.ofMillis(1500));
            guest.vcpu.setThrottle(0);
            long freeAgain = counterProgressOver(guest, Duration.ofMillis(1500));
            String progress = "increments at 0%: " + free + ", 90%: " + tenth + ", 0% again: " + freeAgain;
            assertTrue(tenth < Math.max(free, freeAgain) / 2, progress);
        }
    }

    private static void awaitCounterAbove(CodeGuest guest, int value) throws InterruptedException {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (counter(guest) == value) {
            assertTrue(System.nanoTime() - deadline < 0, "the guest does not run");
            assertFalse(guest.vcpu.awaitEnd(Duration.ofMillis(1)), () -> "the guest stopped: " + guest.vcpu.failure());
        }
    }

    private static long counterProgressOver(CodeGuest guest, Duration window) throws InterruptedException {
        int before = counter(guest);
        Thread.sleep(window.toMillis());
        // Modulo 2^32: the counter may wrap, but not twice in a window.
        return Integer.toUnsignedLong(counter(guest) - before);
    }

    /** The passes the guest reports during {@code window} of wall time. */
    private static long progressOver(SweepGuest guest, Duration window) throws InterruptedException {
        long before = guest.passes();
        Thread.sleep(window.toMillis());
        return guest.passes() - before;
    }
}
