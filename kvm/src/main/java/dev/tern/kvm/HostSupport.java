package dev.tern.kvm;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Probes of what this Linux host offers beyond {@code /dev/kvm}, each answering with the
 * reason when something is missing, so that the engine can refuse a capability with a
 * message that says what to change.
 */
public final class HostSupport {
    private static final long REGISTER_AND_UNREGISTER =
            1L << Userfaultfd.UFFDIO_REGISTER_NR | 1L << Userfaultfd.UFFDIO_UNREGISTER_NR;

    private HostSupport() {
    }

    /**
     * Probes userfaultfd the way QEMU's {@code postcopy_ram_supported_by_host} begins: the
     * system call must exist and be permitted for kernel-mode faults (KVM's accesses to guest
     * memory are kernel-mode faults), and the {@code UFFDIO_API} handshake must succeed and
     * offer {@code UFFDIO_REGISTER} and {@code UFFDIO_UNREGISTER}. When a full descriptor is
     * not permitted, a {@code UFFD_USER_MODE_ONLY} one is tried to tell "restricted" from
     * "absent". Every descriptor opened is closed before returning.
     *
     * @return the result; {@link UserfaultfdSupport#unsupportedReason()} says what is missing
     */
    public static UserfaultfdSupport userfaultfd() {
        return userfaultfd(System.getProperty("os.arch"));
    }

    static UserfaultfdSupport userfaultfd(String arch) {
        OptionalLong number = Userfaultfd.syscallNumber(arch);
        if (number.isEmpty()) {
            return UserfaultfdSupport.unsupported("Tern knows the userfaultfd system call number only on x86-64 and"
                    + " aarch64, not on " + arch, false, 0, 0);
        }
        int fd = Userfaultfd.open(number.getAsLong(), 0);
        if (fd >= 0) {
            return handshake(fd, false);
        }
        int errno = -fd;
        if (errno != Errno.EPERM) {
            return UserfaultfdSupport.unsupported(openFailure(errno), false, 0, 0);
        }
        int userOnly = Userfaultfd.open(number.getAsLong(), Userfaultfd.UFFD_USER_MODE_ONLY);
        if (userOnly < 0) {
            return UserfaultfdSupport.unsupported(openFailure(errno), false, 0, 0);
        }
        return handshake(userOnly, true);
    }

    /** Runs the handshake on {@code fd} and closes it. */
    private static UserfaultfdSupport handshake(int fd, boolean userModeOnly) {
        FileDescriptor owned = new FileDescriptor(fd, "userfaultfd");
        try {
            long[] answer = Userfaultfd.handshake(owned.get());
            long features = answer[0];
            long ioctls = answer[1];
            if ((ioctls & REGISTER_AND_UNREGISTER) != REGISTER_AND_UNREGISTER) {
                return UserfaultfdSupport.unsupported("userfaultfd does not offer the UFFDIO_REGISTER and"
                        + " UFFDIO_UNREGISTER ioctls (UFFDIO_API reported 0x" + Long.toHexString(ioctls) + ")",
                        userModeOnly, features, ioctls);
            }
            if (userModeOnly) {
                return UserfaultfdSupport.unsupported(userModeOnlyReason(), true, features, ioctls);
            }
            return new UserfaultfdSupport(Optional.empty(), false, features, ioctls);
        } catch (KvmException e) {
            return UserfaultfdSupport.unsupported("userfaultfd API handshake failed: " + e.getMessage(),
                    userModeOnly, 0, 0);
        } finally {
            owned.close();
        }
    }

    /**
     * The reason for a failed {@code userfaultfd} call.
     *
     * @param errno the call's errno
     * @return the message
     */
    static String openFailure(int errno) {
        return switch (errno) {
            case Errno.ENOSYS -> "userfaultfd is not available: the kernel has no userfaultfd system call"
                    + " (CONFIG_USERFAULTFD is off): " + Errno.describe(errno);
            case Errno.EPERM -> "userfaultfd is not permitted: set the sysctl vm.unprivileged_userfaultfd=1 or give"
                    + " the process CAP_SYS_PTRACE: " + Errno.describe(errno);
            default -> "userfaultfd failed: " + Errno.describe(errno);
        };
    }

    /**
     * The reason when only {@code UFFD_USER_MODE_ONLY} descriptors are permitted.
     *
     * @return the message
     */
    static String userModeOnlyReason() {
        return "userfaultfd is restricted to user-mode faults in this process, but KVM touches guest memory in"
                + " kernel mode: set the sysctl vm.unprivileged_userfaultfd=1 or give the process CAP_SYS_PTRACE";
    }
}
