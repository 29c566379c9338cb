package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.ErrorClass;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The errno path of the native layer; needs no KVM. */
class SyscallErrorTest {

    @Test
    void nativeAccessIsEnabledSoNoRestrictedMethodWarningIsPrinted() {
        assertTrue(Kvm.class.getModule().isNativeAccessEnabled(),
                "run with --enable-native-access=ALL-UNNAMED (class path) or =dev.tern.kvm (module path)");
    }

    @Test
    void missingDeviceSaysSo() {
        KvmException e = assertThrows(KvmException.class, () -> Kvm.open("/nonexistent/kvm"));
        assertEquals("/nonexistent/kvm does not exist: load the kvm module (kvm_intel or kvm_amd) and, in a"
                + " container or VM, pass the device through: ENOENT (2)", e.getMessage());
        assertEquals(2, e.errno());
        assertEquals(ErrorClass.GENERIC_ERROR, e.errorClass());
    }

    @Test
    void inaccessibleDeviceSaysSo() {
        assertEquals("/dev/kvm is not accessible: the process needs read and write permission (usually membership"
                + " of the kvm group): EACCES (13)", KvmException.deviceUnavailable("/dev/kvm", 13).getMessage());
        assertEquals("/dev/kvm cannot be opened: ENXIO (6)", KvmException.deviceUnavailable("/dev/kvm", 6).getMessage());
    }

    @Test
    void ioctlOnANonKvmDeviceReportsRequestAndErrno() {
        KvmException e = assertThrows(KvmException.class, () -> Kvm.open("/dev/null"));
        assertEquals("KVM_GET_API_VERSION failed: ENOTTY (25)", e.getMessage());
        assertEquals(25, e.errno());
    }

    @Test
    void ioctlOnABadDescriptor() {
        KvmException e = assertThrows(KvmException.class, () -> Ioctl.call(-1, KvmIoctls.KVM_CREATE_VM, 0L));
        assertEquals("KVM_CREATE_VM failed: EBADF (9)", e.getMessage());
    }

    @Test
    void closeOfABadDescriptor() {
        KvmException e = assertThrows(KvmException.class, () -> Syscalls.close(-1));
        assertEquals("close failed: EBADF (9)", e.getMessage());
    }

    @Test
    void mmapFailureReadsErrno() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            KvmException e = assertThrows(KvmException.class,
                    () -> Syscalls.mmap(0, Syscalls.PROT_READ, Syscalls.MAP_SHARED | Syscalls.MAP_ANONYMOUS, -1, 0, arena));
            assertEquals("mmap failed: EINVAL (22)", e.getMessage());
        }
    }

    @Test
    void missingCapabilityHasItsOwnErrorClass() {
        KvmException e = KvmException.missingCapability("KVM_CAP_DIRTY_LOG_RING");
        assertEquals("KVM does not support KVM_CAP_DIRTY_LOG_RING", e.getMessage());
        assertEquals(ErrorClass.KVM_MISSING_CAP, e.errorClass());
        assertEquals(0, e.errno());
    }

    @Test
    void errnoNames() {
        assertEquals("EBUSY (16)", Errno.describe(16));
        assertEquals("EPERM (1)", Errno.describe(1));
        assertEquals("EHWPOISON (133)", Errno.describe(133));
        assertEquals("errno 41", Errno.describe(41));
        assertEquals("errno 0", Errno.describe(0));
        assertEquals("errno 134", Errno.describe(134));
    }

    @Test
    void eachThreadSeesItsOwnErrno() throws Exception {
        // Threads fail different calls at the same time; a capture segment shared between
        // threads would let one thread read another's errno.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean badFd = t % 2 == 0;
                results.add(pool.submit((Callable<Void>) () -> {
                    for (int i = 0; i < 20_000; i++) {
                        if (badFd) {
                            KvmException e = assertThrows(KvmException.class, () -> Syscalls.close(-1));
                            assertEquals(9, e.errno());
                        } else {
                            assertEquals(-2, Syscalls.open("/nonexistent/" + i, Syscalls.O_RDWR));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
