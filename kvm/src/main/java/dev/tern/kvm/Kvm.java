package dev.tern.kvm;

/**
 * The {@code /dev/kvm} device: the system-level KVM file descriptor, from which VMs are
 * created and capabilities are queried.
 *
 * <p>Thread-safe, except that {@link #close()} must not run while another thread is inside a
 * call on this object.
 *
 * {@snippet :
 * try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm()) {
 *     if (!kvm.hasExtension(KvmCapabilities.USER_MEMORY)) {
 *         throw KvmException.missingCapability("KVM_CAP_USER_MEMORY");
 *     }
 * }
 * }
 */
public final class Kvm implements AutoCloseable {
    /** {@code KVM_API_VERSION}: the only stable KVM API, which every kernel since 2.6.22 reports. */
    public static final int API_VERSION = 12;

    /** Where the device is. */
    static final String DEVICE = "/dev/kvm";

    private final FileDescriptor fd;

    private Kvm(FileDescriptor fd) {
        this.fd = fd;
    }

    /**
     * Opens {@code /dev/kvm} and checks that it speaks API version 12.
     *
     * @return the open device
     * @throws KvmException if the device is missing or not accessible (the message says what
     *     to check), or reports another API version
     */
    public static Kvm open() {
        return open(DEVICE);
    }

    /**
     * Opens the KVM device at {@code path}; tests use it to reach the error paths.
     *
     * @param path the device node
     * @return the open device
     */
    static Kvm open(String path) {
        int result = Syscalls.open(path, Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
        if (result < 0) {
            throw KvmException.deviceUnavailable(path, -result);
        }
        Kvm kvm = new Kvm(new FileDescriptor(result, path));
        try {
            int version = kvm.apiVersion();
            if (version != API_VERSION) {
                throw KvmException.unsupportedApiVersion(version);
            }
        } catch (RuntimeException e) {
            kvm.fd.close();
            throw e;
        }
        return kvm;
    }

    /**
     * {@code KVM_GET_API_VERSION}.
     *
     * @return the API version, 12 on every supported kernel
     * @throws KvmException if the ioctl fails
     */
    public int apiVersion() {
        return Ioctl.call(fd.get(), KvmIoctls.KVM_GET_API_VERSION, 0L);
    }

    /**
     * {@code KVM_CHECK_EXTENSION} on the system descriptor.
     *
     * @param capability a {@code KVM_CAP_*} number, see {@link KvmCapabilities}
     * @return 0 if unsupported; otherwise 1 or a capability-specific positive value (for
     *     example the number of memory slots for {@link KvmCapabilities#NR_MEMSLOTS})
     * @throws KvmException if the ioctl fails
     */
    public int checkExtension(int capability) {
        return Ioctl.call(fd.get(), KvmIoctls.KVM_CHECK_EXTENSION, capability);
    }

    /**
     * Whether {@link #checkExtension(int)} reports the capability.
     *
     * @param capability a {@code KVM_CAP_*} number
     * @return true if the value is positive
     * @throws KvmException if the ioctl fails
     */
    public boolean hasExtension(int capability) {
        return checkExtension(capability) > 0;
    }

    /**
     * {@code KVM_GET_VCPU_MMAP_SIZE}: how many bytes of a vCPU descriptor to map for its
     * {@code struct kvm_run} (and the pages that follow it).
     *
     * @return the size in bytes
     * @throws KvmException if the ioctl fails
     */
    public int vcpuMmapSize() {
        return Ioctl.call(fd.get(), KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0L);
    }

    /**
     * {@code KVM_CREATE_VM} with the default machine type. The VM's lifetime is its own:
     * closing this {@code Kvm} does not close it.
     *
     * @return the new VM
     * @throws KvmException if the ioctl fails (for example {@code EMFILE}, or {@code ENOMEM})
     */
    public KvmVm createVm() {
        int mmapSize = vcpuMmapSize();
        int vmFd = Ioctl.call(fd.get(), KvmIoctls.KVM_CREATE_VM, 0L);
        return new KvmVm(new FileDescriptor(vmFd, "KVM VM"), mmapSize);
    }

    /**
     * Closes the device descriptor. Idempotent.
     *
     * @throws KvmException if {@code close} fails
     */
    @Override
    public void close() {
        fd.close();
    }
}
