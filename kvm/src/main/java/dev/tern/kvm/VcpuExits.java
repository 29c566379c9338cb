package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/** Reads a {@code KVM_RUN} exit out of {@code kvm_run} and serves it, for {@link KvmVcpu}'s loop. */
final class VcpuExits {
    private VcpuExits() {
    }

    /**
     * Serves one exit: port I/O and MMIO through the handler, the rest by reporting.
     *
     * @param id the vCPU id, for messages
     * @param reason {@code kvm_run.exit_reason}
     * @param run the vCPU's {@code kvm_run} mapping
     * @param io the guest's devices
     * @return null to go on, "" if the guest halted, otherwise why the loop must stop
     * @throws KvmException if the handler fails
     */
    static String serve(int id, int reason, MemorySegment run, VcpuIoHandler io) {
        switch (reason) {
            case ExitReason.IO -> {
                int direction = run.get(JAVA_BYTE, KvmStructs.RUN_IO_DIRECTION);
                int size = Byte.toUnsignedInt(run.get(JAVA_BYTE, KvmStructs.RUN_IO_SIZE));
                int port = Short.toUnsignedInt(run.get(JAVA_SHORT, KvmStructs.RUN_IO_PORT));
                int count = run.get(JAVA_INT, KvmStructs.RUN_IO_COUNT);
                long dataOffset = run.get(JAVA_LONG, KvmStructs.RUN_IO_DATA_OFFSET);
                // The kernel puts the data inside the kvm_run mapping; asSlice checks it fits.
                MemorySegment data = run.asSlice(dataOffset, (long) size * count);
                try {
                    if (direction == ExitReason.IO_OUT) {
                        io.portOut(port, size, count, data);
                    } else {
                        io.portIn(port, size, count, data);
                    }
                } catch (RuntimeException e) {
                    throw KvmException.vcpuStopped(id, String.format("the I/O handler failed on port 0x%x", port), e);
                }
                return null;
            }
            case ExitReason.MMIO -> {
                long address = run.get(JAVA_LONG, KvmStructs.RUN_MMIO_PHYS_ADDR);
                int length = run.get(JAVA_INT, KvmStructs.RUN_MMIO_LEN);
                boolean isWrite = run.get(JAVA_BYTE, KvmStructs.RUN_MMIO_IS_WRITE) != 0;
                MemorySegment data = run.asSlice(KvmStructs.RUN_MMIO_DATA, Math.min(Math.max(length, 0), 8));
                try {
                    if (isWrite) {
                        io.mmioWrite(address, data);
                    } else {
                        io.mmioRead(address, data);
                    }
                } catch (RuntimeException e) {
                    throw KvmException.vcpuStopped(id, String.format("the I/O handler failed on MMIO address 0x%x",
                            address), e);
                }
                return null;
            }
            case ExitReason.INTR -> {
                return null;
            }
            case ExitReason.HLT -> {
                return "";
            }
            case ExitReason.SHUTDOWN -> {
                return ExitReason.describe(reason) + ": triple fault or shutdown";
            }
            case ExitReason.FAIL_ENTRY -> {
                return String.format("%s: hardware_entry_failure_reason 0x%x on host CPU %d",
                        ExitReason.describe(reason), run.get(JAVA_LONG, KvmStructs.RUN_FAIL_ENTRY_REASON),
                        run.get(JAVA_INT, KvmStructs.RUN_FAIL_ENTRY_CPU));
            }
            case ExitReason.INTERNAL_ERROR -> {
                int suberror = run.get(JAVA_INT, KvmStructs.RUN_INTERNAL_SUBERROR);
                int ndata = Math.min(Math.max(run.get(JAVA_INT, KvmStructs.RUN_INTERNAL_NDATA), 0), 16);
                StringBuilder data = new StringBuilder();
                for (int i = 0; i < ndata; i++) {
                    data.append(i == 0 ? "" : " ").append(String.format("0x%x",
                            run.get(JAVA_LONG, KvmStructs.RUN_INTERNAL_DATA + 8L * i)));
                }
                return ExitReason.describe(reason) + ": " + ExitReason.describeInternalError(suberror) + ", data ["
                        + data + "]";
            }
            default -> {
                return "unexpected " + ExitReason.describe(reason);
            }
        }
    }

}
