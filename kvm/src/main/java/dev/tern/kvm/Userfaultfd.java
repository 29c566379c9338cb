package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.OptionalLong;

/**
 * The {@code userfaultfd(2)} system call and its {@code UFFDIO_API} handshake
 * ({@code linux/userfaultfd.h}).
 */
final class Userfaultfd {
    /** {@code UFFD_USER_MODE_ONLY}: only faults taken in user mode are reported (Linux 5.11). */
    static final int UFFD_USER_MODE_ONLY = 1;
    /** {@code UFFD_API}: the only userfaultfd API version. */
    static final long UFFD_API = 0xAA;
    /** The ioctl type byte of userfaultfd requests. */
    static final int UFFDIO = 0xAA;

    /**
     * {@code struct uffdio_api}, 24 bytes: the caller sets {@code api} and the features it
     * wants (none, to ask what exists); the kernel answers with the available features and a
     * bit mask of the ioctls the descriptor accepts (bit {@code n} is ioctl number {@code n}).
     */
    static final StructLayout UFFDIO_API_STRUCT = MemoryLayout.structLayout(
            JAVA_LONG.withName("api"),
            JAVA_LONG.withName("features"),
            JAVA_LONG.withName("ioctls"));

    private static final VarHandle API = UFFDIO_API_STRUCT.varHandle(PathElement.groupElement("api"));
    private static final VarHandle FEATURES = UFFDIO_API_STRUCT.varHandle(PathElement.groupElement("features"));
    private static final VarHandle IOCTLS = UFFDIO_API_STRUCT.varHandle(PathElement.groupElement("ioctls"));

    /** {@code UFFDIO_API}: {@code _IOWR(0xAA, 0x3F, struct uffdio_api)}. */
    static final IoctlRequest UFFDIO_API = IoctlRequest.iowr("UFFDIO_API", UFFDIO, 0x3F, UFFDIO_API_STRUCT.byteSize());

    /** {@code _UFFDIO_REGISTER}: the bit of {@code UFFDIO_REGISTER} in the ioctls mask. */
    static final int UFFDIO_REGISTER_NR = 0x00;
    /** {@code _UFFDIO_UNREGISTER}. */
    static final int UFFDIO_UNREGISTER_NR = 0x01;

    private Userfaultfd() {
    }

    /**
     * The {@code userfaultfd} system call number on {@code os.arch}.
     *
     * @param arch the value of the {@code os.arch} property
     * @return 323 on x86-64, 282 on aarch64, empty elsewhere
     */
    static OptionalLong syscallNumber(String arch) {
        return switch (arch) {
            case "amd64", "x86_64" -> OptionalLong.of(323);
            case "aarch64" -> OptionalLong.of(282);
            default -> OptionalLong.empty();
        };
    }

    /**
     * {@code userfaultfd(O_CLOEXEC | O_NONBLOCK | extraFlags)}.
     *
     * @param number the system call number
     * @param extraFlags for example {@link #UFFD_USER_MODE_ONLY}
     * @return the new descriptor, or {@code -errno}
     */
    static int open(long number, int extraFlags) {
        return (int) Syscalls.syscall(number, Syscalls.O_CLOEXEC | Syscalls.O_NONBLOCK | extraFlags);
    }

    /**
     * The {@code UFFDIO_API} handshake, asking for no features so that the kernel reports all
     * of them. A descriptor accepts one handshake only, so probing uses a descriptor of its own.
     *
     * @param fd a fresh userfaultfd descriptor
     * @return {@code {features, ioctls}}
     * @throws KvmException if the ioctl fails
     */
    static long[] handshake(int fd) {
        // The struct is read and written by the kernel during the ioctl only; 24 bytes by layout.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment api = scratch.allocate(UFFDIO_API_STRUCT);
            API.set(api, 0L, UFFD_API);
            FEATURES.set(api, 0L, 0L);
            Ioctl.call(fd, UFFDIO_API, api);
            return new long[] {(long) FEATURES.get(api, 0L), (long) IOCTLS.get(api, 0L)};
        }
    }
}
