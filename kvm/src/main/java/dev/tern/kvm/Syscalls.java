package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The libc calls besides {@code ioctl} that the KVM objects need: {@code open}, {@code close},
 * {@code mmap}, {@code munmap}, {@code sysconf} and {@code syscall}, each failing with a {@link KvmException}
 * that names the call and the errno.
 */
final class Syscalls {
    /** {@code O_RDWR}. */
    static final int O_RDWR = 2;
    /** {@code O_CLOEXEC}: a child started with {@code exec:} must not inherit KVM descriptors. */
    static final int O_CLOEXEC = 0x80000;
    /** {@code O_NONBLOCK}. */
    static final int O_NONBLOCK = 0x800;
    /** {@code PROT_READ}. */
    static final int PROT_READ = 1;
    /** {@code PROT_WRITE}. */
    static final int PROT_WRITE = 2;
    /** {@code MAP_SHARED}. */
    static final int MAP_SHARED = 0x01;
    /** {@code MAP_PRIVATE}. */
    static final int MAP_PRIVATE = 0x02;
    /** {@code MAP_ANONYMOUS}. */
    static final int MAP_ANONYMOUS = 0x20;

    private static final int SC_PAGESIZE = 30;
    private static final long MAP_FAILED = -1L;

    // int open(const char *path, int flags, ...): variadic from the mode argument.
    // (MemorySegment path, int flags, int mode)int, -errno on failure
    private static final MethodHandle OPEN = CapturedErrno.resultOrNegatedErrno(CapturedErrno.downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2)));

    // (int fd)int, -errno on failure
    private static final MethodHandle CLOSE = CapturedErrno.resultOrNegatedErrno(CapturedErrno.downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT)));

    // (MemorySegment state, MemorySegment addr, long length, int prot, int flags, int fd, long offset)MemorySegment
    private static final MethodHandle MMAP = CapturedErrno.downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));

    // (MemorySegment addr, long length)int, -errno on failure
    private static final MethodHandle MUNMAP = CapturedErrno.resultOrNegatedErrno(CapturedErrno.downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG)));

    // (int name)long, -errno on failure
    private static final MethodHandle SYSCONF = CapturedErrno.resultOrNegatedErrno(CapturedErrno.downcall("sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT)));

    // long syscall(long number, ...): variadic after the number.
    // (long number, int arg)long, -errno on failure
    private static final MethodHandle SYSCALL_INT = CapturedErrno.resultOrNegatedErrno(CapturedErrno.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT), Linker.Option.firstVariadicArg(1)));

    private static final long PAGE_SIZE = sysconf(SC_PAGESIZE, "sysconf(_SC_PAGESIZE)");

    private Syscalls() {
    }

    /**
     * The host page size: the granularity of {@code mmap} and of KVM's dirty bitmap.
     *
     * @return the page size in bytes
     */
    static long pageSize() {
        return PAGE_SIZE;
    }

    /**
     * {@code open(path, flags, 0)}; the caller owns the descriptor.
     *
     * @param path the file
     * @param flags the open flags
     * @return the descriptor, or {@code -errno}
     */
    static int open(String path, int flags) {
        // The confined arena holds the C string for the duration of the call only, which is
        // all open needs; its size is what allocateFrom computed (UTF-8 and a NUL).
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            return (int) OPEN.invokeExact(cPath, flags, 0);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }

    /**
     * {@code close(fd)}.
     *
     * @param fd the descriptor, which the caller must not use again
     * @throws KvmException if close fails
     */
    static void close(int fd) {
        int result;
        try {
            result = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (result < 0) {
            throw KvmException.call("close", -result);
        }
    }

    /**
     * Maps {@code length} bytes with {@code mmap(NULL, length, prot, flags, fd, offset)} and
     * ties the mapping to {@code arena}: closing the arena unmaps it.
     *
     * @param length the length in bytes, a multiple of the page size
     * @param prot the protection
     * @param flags the mapping flags
     * @param fd the file to map, or -1 for anonymous memory
     * @param offset the offset in the file
     * @param arena the lifetime of the mapping
     * @return a segment of exactly {@code length} bytes at the mapping
     * @throws KvmException if mmap fails
     */
    @SuppressWarnings("restricted") // the reinterpret below, justified where it is called
    static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, Arena arena) {
        MemorySegment state = CapturedErrno.stateSegment();
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (address.address() == MAP_FAILED) {
            throw KvmException.call("mmap", CapturedErrno.errno(state));
        }
        // SAFETY: mmap returned a mapping of exactly `length` bytes at this address; it stays
        // valid until munmap, which the cleanup runs once, when `arena` closes, after which
        // no segment of that arena can be accessed.
        return address.reinterpret(length, arena, mapping -> munmap(mapping, length));
    }

    /**
     * {@code syscall(number, arg)} for system calls that take one {@code int} and have no
     * libc wrapper (or none in older glibc), such as {@code userfaultfd}.
     *
     * @param number the system call number of this architecture
     * @param arg the argument
     * @return the result, or {@code -errno}
     */
    static long syscall(long number, int arg) {
        try {
            return (long) SYSCALL_INT.invokeExact(number, arg);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }

    private static void munmap(MemorySegment mapping, long length) {
        int result;
        try {
            result = (int) MUNMAP.invokeExact(mapping, length);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (result < 0) {
            throw KvmException.call("munmap", -result);
        }
    }

    private static long sysconf(int name, String what) {
        long result;
        try {
            result = (long) SYSCONF.invokeExact(name);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (result <= 0) {
            throw KvmException.call(what, (int) -result);
        }
        return result;
    }
}
