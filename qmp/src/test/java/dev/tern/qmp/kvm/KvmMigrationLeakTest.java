package dev.tern.qmp.kvm;

import static dev.tern.qmp.kvm.KvmLiveMigrationTest.await;
import static dev.tern.qmp.kvm.KvmLiveMigrationTest.awaitStatus;
import static dev.tern.qmp.kvm.KvmLiveMigrationTest.status;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.api.MigrateSetParameters;
import dev.tern.api.MigrationControl;
import dev.tern.api.MigrationStatus;
import dev.tern.api.StartMode;
import dev.tern.api.info.SocketAddress;
import dev.tern.kvm.DirtyTrackingMode;
import dev.tern.kvm.KvmGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live migrations of KVM guests by the engine leave nothing native behind once both guests and
 * both VMs are closed: the process's descriptors, shared mappings (guest RAM, {@code kvm_run},
 * dirty rings) and vCPU threads are back to their counts.
 */
@RequiresKvm
@Timeout(300)
class KvmMigrationLeakTest {
    @Test
    void migratedGuestsGiveBackEveryDescriptorMappingAndThread() throws Exception {
        // Warm-up: class loading, the engine's first sockets and thread pools, the signal handler.
        migrations(1);
        int fds = openDescriptors();
        List<String> maps = sharedMappings();

        migrations(6);

        assertEquals(fds, openDescriptors(), "entries in /proc/self/fd");
        List<String> after = sharedMappings();
        assertEquals(maps.size(), after.size(), () -> "new shared mappings:\n"
                + String.join("\n", after.stream().filter(l -> !maps.contains(l)).toList()));
        assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("tern-vcpu-")).map(Thread::getName).toList(),
                "vCPU threads left");
    }

    /**
     * {@code count} migrations of a running 2-vCPU guest, cycling through the tracking modes that
     * migrate (a ring-tracked guest refuses to; see KvmLiveMigrationTest).
     */
    private static void migrations(int count) throws Exception {
        DirtyTrackingMode[] modes = KvmGuest.supportedDirtyTracking().stream()
                .filter(m -> m != DirtyTrackingMode.RING).sorted().toArray(DirtyTrackingMode[]::new);
        for (int i = 0; i < count; i++) {
            KvmGuest.Builder builder = KvmGuest.builder().ramSize(16L << 20).vcpus(2)
                    .dirtyTracking(modes[i % modes.length]);
            try (KvmGuest source = builder.build();
                    MigrationControl src = MigrationControl.create(source, StartMode.RUNNING);
                    KvmGuest destination = builder.buildIncoming();
                    MigrationControl dst = MigrationControl.create(destination, StartMode.INCOMING)) {
                source.start();
                dst.migrateIncoming("tcp:127.0.0.1:0");
                String port = ((SocketAddress.Inet) dst.queryMigrate().socketAddress().orElseThrow().getFirst()).port();
                src.setParameters(MigrateSetParameters.builder().maxBandwidth(10_000_000_000L).downtimeLimit(30_000)
                        .build());
                src.migrate("tcp:127.0.0.1:" + port);
                awaitStatus(src, MigrationStatus.COMPLETED);
                await("the destination to complete", dst, () -> status(dst) == MigrationStatus.COMPLETED);
                long passes = destination.passes();
                await("the destination guest to run", dst, () -> destination.passes() > passes);
            }
        }
    }

    private static int openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /** Shared mappings only: kvm_run areas, dirty rings and file-backed RAM are MAP_SHARED. */
    private static List<String> sharedMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.split(" ", 3)[1].endsWith("s")).toList();
    }
}
