package dev.tern.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.tern.api.guest.DeviceSection;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The serial port of a multi-vCPU sweep guest ({@link SweepGuestProgram#SERIAL_PORT}): counts
 * each vCPU's {@code 'A'} and {@code 'B'} marks, and migrates the counts as the device section
 * {@value #IDSTR} so that a destination's pass counter continues from the source's (the guest's
 * own count, {@code ebx}, travels with the vCPU state).
 *
 * <p>Payload, version {@value #VERSION}, big-endian: u32 vCPU count, then per vCPU u64
 * {@code 'B'} marks, u64 {@code 'A'} marks, u64 other bytes.
 */
final class SweepSerial implements DeviceSection {
    /** The section id string. */
    static final String IDSTR = "tern-sweep-serial";
    /** The payload version. */
    static final int VERSION = 1;

    private final AtomicLongArray passMarks;
    private final AtomicLongArray startMarks;
    private final AtomicLongArray otherOutput;

    SweepSerial(int vcpus) {
        passMarks = new AtomicLongArray(vcpus);
        startMarks = new AtomicLongArray(vcpus);
        otherOutput = new AtomicLongArray(vcpus);
    }

    /** The port as vCPU {@code vcpu} sees it. */
    VcpuIoHandler port(int vcpu) {
        return new VcpuIoHandler() {
            @Override
            public void portOut(int port, int size, int count, MemorySegment data) {
                if (port != SweepGuestProgram.SERIAL_PORT) {
                    return;
                }
                for (long i = 0; i < (long) size * count; i += size) {
                    byte b = data.get(JAVA_BYTE, i);
                    AtomicLongArray counter = b == SweepGuestProgram.PASS_MARK ? passMarks
                            : b == SweepGuestProgram.START_MARK ? startMarks : otherOutput;
                    counter.incrementAndGet(vcpu);
                }
            }
        };
    }

    long passMarks(int vcpu) {
        return passMarks.get(vcpu);
    }

    long startMarks(int vcpu) {
        return startMarks.get(vcpu);
    }

    long otherOutput(int vcpu) {
        return otherOutput.get(vcpu);
    }

    @Override
    public String idstr() {
        return IDSTR;
    }

    @Override
    public int versionId() {
        return VERSION;
    }

    @Override
    public void save(DataOutput out) throws IOException {
        out.writeInt(passMarks.length());
        for (int i = 0; i < passMarks.length(); i++) {
            out.writeLong(passMarks.get(i));
            out.writeLong(startMarks.get(i));
            out.writeLong(otherOutput.get(i));
        }
    }

    @Override
    public void load(DataInput in, int versionId) throws IOException {
        int count = in.readInt();
        if (count != passMarks.length()) {
            throw new IOException(IDSTR + ": the source guest has " + Integer.toUnsignedString(count)
                    + " vCPUs, this one " + passMarks.length());
        }
        for (int i = 0; i < count; i++) {
            passMarks.set(i, in.readLong());
            startMarks.set(i, in.readLong());
            otherOutput.set(i, in.readLong());
        }
    }
}
