package dev.tern.kvm;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link HostSupport#userfaultfd()} found: whether Tern can use userfaultfd for guest
 * memory (postcopy needs missing-page faults, {@code background-snapshot} write-protect
 * faults), and which features the kernel offers.
 *
 * <p>Anonymous guest RAM is private memory; file-backed guest RAM (tmpfs, memfd) is shmem, and
 * postcopy on it needs {@link #MISSING_SHMEM}, write-protection on it {@link #WP_HUGETLBFS_SHMEM}
 * besides {@link #PAGEFAULT_FLAG_WP}.
 *
 * @param unsupportedReason why userfaultfd cannot be used, empty if it can
 * @param userModeOnly true if only a {@code UFFD_USER_MODE_ONLY} descriptor could be created
 *     (then {@code unsupportedReason} is present: KVM takes its faults on guest memory in
 *     kernel mode, which such a descriptor does not report)
 * @param features the {@code UFFD_FEATURE_*} bits {@code UFFDIO_API} reported, 0 if none
 * @param ioctls the {@code UFFDIO_API} ioctls mask (bit {@code n} for ioctl number {@code n})
 */
public record UserfaultfdSupport(Optional<String> unsupportedReason, boolean userModeOnly, long features,
        long ioctls) {

    /** {@code UFFD_FEATURE_PAGEFAULT_FLAG_WP}: write-protect faults on anonymous memory. */
    public static final long PAGEFAULT_FLAG_WP = 1L << 0;
    /** {@code UFFD_FEATURE_MISSING_HUGETLBFS}: missing-page faults on hugetlbfs. */
    public static final long MISSING_HUGETLBFS = 1L << 4;
    /** {@code UFFD_FEATURE_MISSING_SHMEM}: missing-page faults on shmem, which backs guest RAM. */
    public static final long MISSING_SHMEM = 1L << 5;
    /** {@code UFFD_FEATURE_THREAD_ID}: the faulting thread's id, for postcopy blocktime per vCPU. */
    public static final long THREAD_ID = 1L << 8;
    /** {@code UFFD_FEATURE_WP_HUGETLBFS_SHMEM}: write-protect faults on hugetlbfs and shmem. */
    public static final long WP_HUGETLBFS_SHMEM = 1L << 12;

    /** Checks the members. */
    public UserfaultfdSupport {
        Objects.requireNonNull(unsupportedReason, "unsupportedReason");
    }

    static UserfaultfdSupport unsupported(String reason, boolean userModeOnly, long features, long ioctls) {
        return new UserfaultfdSupport(Optional.of(reason), userModeOnly, features, ioctls);
    }

    /**
     * Whether userfaultfd works for guest memory in this process.
     *
     * @return true if {@link #unsupportedReason()} is empty
     */
    public boolean available() {
        return unsupportedReason.isEmpty();
    }

    /**
     * Whether the kernel offers a feature.
     *
     * @param feature a {@code UFFD_FEATURE_*} bit, such as {@link #PAGEFAULT_FLAG_WP}
     * @return true if the bit is set in {@link #features()}
     */
    public boolean hasFeature(long feature) {
        return (features & feature) == feature;
    }

    /**
     * Whether write-protect faults are available (what QEMU's {@code background-snapshot}
     * requires of the host).
     *
     * @return {@code available() && hasFeature(PAGEFAULT_FLAG_WP)}
     */
    public boolean writeProtect() {
        return available() && hasFeature(PAGEFAULT_FLAG_WP);
    }
}
