package dev.tern.core.guest;

/**
 * Where one vCPU's workload is: what the {@code tern-workload} device section migrates, so that
 * the destination's guest continues where the source's stopped.
 *
 * <ul>
 *   <li>{@link Workload.SequentialSweep}: {@code position} is the offset of the next page to
 *       increment, {@code passes} the number of completed sweeps (vCPU 0; the others stay 0).
 *   <li>{@link Workload.UniformRandom} and {@link Workload.HotSet}: {@code position} is the
 *       state of the vCPU's random generator, {@code passes} the number of writes it made (each
 *       write stores that number, so a page's counter is the pass that last wrote it).
 *   <li>{@link Workload.Idle}: both 0.
 * </ul>
 *
 * @param position the workload position
 * @param passes the pass counter
 */
public record VcpuProgress(long position, long passes) {
}
