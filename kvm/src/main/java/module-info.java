/**
 * Linux host integration through the FFM API: {@code /dev/kvm} VMs, memory slots, dirty bitmap
 * and dirty ring, vCPUs, userfaultfd and memfd. The only Tern module that calls native code.
 *
 * <p>It calls restricted FFM methods ({@code Linker.downcallHandle},
 * {@code MemorySegment.reinterpret}), so the JVM must enable native access for it:
 * {@code --enable-native-access=dev.tern.kvm} on the module path,
 * {@code --enable-native-access=ALL-UNNAMED} on the class path. Without it, JDK 25 prints a
 * warning on first use and a future JDK will refuse.
 *
 * <p>The first vCPU installs a process-wide handler for one real-time signal (the first of
 * {@code SIGRTMIN}..{@code SIGRTMAX-3} that has no handler yet) to kick vCPU threads out of
 * {@code KVM_RUN}; an application that wants that signal for itself should install its handler
 * before creating vCPUs, and Tern will take the next free one.
 */
module dev.tern.kvm {
    requires transitive dev.tern.api;

    exports dev.tern.kvm;
}
