package dev.tern.core.dirtyrate;

import dev.tern.api.guest.DirtyRing;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;

/** Dirty rings whose reaped-page counters the test sets, recording every sleep pushed to them. */
final class FakeRing implements DirtyRing {
    /** One {@code setRingFullSleep} call. */
    record Sleep(int vcpu, long micros) {
    }

    private final int entries;
    private final AtomicLongArray reaped;
    private final List<Sleep> sleeps = new CopyOnWriteArrayList<>();

    FakeRing(int vcpus) {
        this(vcpus, 4096);
    }

    FakeRing(int vcpus, int entries) {
        this.entries = entries;
        this.reaped = new AtomicLongArray(vcpus);
    }

    void add(int vcpu, long pages) {
        reaped.addAndGet(vcpu, pages);
    }

    List<Sleep> sleeps() {
        return List.copyOf(sleeps);
    }

    @Override
    public int ringEntries() {
        return entries;
    }

    @Override
    public long pagesReaped(int vcpu) {
        return reaped.get(vcpu);
    }

    @Override
    public void setRingFullSleep(int vcpu, long micros) {
        sleeps.add(new Sleep(vcpu, micros));
    }
}
