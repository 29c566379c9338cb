package dev.tern.core.guest;

/**
 * The A-B guest's loop body (spec 15.1): increment the first byte of the next 4 KiB page of
 * {@code [from, to)} in the first block, wrapping to {@code from} and counting a pass at the end.
 */
final class SweepStep implements WriteStep {
    private final GuestMemory memory;
    private final VcpuCursor cursor;
    private final long from;
    private final long to;

    SweepStep(GuestMemory memory, VcpuCursor cursor, Workload.SequentialSweep sweep) {
        this.memory = memory;
        this.cursor = cursor;
        this.from = sweep.fromOffset();
        this.to = sweep.toOffset();
    }

    @Override
    public void writeOne() {
        long position = cursor.position();
        memory.incrementByte(0, position);
        long next = position + GuestMemory.PAGE_SIZE;
        if (next == to) {
            cursor.passesRelease(cursor.passes() + 1);
            next = from;
        }
        cursor.positionRelease(next);
    }
}
