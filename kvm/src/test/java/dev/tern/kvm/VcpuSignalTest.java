package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The kick signal: which one is taken, how it is installed, and that it is harmless outside KVM_RUN. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class VcpuSignalTest {
    private static final int SA_RESTART = 0x1000_0000;

    @Test
    void takesAFreeRealTimeSignalBelowTheJdksAndInstallsAbsWithRestart() {
        int signal = VcpuSignal.number();
        assertTrue(signal >= 34 && signal <= 61, "glibc's SIGRTMIN is 34; the JDK's NIO signal is 62: " + signal);
        long[] disposition = VcpuSignal.disposition(signal);
        assertEquals(VcpuSignal.handlerAddress(), disposition[0]);
        assertEquals(SA_RESTART, disposition[1] & SA_RESTART);
        // The JDK's NIO interrupt signal keeps whatever it had.
        assertTrue(VcpuSignal.disposition(62)[0] != VcpuSignal.handlerAddress());
    }

    @Test
    void firstFreeSkipsTakenSignalsAndTheTopThree() {
        assertEquals(34, VcpuSignal.firstFree(34, 64, s -> true));
        assertEquals(36, VcpuSignal.firstFree(34, 64, s -> s >= 36));
        assertEquals(61, VcpuSignal.firstFree(34, 64, s -> s >= 61));
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> VcpuSignal.firstFree(34, 64, s -> s >= 62));
        assertEquals("no free real-time signal from 34 to 61 to kick vCPU threads with: every one already has a"
                + " handler", none.getMessage());
        // A libc with fewer real-time signals: still three below its SIGRTMAX.
        assertEquals(40, VcpuSignal.firstFree(35, 43, s -> s >= 40));
        assertThrows(IllegalStateException.class, () -> VcpuSignal.firstFree(35, 43, s -> s >= 41));
    }

    @Test
    void kicksThatMissKvmRunAreHarmlessToJavaCode(@TempDir Path dir) throws Exception {
        // A kick can land after the vCPU thread left KVM_RUN: the handler then runs over Java code,
        // parked threads and system calls. Send thousands to a thread doing all three.
        AtomicLong pthread = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong rounds = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Path file = dir.resolve("data");
        byte[] content = new byte[64 * 1024];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i;
        }
        Files.write(file, content);
        Thread target = Thread.ofPlatform().name("kick-target").start(() -> {
            pthread.set(VcpuSignal.prepareCurrentThread());
            try {
                long sum = 0;
                for (int round = 0; round < 400; round++) {
                    assertEquals(content.length, Files.readAllBytes(file).length);
                    Thread.sleep(1);
                    for (int i = 0; i < 10_000; i++) {
                        sum += Set.of(i, i + 1).size();
                    }
                    rounds.incrementAndGet();
                }
                assertEquals(400L * 10_000 * 2, sum);
            } catch (Throwable t) {
                failure.set(t);
            }
            finished.countDown();
            // Stay alive until the kicks stop: pthread_kill on an ended thread is undefined.
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException e) {
                    // keep waiting
                }
            }
        });
        while (pthread.get() == 0 && target.isAlive()) {
            Thread.onSpinWait();
        }
        long kicks = 0;
        while (finished.getCount() > 0) {
            VcpuSignal.kick(pthread.get());
            kicks++;
            if (kicks % 64 == 0) {
                Thread.sleep(0, 100_000);
            }
        }
        release.countDown();
        target.join();
        if (failure.get() != null) {
            throw new AssertionError("the kicked thread failed after " + kicks + " kicks", failure.get());
        }
        assertEquals(400, rounds.get());
        assertTrue(kicks > 100, "kicks sent: " + kicks);
    }
}
