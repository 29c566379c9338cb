package dev.tern.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Downcall handles that report errno the way the JDK's own {@code CaptureStateUtil} does: the
 * adapted handle returns the C result when it is non-negative and {@code -errno} otherwise,
 * so one {@code invokeExact} gives both, with no allocation.
 *
 * <p>The capture-state segment the linker writes errno into is one per thread, allocated on
 * the thread's first native call and reused for all later ones: a thread runs one call at a
 * time, and the adapter reads errno before the thread can start another.
 */
final class CapturedErrno {
    /** The platform's C linker. */
    static final Linker LINKER = Linker.nativeLinker();

    private static final StructLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE_LAYOUT.varHandle(PathElement.groupElement("errno"));

    // Arena.ofAuto: the segment lives as long as the thread-local holds it, that is, until the
    // thread ends; sized by captureStateLayout, which is what the linker writes.
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));

    private static final MethodHandle STATE_SEGMENT;
    private static final MethodHandle INT_OR_NEGATED_ERRNO;
    private static final MethodHandle LONG_OR_NEGATED_ERRNO;

    static {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            // ()MemorySegment
            STATE_SEGMENT = lookup.findStatic(CapturedErrno.class, "stateSegment",
                    MethodType.methodType(MemorySegment.class));
            // (int, MemorySegment)int
            INT_OR_NEGATED_ERRNO = lookup.findStatic(CapturedErrno.class, "intOrNegatedErrno",
                    MethodType.methodType(int.class, int.class, MemorySegment.class));
            // (long, MemorySegment)long
            LONG_OR_NEGATED_ERRNO = lookup.findStatic(CapturedErrno.class, "longOrNegatedErrno",
                    MethodType.methodType(long.class, long.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private CapturedErrno() {
    }

    /**
     * A downcall to a libc function that captures errno; its type starts with the capture-state
     * {@code MemorySegment}, followed by the parameters of {@code descriptor}.
     *
     * @param function the libc symbol
     * @param descriptor the C signature
     * @param options further linker options, such as {@code firstVariadicArg}
     * @return {@code (MemorySegment state, A...)R}
     */
    // One of the two restricted calls in Tern (the other is Syscalls.mmap's reinterpret):
    // each descriptor here is checked against the C prototype it names.
    @SuppressWarnings("restricted")
    static MethodHandle downcall(String function, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = Linker.Option.captureCallState("errno");
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(function), descriptor, all);
    }

    /**
     * Adapts a capturing downcall that returns {@code int} or {@code long} so that it returns
     * the result, or {@code -errno} when the result is negative, and supplies the thread's
     * capture-state segment itself.
     *
     * @param target {@code (MemorySegment state, A...)R}, R being {@code int} or {@code long}
     * @return {@code (A...)R}
     */
    static MethodHandle resultOrNegatedErrno(MethodHandle target) {
        MethodType type = target.type();
        MethodHandle check = type.returnType() == int.class ? INT_OR_NEGATED_ERRNO : LONG_OR_NEGATED_ERRNO;
        // (R, MemorySegment)R applied to target's result: (MemorySegment state, A..., MemorySegment state)R
        MethodHandle checked = MethodHandles.collectArguments(check, 0, target);
        // Both segment parameters are the same segment: (MemorySegment state, A...)R
        int[] reorder = new int[type.parameterCount() + 1];
        for (int i = 0; i < type.parameterCount(); i++) {
            reorder[i] = i;
        }
        reorder[type.parameterCount()] = 0;
        MethodHandle merged = MethodHandles.permuteArguments(checked, type, reorder);
        // The segment comes from the thread-local: (A...)R
        return MethodHandles.foldArguments(merged, 0, STATE_SEGMENT);
    }

    /**
     * The calling thread's capture-state segment, for downcalls that return something other
     * than a number (such as {@code mmap}) and read errno with {@link #errno(MemorySegment)}.
     *
     * @return the segment; valid on this thread only
     */
    static MemorySegment stateSegment() {
        return STATE.get();
    }

    /**
     * The errno a capturing downcall left in {@code state}.
     *
     * @param state the capture-state segment passed to the call
     * @return the errno
     */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static int intOrNegatedErrno(int result, MemorySegment state) {
        return result >= 0 ? result : -errno(state);
    }

    private static long longOrNegatedErrno(long result, MemorySegment state) {
        return result >= 0 ? result : -errno(state);
    }

    /**
     * A downcall cannot throw a checked exception; this turns the {@code Throwable} that
     * {@code invokeExact} declares back into what it really is.
     *
     * @param t what the call threw
     * @return never returns normally when {@code t} is unchecked
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("checked exception from a native call", t);
    }
}
