package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** vCPU creation, exits and life cycle, with small hand-assembled programs. */
@RequiresKvm
// A vCPU that cannot be kicked hangs pause(): fail such a test instead of the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KvmVcpuTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final byte[] HLT = {(byte) 0xF4};
    private static final byte[] UD2 = {0x0F, 0x0B};

    private Kvm kvm;

    @BeforeEach
    void open() {
        kvm = Kvm.open();
    }

    @AfterEach
    void close() {
        kvm.close();
    }

    @Test
    void hltEndsTheRunLoopAndItsThread() throws InterruptedException {
        try (CodeGuest guest = new CodeGuest(kvm, VcpuIoHandler.NONE, HLT)) {
            assertEquals(VcpuRunState.CREATED, guest.vcpu.state());
            guest.vcpu.start();
            assertTrue(guest.vcpu.awaitEnd(LONG));
            assertEquals(VcpuRunState.HALTED, guest.vcpu.state());
            assertEquals(Optional.empty(), guest.vcpu.failure());
            assertFalse(guest.vcpu.running());
            // After the halt, RIP is past the hlt.
            assertEquals(0x1001, guest.vcpu.saveState().register("rip"));
            // pause() on an ended vCPU returns at once.
            guest.vcpu.pause();
        }
    }

    @Test
    void tripleFaultIsReportedWithTheExitAndRip() throws InterruptedException {
        try (CodeGuest guest = new CodeGuest(kvm, VcpuIoHandler.NONE, UD2)) {
            guest.vcpu.start();
            assertTrue(guest.vcpu.awaitEnd(LONG));
            assertEquals(VcpuRunState.FAILED, guest.vcpu.state());
            assertEquals("vCPU 0 stopped: KVM_EXIT_SHUTDOWN (8): triple fault or shutdown at RIP 0x1000",
                    guest.vcpu.failure().orElseThrow().getMessage());
        }
    }

    @Test
    void portInAndMmioGoThroughTheHandler() throws InterruptedException {
        // mov dx, 0x70; in al, dx; mov [0x500], al; mov byte [0xd0000000], 0x5a;
        // mov al, [0xd0000000]; mov [0x501], al; hlt   (as --32)
        byte[] code = HexFormat.of().parseHex("66ba7000" + "ec" + "a200050000" + "c605000000d05a" + "a0000000d0"
                + "a201050000" + "f4");
        List<String> seen = new CopyOnWriteArrayList<>();
        VcpuIoHandler io = new VcpuIoHandler() {
            @Override
            public void portIn(int port, int size, int count, MemorySegment data) {
                seen.add(String.format("in 0x%x size %d count %d", port, size, count));
                data.set(JAVA_BYTE, 0, (byte) 0x42);
            }

            @Override
            public void mmioWrite(long address, MemorySegment data) {
                seen.add(String.format("write 0x%x %s", address, HexFormat.of().formatHex(data.toArray(JAVA_BYTE))));
            }

            @Override
            public void mmioRead(long address, MemorySegment data) {
                seen.add(String.format("read 0x%x length %d", address, data.byteSize()));
                data.set(JAVA_BYTE, 0, (byte) 0x77);
            }
        };
        try (CodeGuest guest = new CodeGuest(kvm, io, code)) {
            guest.vcpu.start();
            assertTrue(guest.vcpu.awaitEnd(LONG));
            assertEquals(Optional.empty(), guest.vcpu.failure());
            assertEquals(List.of("in 0x70 size 1 count 1", "write 0xd0000000 5a", "read 0xd0000000 length 1"), seen);
            assertEquals(0x42, guest.ram.memory().get(JAVA_BYTE, 0x500));
            assertEquals(0x77, guest.ram.memory().get(JAVA_BYTE, 0x501));
        }
    }

    @Test
    void unhandledPortReadsAllOnes() throws InterruptedException {
        // mov dx, 0x70; in al, dx; mov [0x500], al; hlt
        byte[] code = HexFormat.of().parseHex("66ba7000" + "ec" + "a200050000" + "f4");
        try (CodeGuest guest = new CodeGuest(kvm, VcpuIoHandler.NONE, code)) {
            guest.vcpu.start();
            assertTrue(guest.vcpu.awaitEnd(LONG));
            assertEquals(0xFF, Byte.toUnsignedInt(guest.ram.memory().get(JAVA_BYTE, 0x500)));
        }
    }

    @Test
    void failingHandlerStopsTheVcpuWithItsMessage() throws InterruptedException {
        VcpuIoHandler io = new VcpuIoHandler() {
            @Override
            public void portOut(int port, int size, int count, MemorySegment data) {
                throw new IllegalStateException("serial console gone");
            }
        };
        SweepGuestProgram program = new SweepGuestProgram(0x10_0000, 0x20_0000, 1);
        try (CodeGuest guest = new CodeGuest(kvm, io, program.code())) {
            guest.vcpu.start();
            assertTrue(guest.vcpu.awaitEnd(LONG));
            KvmException failure = guest.vcpu.failure().orElseThrow();
            assertEquals("vCPU 0 stopped: the I/O handler failed on port 0x3f8: serial console gone", failure.getMessage());
            assertTrue(failure.getCause() instanceof IllegalStateException);
        }
    }

    @Test
    void registerIoctlsNeedANativeStructOfTheRequestsSize() {
        try (CodeGuest guest = new CodeGuest(kvm, VcpuIoHandler.NONE, HLT);
                java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> guest.vcpu.registerIoctl(KvmIoctls.KVM_GET_SREGS, arena.allocate(311)));
            assertTrue(small.getMessage().startsWith("KVM_GET_SREGS needs a native struct of 312 bytes, got "),
                    small.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> guest.vcpu.registerIoctl(KvmIoctls.KVM_GET_REGS, MemorySegment.ofArray(new byte[144])));
            guest.vcpu.registerIoctl(KvmIoctls.KVM_GET_SREGS, arena.allocate(KvmStructs.SREGS));
        }
    }

    @Test
    void closingANeverStartedVcpuEndsIt() throws InterruptedException {
        try (CodeGuest guest = new CodeGuest(kvm, VcpuIoHandler.NONE, HLT)) {
            assertFalse(guest.vcpu.awaitEnd(Duration.ZERO));
            guest.vcpu.close();
            assertTrue(guest.vcpu.awaitEnd(Duration.ZERO));
            assertEquals(VcpuRunState.CLOSED, guest.vcpu.state());
        }
    }

    @Test
    void lifeCycleErrors() throws InterruptedException {
        try (CodeGuest guest = new CodeGuest(kvm, VcpuIoHandler.NONE, HLT)) {
            KvmVcpu vcpu = guest.vcpu;
            assertEquals(0, vcpu.id());
            assertEquals(List.of(vcpu), guest.vm.vcpus());
            assertEquals("vCPU 0 already exists", assertThrows(IllegalArgumentException.class,
                    () -> guest.vm.createVcpu(0, VcpuIoHandler.NONE)).getMessage());
            assertEquals("vCPU id must not be negative: -1", assertThrows(IllegalArgumentException.class,
                    () -> guest.vm.createVcpu(-1, VcpuIoHandler.NONE)).getMessage());
            assertEquals("vCPU throttle must be 0 to 99 percent: 100",
                    assertThrows(IllegalArgumentException.class, () -> vcpu.setThrottle(100)).getMessage());
            assertEquals("vCPU throttle must be 0 to 99 percent: -1",
                    assertThrows(IllegalArgumentException.class, () -> vcpu.setThrottle(-1)).getMessage());
            vcpu.start();
            assertEquals("vCPU 0 was already started",
                    assertThrows(IllegalStateException.class, vcpu::start).getMessage());
            vcpu.close();
            vcpu.close();
            assertEquals(VcpuRunState.CLOSED, vcpu.state());
            assertTrue(vcpu.awaitEnd(Duration.ZERO));
            assertEquals(List.of(), guest.vm.vcpus());
            assertEquals("vCPU 0 is closed", assertThrows(IllegalStateException.class, vcpu::start).getMessage());
            assertEquals("vCPU 0 is closed", assertThrows(IllegalStateException.class, vcpu::saveState).getMessage());
            // KVM keeps a vCPU until its VM is destroyed: the id is not free again.
            assertEquals("KVM_CREATE_VCPU failed: EEXIST (17)", assertThrows(KvmException.class,
                    () -> guest.vm.createVcpu(0, VcpuIoHandler.NONE)).getMessage());
            guest.vm.createVcpu(1, VcpuIoHandler.NONE).close();
        }
    }

    @Test
    void registersOfARunningVcpuAreRefused() throws InterruptedException {
        SweepGuestProgram program = new SweepGuestProgram(0x10_0000, 0x20_0000, 1);
        try (SweepGuest guest = SweepGuest.create(kvm, 2L << 20, program)) {
            VcpuState initial = guest.vcpu().saveState();
            guest.vcpu().start();
            assertTrue(guest.awaitPasses(1, LONG));
            assertEquals("vCPU 0 is running: pause it first",
                    assertThrows(IllegalStateException.class, guest.vcpu()::saveState).getMessage());
            assertEquals("vCPU 0 is running: pause it first",
                    assertThrows(IllegalStateException.class, () -> guest.vcpu().loadState(initial)).getMessage());
            guest.vcpu().pause();
            guest.vcpu().saveState();
        }
    }

    @Test
    void startPausedRunsNothingUntilResumed() throws InterruptedException {
        SweepGuestProgram program = new SweepGuestProgram(0x10_0000, 0x20_0000, 1);
        try (SweepGuest guest = SweepGuest.create(kvm, 2L << 20, program)) {
            guest.vcpu().pause();
            guest.vcpu().start();
            assertEquals(VcpuRunState.PAUSED, guest.vcpu().state());
            guest.vcpu().pause();
            // Parked before its first KVM_RUN: RIP is still at the entry point.
            assertEquals(SweepGuest.CODE_ADDRESS, guest.vcpu().saveState().register("rip"));
            assertEquals(0, guest.startMarks());
            guest.vcpu().resume();
            assertTrue(guest.awaitPasses(2, LONG));
            assertEquals(1, guest.startMarks());
        }
    }

    @Test
    void sweepGuestRunsQemusWorkloadConsistently() throws InterruptedException {
        SweepGuestProgram program = new SweepGuestProgram(0x10_0000, 0x80_0000, 1);
        try (SweepGuest guest = SweepGuest.create(kvm, 8L << 20, program)) {
            guest.vcpu().start();
            assertTrue(guest.awaitPasses(5, LONG), () -> "passes: " + guest.passes() + ", " + guest.vcpu());
            guest.vcpu().pause();
            SweepRamCheck check = guest.check();
            assertTrue(check.consistent(), check::message);
            assertEquals(1, guest.startMarks());
            assertEquals(0, guest.otherOutput());
            // ebx counts the passes; the guest may have finished one whose 'B' it has not written yet.
            VcpuState state = guest.vcpu().saveState();
            long unreported = state.register("rbx") - guest.passes();
            assertTrue(unreported == 0 || unreported == 1, () -> "rbx " + state.register("rbx") + ", passes "
                    + guest.passes());
            // The page bytes count passes too: the first page has been incremented once per pass, or
            // once more if the sweep is past it in the pass it was stopped in.
            long first = Byte.toUnsignedInt(guest.ram().memory().get(JAVA_BYTE, program.start()));
            long passes = state.register("rbx");
            assertTrue(first == (passes & 0xFF) || first == ((passes + 1) & 0xFF), () -> first + " vs " + passes);
            // Protected mode as set up, paging off.
            assertEquals(0x11, state.register("cr0"));
        }
    }

    @Test
    void pauseFromTheHandlerCompletesThePendingPortReadFirst() throws InterruptedException {
        // mov dx, 0x70; in al, dx; hlt
        byte[] code = HexFormat.of().parseHex("66ba7000" + "ec" + "f4");
        KvmVcpu[] self = new KvmVcpu[1];
        CountDownLatch handled = new CountDownLatch(1);
        VcpuIoHandler io = new VcpuIoHandler() {
            @Override
            public void portIn(int port, int size, int count, MemorySegment data) {
                data.set(JAVA_BYTE, 0, (byte) 0x42);
                self[0].pause(); // on the vCPU's own thread: only requested
                handled.countDown();
            }
        };
        try (CodeGuest guest = new CodeGuest(kvm, io, code)) {
            self[0] = guest.vcpu;
            guest.vcpu.start();
            assertTrue(handled.await(LONG.toSeconds(), TimeUnit.SECONDS));
            guest.vcpu.pause(); // waits until it is parked
            assertEquals(VcpuRunState.PAUSED, guest.vcpu.state());
            // The in instruction completed before the vCPU parked: AL holds the data, RIP is past it.
            VcpuState state = guest.vcpu.saveState();
            assertEquals(0x42, state.register("rax") & 0xFF);
            assertEquals(0x1005, state.register("rip"));
            guest.vcpu.resume();
            assertTrue(guest.vcpu.awaitEnd(LONG));
            assertEquals(VcpuRunState.HALTED, guest.vcpu.state());
        }
    }

    @Test
    void pauseFromTheHandlerStopsBeforeTheNextPass() throws InterruptedException {
        SweepGuestProgram program = new SweepGuestProgram(0x10_0000, 0x20_0000, 1);
        KvmVcpu[] self = new KvmVcpu[1];
        int[] marks = new int[1];
        VcpuIoHandler io = new VcpuIoHandler() {
            @Override
            public void portOut(int port, int size, int count, MemorySegment data) {
                if (data.get(JAVA_BYTE, 0) == 'B' && ++marks[0] == 7) {
                    self[0].pause();
                }
            }
        };
        try (CodeGuest guest = new CodeGuest(kvm, io, program.code())) {
            self[0] = guest.vcpu;
            guest.vcpu.start();
            long deadline = System.nanoTime() + LONG.toNanos();
            while (guest.vcpu.state() != VcpuRunState.PAUSED) {
                assertTrue(System.nanoTime() - deadline < 0, "the handler's pause never came");
                Thread.sleep(1);
            }
            guest.vcpu.pause();
            Thread.sleep(20);
            VcpuState state = guest.vcpu.saveState();
            assertEquals(7, state.register("rbx"));
            // Parked right after the out: the next instruction is the jmp back to the next pass.
            assertEquals(0x1029, state.register("rip"));
            guest.vcpu.resume();
        }
    }

    @Test
    void closeFromTheHandlerIsRefused() throws InterruptedException {
        KvmVcpu[] self = new KvmVcpu[1];
        VcpuIoHandler io = new VcpuIoHandler() {
            @Override
            public void portOut(int port, int size, int count, MemorySegment data) {
                self[0].close();
            }
        };
        SweepGuestProgram program = new SweepGuestProgram(0x10_0000, 0x20_0000, 1);
        try (CodeGuest guest = new CodeGuest(kvm, io, program.code())) {
            self[0] = guest.vcpu;
            guest.vcpu.start();
            assertTrue(guest.vcpu.awaitEnd(LONG));
            assertEquals("vCPU 0 stopped: the I/O handler failed on port 0x3f8: vCPU 0 cannot be closed from its own"
                    + " thread", guest.vcpu.failure().orElseThrow().getMessage());
        }
    }
}
