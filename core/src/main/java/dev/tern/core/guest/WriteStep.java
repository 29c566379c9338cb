package dev.tern.core.guest;

/** One guest write of a workload, with its dirty mark; run only by the vCPU that owns it. */
interface WriteStep {
    /** Makes the next write of the workload and advances its {@link VcpuCursor}. */
    void writeOne();
}
