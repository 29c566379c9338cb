package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.function.IntPredicate;

/**
 * The signal that kicks a vCPU thread out of {@code KVM_RUN}, as QEMU's {@code SIG_IPI} does.
 *
 * <p>A thread inside {@code KVM_RUN} returns with {@code EINTR} when a signal that it does not
 * block is delivered to it and a handler runs. Tern installs, once per process, a handler for a
 * real-time signal that nobody else uses: the first of glibc's {@code SIGRTMIN} ..
 * {@code SIGRTMAX - 3} whose disposition is still {@code SIG_DFL} (34 with today's glibc). It leaves alone the signals
 * the JVM owns: HotSpot's {@code SIGSEGV}/{@code SIGBUS}/{@code SIGFPE}/{@code SIGILL}/
 * {@code SIGPIPE}/{@code SIGXFSZ}, its suspend/resume {@code SIGUSR2}, the shutdown signals,
 * the NIO interrupt signal {@code SIGRTMAX - 2} (62), and glibc's internal 32 and 33 (below
 * {@code SIGRTMIN}).
 *
 * <p>The handler is the address of libc's {@code abs}: a function of one {@code int} that
 * touches no memory, so it is async-signal-safe and never enters the JVM (an upcall stub here
 * would attach to the JVM inside a signal handler, which is not safe). The JDK's own NIO
 * interrupt works the same way with an empty C handler. {@code SA_RESTART} is set: it does not
 * stop the kick, because {@code KVM_RUN} returns a plain {@code -EINTR}, which the kernel never
 * restarts; but a late signal that lands after the thread has left {@code KVM_RUN} restarts
 * whatever system call the JVM was making instead of failing it with {@code EINTR}.
 */
final class VcpuSignal {
    private static final int SA_RESTART = 0x1000_0000;
    private static final int SIG_UNBLOCK = 1;
    /** The kernel's {@code SIGRTMAX}; the JDK's NIO interrupt signal is {@code SIGRTMAX - 2}. */
    private static final int KERNEL_SIGRTMAX = 64;

    /**
     * glibc's {@code struct sigaction} on x86-64 and aarch64, 152 bytes: the handler, the mask
     * of signals blocked while it runs ({@code sigset_t}, 1024 bits), the flags and the
     * restorer (which glibc's {@code sigaction} fills in itself).
     */
    static final StructLayout SIGACTION = MemoryLayout.structLayout(
            ADDRESS.withName("sa_handler"),
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("sa_mask"),
            JAVA_INT.withName("sa_flags"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("sa_restorer"));

    /** glibc's {@code sigset_t}: 1024 bits. */
    static final long SIGSET_SIZE = 128;

    private static final VarHandle SA_HANDLER = SIGACTION.varHandle(MemoryLayout.PathElement.groupElement("sa_handler"));
    private static final VarHandle SA_FLAGS = SIGACTION.varHandle(MemoryLayout.PathElement.groupElement("sa_flags"));
    private static final long SA_MASK = KvmStructs.offset(SIGACTION, "sa_mask");

    // int sigaction(int sig, const struct sigaction *act, struct sigaction *oldact), -errno on failure
    private static final MethodHandle SIGACTION_CALL = CapturedErrno.resultOrNegatedErrno(CapturedErrno.downcall(
            "sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)));
    // int sigemptyset(sigset_t *set)
    private static final MethodHandle SIGEMPTYSET = downcall("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int sigaddset(sigset_t *set, int sig)
    private static final MethodHandle SIGADDSET = downcall("sigaddset",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    // int pthread_sigmask(int how, const sigset_t *set, sigset_t *old): returns an error number
    private static final MethodHandle PTHREAD_SIGMASK = downcall("pthread_sigmask",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // pthread_t pthread_self(void): an unsigned long on Linux
    private static final MethodHandle PTHREAD_SELF = downcall("pthread_self", FunctionDescriptor.of(JAVA_LONG));
    // int pthread_kill(pthread_t thread, int sig): returns an error number
    private static final MethodHandle PTHREAD_KILL = downcall("pthread_kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    // int __libc_current_sigrtmin(void), int __libc_current_sigrtmax(void): what SIGRTMIN/SIGRTMAX expand to
    private static final MethodHandle SIGRTMIN = downcall("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGRTMAX = downcall("__libc_current_sigrtmax", FunctionDescriptor.of(JAVA_INT));

    /** The handler: libc's {@code int abs(int)}, which the kernel calls as {@code void handler(int)}. */
    private static final MemorySegment HANDLER = CapturedErrno.LINKER.defaultLookup().findOrThrow("abs");

    private static final int SIGNAL = install();

    private VcpuSignal() {
    }

    /**
     * The signal number Tern kicks vCPU threads with; the handler is installed when this class
     * initialises.
     *
     * @return a real-time signal number
     */
    static int number() {
        return SIGNAL;
    }

    /**
     * Called on a vCPU thread before its first {@code KVM_RUN}: makes sure the kick signal is
     * not blocked there (a thread inherits its mask from the thread that started it).
     *
     * @return the calling thread's {@code pthread_t}, for {@link #kick(long)}
     */
    static long prepareCurrentThread() {
        // The sigset lives for the call only; 128 bytes is glibc's sigset_t.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment set = scratch.allocate(SIGSET_SIZE, 8);
            int emptied = (int) SIGEMPTYSET.invokeExact(set);
            int added = (int) SIGADDSET.invokeExact(set, SIGNAL);
            int error = (int) PTHREAD_SIGMASK.invokeExact(SIG_UNBLOCK, set, MemorySegment.NULL);
            if (emptied != 0 || added != 0 || error != 0) {
                throw KvmException.call("pthread_sigmask", error);
            }
            return (long) PTHREAD_SELF.invokeExact();
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }

    /**
     * Sends the kick signal to a vCPU thread. The caller guarantees that the thread has not
     * ended (a {@code pthread_t} of an ended thread must not be used).
     *
     * @param thread the {@code pthread_t} {@link #prepareCurrentThread()} returned on that thread
     * @throws KvmException if {@code pthread_kill} fails
     */
    static void kick(long thread) {
        int error;
        // No memory crosses: a pthread_t and a number, valid while the caller keeps the thread alive.
        try {
            error = (int) PTHREAD_KILL.invokeExact(thread, SIGNAL);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (error != 0) {
            throw KvmException.call("pthread_kill", error);
        }
    }

    private static int install() {
        int min;
        int max;
        // No memory crosses: two numbers back.
        try {
            min = (int) SIGRTMIN.invokeExact();
            max = (int) SIGRTMAX.invokeExact();
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        // Both structs are read or written by sigaction during the call only; sized by layout.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment old = scratch.allocate(SIGACTION);
            MemorySegment act = scratch.allocate(SIGACTION);
            int signal = firstFree(min, max, candidate -> {
                try {
                    call(candidate, MemorySegment.NULL, old);
                } catch (Throwable t) {
                    throw CapturedErrno.rethrow(t);
                }
                // SIG_DFL is the null handler; SIG_IGN (1) or a handler means someone else's.
                return ((MemorySegment) SA_HANDLER.get(old, 0L)).address() == 0;
            });
            SA_HANDLER.set(act, 0L, HANDLER);
            SA_FLAGS.set(act, 0L, SA_RESTART);
            // The handler runs with nothing extra blocked: an empty sa_mask.
            int emptied = (int) SIGEMPTYSET.invokeExact(act.asSlice(SA_MASK, SIGSET_SIZE));
            if (emptied != 0) {
                throw KvmException.call("sigemptyset", emptied);
            }
            call(signal, act, MemorySegment.NULL);
            return signal;
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }

    /**
     * The signal to take: the first real-time signal from {@code min} whose disposition is
     * still the default, leaving out the last three ({@code SIGRTMAX - 2} is the JDK's NIO
     * interrupt signal, and the top ones are where other runtimes look first).
     *
     * @param min glibc's {@code SIGRTMIN}
     * @param max glibc's {@code SIGRTMAX}
     * @param free whether a signal still has its default disposition
     * @return the signal
     * @throws IllegalStateException if every candidate is taken
     */
    static int firstFree(int min, int max, IntPredicate free) {
        int last = Math.min(max - 3, KERNEL_SIGRTMAX - 3);
        for (int signal = min; signal <= last; signal++) {
            if (free.test(signal)) {
                return signal;
            }
        }
        throw new IllegalStateException("no free real-time signal from " + min + " to " + last
                + " to kick vCPU threads with: every one already has a handler");
    }

    /**
     * The handler and flags installed for a signal now, for tests.
     *
     * @param signal the signal
     * @return {@code {handler address, sa_flags}}
     */
    static long[] disposition(int signal) {
        // The struct is written by sigaction during the call only; sized by layout.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment old = scratch.allocate(SIGACTION);
            call(signal, MemorySegment.NULL, old);
            return new long[] {((MemorySegment) SA_HANDLER.get(old, 0L)).address(), (int) SA_FLAGS.get(old, 0L)};
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }

    /**
     * The address of the handler Tern installs.
     *
     * @return libc's {@code abs}
     */
    static long handlerAddress() {
        return HANDLER.address();
    }

    private static void call(int signal, MemorySegment act, MemorySegment old) throws Throwable {
        int result = (int) SIGACTION_CALL.invokeExact(signal, act, old);
        if (result < 0) {
            throw KvmException.call("sigaction(" + signal + ")", -result);
        }
    }

    // Restricted: each descriptor is checked against the C prototype in the comment above its use.
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String function, FunctionDescriptor descriptor) {
        return CapturedErrno.LINKER.downcallHandle(CapturedErrno.LINKER.defaultLookup().findOrThrow(function),
                descriptor);
    }
}
