package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code int ioctl(int fd, unsigned long request, ...)}, in the two argument shapes KVM uses:
 * a pointer to a struct, and a scalar passed by value. Both fail with a {@link KvmException}
 * naming the request and the errno.
 */
final class Ioctl {
    // ioctl is variadic from its third argument: the linker must know, as the calling
    // convention of variadic calls can differ (it does on some platforms).

    // (int fd, long request, MemorySegment arg)int, -errno on failure
    private static final MethodHandle WITH_POINTER = CapturedErrno.resultOrNegatedErrno(CapturedErrno.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2)));

    // (int fd, long request, long arg)int, -errno on failure
    private static final MethodHandle WITH_LONG = CapturedErrno.resultOrNegatedErrno(CapturedErrno.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2)));

    private Ioctl() {
    }

    /**
     * An ioctl whose argument is a pointer; the kernel reads or writes {@code arg} during the
     * call only, so {@code arg} must be a native segment that stays alive for the call.
     *
     * @param fd the file descriptor
     * @param request the request
     * @param arg the struct the request reads or writes
     * @return the ioctl's non-negative result
     * @throws KvmException if the ioctl fails
     */
    static int call(int fd, IoctlRequest request, MemorySegment arg) {
        int result;
        try {
            result = (int) WITH_POINTER.invokeExact(fd, request.number(), arg);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (result < 0) {
            throw KvmException.ioctl(request, -result);
        }
        return result;
    }

    /**
     * An ioctl whose argument is a number (or that takes none: pass 0).
     *
     * @param fd the file descriptor
     * @param request the request
     * @param arg the value
     * @return the ioctl's non-negative result
     * @throws KvmException if the ioctl fails
     */
    static int call(int fd, IoctlRequest request, long arg) {
        int result;
        try {
            result = (int) WITH_LONG.invokeExact(fd, request.number(), arg);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (result < 0) {
            throw KvmException.ioctl(request, -result);
        }
        return result;
    }

    /**
     * An ioctl whose argument is a number, reporting failure as a result instead of an
     * exception: for {@code KVM_RUN}, whose {@code EINTR} is how a kicked vCPU comes back and
     * must not cost an exception each time.
     *
     * @param fd the file descriptor
     * @param request the request
     * @param arg the value
     * @return the ioctl's non-negative result, or {@code -errno}
     */
    static int callOrNegatedErrno(int fd, IoctlRequest request, long arg) {
        try {
            return (int) WITH_LONG.invokeExact(fd, request.number(), arg);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }
}
