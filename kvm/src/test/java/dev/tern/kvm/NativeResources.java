package dev.tern.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the kvm leak tests count: this process's open descriptors and shared mappings. */
final class NativeResources {
    private NativeResources() {
    }

    /** Entries in {@code /proc/self/fd}. */
    static int openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /**
     * The shared mappings ({@code s} in the permissions column): kvm_run areas, dirty rings and
     * file-backed guest RAM (anonymous guest RAM is private; ResourceLeakTest finds it by its
     * address range). The JVM's own private mappings (heap growth, code cache, malloc arenas)
     * come and go on their own schedule, so counting every line would make a test fail for
     * reasons that are not ours.
     */
    static List<String> sharedMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.split(" ", 3)[1].endsWith("s"))
                .toList();
    }
}
