/**
 * Linux host integration through the FFM API: {@code /dev/kvm} VMs, memory slots, dirty bitmap
 * and dirty ring, vCPUs, userfaultfd and memfd. The only Tern module that calls native code.
 */
module dev.tern.kvm {
    requires transitive dev.tern.api;
}
