package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class HostSupportTest {
    /** Root, or the sysctl that lets anyone create full userfaultfd descriptors. */
    private static boolean mayUseKernelFaults() throws IOException {
        boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .anyMatch(line -> line.split("\\s+")[1].equals("0"));
        Path sysctl = Path.of("/proc/sys/vm/unprivileged_userfaultfd");
        return root || Files.exists(sysctl) && Files.readString(sysctl).trim().equals("1");
    }

    @Test
    void requestNumber() {
        // _IOWR(0xAA, 0x3F, 24): 3 << 30 | 24 << 16 | 0xAA3F
        assertEquals(0xC018AA3FL, Userfaultfd.UFFDIO_API.number());
        assertEquals(24, Userfaultfd.UFFDIO_API_STRUCT.byteSize());
    }

    @Test
    void userfaultfdWithWriteProtectOnThisHost() throws IOException {
        assumeTrue(mayUseKernelFaults(), "needs root or vm.unprivileged_userfaultfd=1");
        UserfaultfdSupport support = HostSupport.userfaultfd();
        assertEquals(Optional.empty(), support.unsupportedReason());
        assertTrue(support.available());
        assertFalse(support.userModeOnly());
        assertTrue(support.writeProtect(), "features 0x" + Long.toHexString(support.features()));
        assertTrue(support.hasFeature(UserfaultfdSupport.MISSING_SHMEM));
        assertTrue(support.hasFeature(UserfaultfdSupport.WP_HUGETLBFS_SHMEM));
        assertTrue(support.hasFeature(UserfaultfdSupport.THREAD_ID));
        // REGISTER (bit 0), UNREGISTER (bit 1) and API itself (bit 0x3F).
        assertEquals(1L << 0 | 1L << 1 | 1L << 0x3F, support.ioctls());
    }

    @Test
    void userModeOnlyDescriptorAlsoShakesHands() {
        var number = Userfaultfd.syscallNumber(System.getProperty("os.arch"));
        assumeTrue(number.isPresent(), "no userfaultfd system call number for this architecture");
        int fd = Userfaultfd.open(number.getAsLong(), Userfaultfd.UFFD_USER_MODE_ONLY);
        assumeTrue(fd != -38, "kernel without userfaultfd");
        assertTrue(fd >= 0, "errno " + -fd);
        FileDescriptor owned = new FileDescriptor(fd, "userfaultfd");
        try {
            long[] answer = Userfaultfd.handshake(owned.get());
            assertTrue((answer[0] & UserfaultfdSupport.PAGEFAULT_FLAG_WP) != 0);
            // A descriptor takes one handshake only.
            KvmException again = assertThrows(KvmException.class, () -> Userfaultfd.handshake(owned.get()));
            assertEquals("UFFDIO_API failed: EINVAL (22)", again.getMessage());
        } finally {
            owned.close();
        }
    }

    @Test
    void handshakeOnSomethingElse() {
        int fd = Syscalls.open("/dev/null", Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
        FileDescriptor owned = new FileDescriptor(fd, "/dev/null");
        try {
            KvmException e = assertThrows(KvmException.class, () -> Userfaultfd.handshake(owned.get()));
            assertEquals("UFFDIO_API failed: ENOTTY (25)", e.getMessage());
        } finally {
            owned.close();
        }
    }

    @Test
    void probingLeavesNoDescriptorOpen() throws IOException {
        HostSupport.userfaultfd();
        long before = openDescriptors();
        for (int i = 0; i < 100; i++) {
            HostSupport.userfaultfd();
        }
        assertEquals(before, openDescriptors());
    }

    @Test
    void syscallNumbers() {
        assertEquals(323, Userfaultfd.syscallNumber("amd64").orElseThrow());
        assertEquals(282, Userfaultfd.syscallNumber("aarch64").orElseThrow());
        assertTrue(Userfaultfd.syscallNumber("riscv64").isEmpty());
    }

    @Test
    void reasons() {
        UserfaultfdSupport unknown = HostSupport.userfaultfd("sparcv9");
        assertEquals(Optional.of("Tern knows the userfaultfd system call number only on x86-64 and aarch64, not on"
                + " sparcv9"), unknown.unsupportedReason());
        assertFalse(unknown.available());
        assertFalse(unknown.writeProtect());
        assertEquals("userfaultfd is not available: the kernel has no userfaultfd system call (CONFIG_USERFAULTFD is"
                + " off): ENOSYS (38)", HostSupport.openFailure(38));
        assertEquals("userfaultfd is not permitted: set the sysctl vm.unprivileged_userfaultfd=1 or give the process"
                + " CAP_SYS_PTRACE: EPERM (1)", HostSupport.openFailure(1));
        assertEquals("userfaultfd failed: EMFILE (24)", HostSupport.openFailure(24));
        assertEquals("userfaultfd is restricted to user-mode faults in this process, but KVM touches guest memory in"
                + " kernel mode: set the sysctl vm.unprivileged_userfaultfd=1 or give the process CAP_SYS_PTRACE",
                HostSupport.userModeOnlyReason());
    }

    @Test
    void writeProtectNeedsAvailabilityAndTheBit() {
        assertTrue(new UserfaultfdSupport(Optional.empty(), false, 1, 3).writeProtect());
        assertFalse(new UserfaultfdSupport(Optional.empty(), false, 2, 3).writeProtect());
        assertFalse(UserfaultfdSupport.unsupported("restricted", true, 1, 3).writeProtect());
        assertTrue(new UserfaultfdSupport(Optional.empty(), false, 0x21, 3).hasFeature(0x21));
        assertFalse(new UserfaultfdSupport(Optional.empty(), false, 0x20, 3).hasFeature(0x21));
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
