package dev.tern.qmp.cli;

import dev.tern.api.guest.Guest;
import dev.tern.core.guest.ReferenceGuest;
import dev.tern.kvm.KvmGuest;
import dev.tern.kvm.SweepGuestProgram;

/**
 * The guest a launcher command hosts: Tern's reference guest (Java threads writing off-heap
 * memory) or a real KVM guest (the A-B sweep on vCPUs under {@code /dev/kvm}), seen through
 * what {@code run} and {@code demo} need of either.
 */
sealed interface HostedGuest extends AutoCloseable permits HostedGuest.Reference, HostedGuest.Kvm {
    /**
     * The guest the engine migrates.
     *
     * @return the guest SPI
     */
    Guest guest();

    /** Starts the vCPUs of a source guest. */
    void start();

    /**
     * The guest's pass counter, migrated with its device state.
     *
     * @return the passes
     */
    long passes();

    /**
     * Page writes made by this guest since it was built, for a dirtying rate.
     *
     * @return the count (for the KVM guest: the pages of its completed passes)
     */
    long pagesWritten();

    /**
     * What kind of guest it is, for status lines.
     *
     * @return for example {@code "KVM guest, MANUAL_CLEAR dirty tracking"}
     */
    String kind();

    /** Stops the vCPUs and frees the RAM. */
    @Override
    void close();

    /**
     * The reference guest.
     *
     * @param reference the guest
     */
    record Reference(ReferenceGuest reference) implements HostedGuest {
        @Override
        public Guest guest() {
            return reference;
        }

        @Override
        public void start() {
            reference.start();
        }

        @Override
        public long passes() {
            return reference.passes();
        }

        @Override
        public long pagesWritten() {
            return reference.pagesWritten();
        }

        @Override
        public String kind() {
            return "reference guest (Java threads)";
        }

        @Override
        public void close() {
            reference.close();
        }
    }

    /**
     * A KVM guest.
     *
     * @param kvm the guest
     */
    record Kvm(KvmGuest kvm) implements HostedGuest {
        @Override
        public Guest guest() {
            return kvm;
        }

        @Override
        public void start() {
            kvm.start();
        }

        @Override
        public long passes() {
            return kvm.passes();
        }

        @Override
        public long pagesWritten() {
            // Each vCPU sweeps its own share; its completed passes wrote every page of it.
            long pages = 0;
            for (SweepGuestProgram p : kvm.programs()) {
                pages += (p.end() - p.start()) / SweepGuestProgram.PAGE;
            }
            return kvm.passes() * pages / kvm.programs().size();
        }

        @Override
        public String kind() {
            return "KVM guest (vCPUs under /dev/kvm), " + kvm.dirtyTrackingMode() + " dirty tracking";
        }

        @Override
        public void close() {
            kvm.close();
        }
    }
}
