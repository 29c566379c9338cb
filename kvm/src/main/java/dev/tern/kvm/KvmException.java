package dev.tern.kvm;

import dev.tern.api.ErrorClass;
import dev.tern.api.MigrationException;

/**
 * A failed call into the kernel: an ioctl on a KVM file descriptor, or a system call such as
 * {@code mmap}. The message names the request and the errno, for example
 * {@code KVM_CREATE_VM failed: EBUSY (16)}; {@link #errno()} gives the number to callers that
 * react to particular errors.
 *
 * <p>It is a {@link MigrationException} because the engine reports it to QMP clients like any
 * other failure: {@link ErrorClass#KVM_MISSING_CAP} for a missing capability, as QEMU does,
 * {@link ErrorClass#GENERIC_ERROR} otherwise. The static factories hold every message.
 */
public final class KvmException extends MigrationException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    private KvmException(ErrorClass errorClass, String message, int errno) {
        super(errorClass, message);
        this.errno = errno;
    }

    private KvmException(String message, Throwable cause) {
        super(ErrorClass.GENERIC_ERROR, message, cause);
        this.errno = 0;
    }

    /**
     * A vCPU's run loop stopped on an exit it cannot continue from.
     *
     * @param vcpu the vCPU id
     * @param detail what happened, starting with the exit reason's name and number
     * @return {@code vCPU <id> stopped: <detail>}
     */
    static KvmException vcpuStopped(int vcpu, String detail) {
        return new KvmException(ErrorClass.GENERIC_ERROR, "vCPU " + vcpu + " stopped: " + detail, 0);
    }

    /**
     * {@code KVM_SET_MSRS} stopped before the end of the list.
     *
     * @param vcpu the vCPU id
     * @param written how many MSRs it wrote
     * @param count how many it was given
     * @param refused the index of the first MSR it did not write
     * @return {@code vCPU <id>: KVM_SET_MSRS wrote <n> of <m> MSRs, refusing MSR 0x<index>}
     */
    static KvmException msrRefused(int vcpu, int written, int count, int refused) {
        return new KvmException(ErrorClass.GENERIC_ERROR, String.format(
                "vCPU %d: KVM_SET_MSRS wrote %d of %d MSRs, refusing MSR 0x%x", vcpu, written, count, refused), 0);
    }

    /**
     * A vCPU's run loop stopped because something it called failed: {@code KVM_RUN} itself, or
     * the guest's I/O handler.
     *
     * @param vcpu the vCPU id
     * @param detail what failed
     * @param cause the failure
     * @return {@code vCPU <id> stopped: <detail>: <cause's message>}
     */
    static KvmException vcpuStopped(int vcpu, String detail, Throwable cause) {
        return new KvmException("vCPU " + vcpu + " stopped: " + detail + ": " + cause.getMessage(), cause);
    }

    /**
     * An ioctl that returned -1.
     *
     * @param request the request, whose name the message carries
     * @param errno the errno the call left
     * @return {@code <REQUEST> failed: <ENAME> (<n>)}
     */
    static KvmException ioctl(IoctlRequest request, int errno) {
        return call(request.name(), errno);
    }

    /**
     * A system call that failed.
     *
     * @param call the call's name, for example {@code mmap}
     * @param errno the errno the call left
     * @return {@code <call> failed: <ENAME> (<n>)}
     */
    static KvmException call(String call, int errno) {
        return new KvmException(ErrorClass.GENERIC_ERROR, call + " failed: " + Errno.describe(errno), errno);
    }

    /**
     * Opening {@code /dev/kvm} failed.
     *
     * @param path the device path
     * @param errno the errno of {@code open}
     * @return a message that says what to check for the common errors
     */
    static KvmException deviceUnavailable(String path, int errno) {
        String hint = switch (errno) {
            case Errno.ENOENT -> " does not exist: load the kvm module (kvm_intel or kvm_amd)"
                    + " and, in a container or VM, pass the device through";
            case Errno.EACCES, Errno.EPERM -> " is not accessible: the process needs read and write"
                    + " permission (usually membership of the kvm group)";
            default -> " cannot be opened";
        };
        return new KvmException(ErrorClass.GENERIC_ERROR, path + hint + ": " + Errno.describe(errno), errno);
    }

    /**
     * {@code KVM_GET_API_VERSION} returned something other than the stable API 12.
     *
     * @param version what the kernel reported
     * @return the error
     */
    static KvmException unsupportedApiVersion(int version) {
        return new KvmException(ErrorClass.GENERIC_ERROR,
                "KVM API version " + version + " is not supported: Tern needs version " + Kvm.API_VERSION, 0);
    }

    /**
     * A capability the caller needs and the kernel does not offer.
     *
     * @param name the capability's name, for example {@code KVM_CAP_USER_MEMORY}
     * @return an error of class {@link ErrorClass#KVM_MISSING_CAP}
     */
    public static KvmException missingCapability(String name) {
        return new KvmException(ErrorClass.KVM_MISSING_CAP, "KVM does not support " + name, 0);
    }

    /**
     * The errno of the failed call.
     *
     * @return the errno, or 0 if the failure did not come from a system call
     */
    public int errno() {
        return errno;
    }
}
