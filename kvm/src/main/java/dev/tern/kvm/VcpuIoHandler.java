package dev.tern.kvm;

import java.lang.foreign.MemorySegment;

/**
 * The devices a guest reaches through port I/O ({@code KVM_EXIT_IO}) and MMIO outside its
 * memory slots ({@code KVM_EXIT_MMIO}). Called on the vCPU's own thread, one exit at a time;
 * the guest instruction completes when the method returns.
 *
 * <p>The defaults behave like an empty PC bus, as QEMU's unassigned I/O does: writes are
 * dropped, reads return all ones.
 *
 * <p>The {@code data} segments are views of the vCPU's {@code kvm_run} area, valid during the
 * call only: copy what must be kept.
 */
public interface VcpuIoHandler {
    /** A handler with only the defaults. */
    VcpuIoHandler NONE = new VcpuIoHandler() {
    };

    /**
     * The guest wrote to an I/O port ({@code out}, {@code outs}).
     *
     * @param port the port, 0 to 0xFFFF
     * @param size the access size, 1, 2 or 4 bytes
     * @param count how many accesses ({@code rep outs}); usually 1
     * @param data {@code size * count} bytes, little-endian values in access order
     */
    default void portOut(int port, int size, int count, MemorySegment data) {
    }

    /**
     * The guest reads an I/O port ({@code in}, {@code ins}): fill {@code data}.
     *
     * @param port the port, 0 to 0xFFFF
     * @param size the access size, 1, 2 or 4 bytes
     * @param count how many accesses
     * @param data {@code size * count} bytes to fill; all ones unless changed
     */
    default void portIn(int port, int size, int count, MemorySegment data) {
        data.fill((byte) 0xFF);
    }

    /**
     * The guest wrote to a physical address no memory slot covers.
     *
     * @param address the guest physical address
     * @param data the 1 to 8 bytes written
     */
    default void mmioWrite(long address, MemorySegment data) {
    }

    /**
     * The guest reads a physical address no memory slot covers: fill {@code data}.
     *
     * @param address the guest physical address
     * @param data the 1 to 8 bytes to fill; all ones unless changed
     */
    default void mmioRead(long address, MemorySegment data) {
        data.fill((byte) 0xFF);
    }
}
