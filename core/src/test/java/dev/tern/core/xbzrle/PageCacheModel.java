package dev.tern.core.xbzrle;

import java.util.HashMap;
import java.util.Map;

/**
 * The page cache's rules written plainly over a map (spec §7.4, Tern's resize): the oracle
 * {@link PageCache} is checked against.
 */
final class PageCacheModel {
    record Entry(long address, long age, byte[] data) {
    }

    private final int pageSize;
    private int slots;
    private Map<Integer, Entry> table = new HashMap<>();

    PageCacheModel(long size, int pageSize) {
        this.pageSize = pageSize;
        this.slots = (int) (size / pageSize);
    }

    int slots() {
        return slots;
    }

    int slotOf(long address) {
        return (int) ((address / pageSize) % slots);
    }

    Entry entry(int slot) {
        return table.get(slot);
    }

    boolean lookup(long address, long generation) {
        int s = slotOf(address);
        Entry e = table.get(s);
        if (e != null && e.address() == address) {
            table.put(s, new Entry(address, generation, e.data()));
            return true;
        }
        return false;
    }

    boolean insert(long address, byte[] page, long generation) {
        int s = slotOf(address);
        Entry e = table.get(s);
        if (e != null && e.address() != address && Long.compareUnsigned(e.age() + 2, generation) > 0) {
            return false;
        }
        table.put(s, new Entry(address, generation, page.clone()));
        return true;
    }

    /** Keeps, per new slot, the entry with the highest age; the lowest old slot on a tie. */
    void resize(long newSize) {
        int newSlots = (int) (newSize / pageSize);
        if (newSlots == slots) {
            return;
        }
        Map<Integer, Entry> next = new HashMap<>();
        for (int old = 0; old < slots; old++) {
            Entry e = table.get(old);
            if (e == null) {
                continue;
            }
            int s = (int) ((e.address() / pageSize) % newSlots);
            Entry there = next.get(s);
            if (there == null || Long.compareUnsigned(e.age(), there.age()) > 0) {
                next.put(s, e);
            }
        }
        table = next;
        slots = newSlots;
    }
}
