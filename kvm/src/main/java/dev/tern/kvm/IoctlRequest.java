package dev.tern.kvm;

import java.util.Objects;

/**
 * An ioctl request number and its name (for error messages), built like the kernel's
 * {@code _IO}, {@code _IOR}, {@code _IOW} and {@code _IOWR} macros
 * ({@code include/uapi/asm-generic/ioctl.h}):
 *
 * <pre>
 *  31 30 29                 16 15          8 7            0
 * +-----+---------------------+-------------+--------------+
 * | dir |   size (14 bits)    | type (8)    | number (8)   |
 * +-----+---------------------+-------------+--------------+
 *  dir: 0 none, 1 write (user to kernel), 2 read, 3 both
 * </pre>
 *
 * The number is a {@code long} holding the unsigned 32-bit value: {@code ioctl}'s request is
 * an {@code unsigned long}, and widening an {@code int} would sign-extend the requests that
 * have bit 31 set ({@code _IOR}, {@code _IOWR}) into a different, invalid request.
 *
 * @param name the request's name in the kernel headers, for example {@code KVM_GET_REGS}
 * @param number the request number, 0 to 0xFFFFFFFF
 */
record IoctlRequest(String name, long number) {
    private static final int NRBITS = 8;
    private static final int TYPEBITS = 8;
    private static final int SIZEBITS = 14;
    private static final int NRSHIFT = 0;
    private static final int TYPESHIFT = NRSHIFT + NRBITS;
    private static final int SIZESHIFT = TYPESHIFT + TYPEBITS;
    private static final int DIRSHIFT = SIZESHIFT + SIZEBITS;
    private static final long NONE = 0L;
    private static final long WRITE = 1L;
    private static final long READ = 2L;

    IoctlRequest {
        Objects.requireNonNull(name, "name");
        if (number < 0 || number > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("ioctl number must be an unsigned 32-bit value: " + number);
        }
    }

    /** {@code _IO(type, nr)}: no argument, or a scalar passed by value. */
    static IoctlRequest io(String name, int type, int nr) {
        return new IoctlRequest(name, ioc(NONE, type, nr, 0));
    }

    /** {@code _IOR(type, nr, size)}: the kernel writes a struct of {@code size} bytes. */
    static IoctlRequest ior(String name, int type, int nr, long size) {
        return new IoctlRequest(name, ioc(READ, type, nr, size));
    }

    /** {@code _IOW(type, nr, size)}: the kernel reads a struct of {@code size} bytes. */
    static IoctlRequest iow(String name, int type, int nr, long size) {
        return new IoctlRequest(name, ioc(WRITE, type, nr, size));
    }

    /** {@code _IOWR(type, nr, size)}: the kernel reads and writes the struct. */
    static IoctlRequest iowr(String name, int type, int nr, long size) {
        return new IoctlRequest(name, ioc(READ | WRITE, type, nr, size));
    }

    private static long ioc(long dir, int type, int nr, long size) {
        if (type < 0 || type > 0xFF || nr < 0 || nr > 0xFF || size < 0 || size >= 1L << SIZEBITS) {
            throw new IllegalArgumentException("ioctl field out of range: type=" + type + " nr=" + nr + " size=" + size);
        }
        return dir << DIRSHIFT | size << SIZESHIFT | (long) type << TYPESHIFT | (long) nr << NRSHIFT;
    }

    /**
     * The size field: how many bytes the kernel reads or writes through the argument.
     *
     * @return 0 to 16383
     */
    long argumentSize() {
        return number >>> SIZESHIFT & (1L << SIZEBITS) - 1;
    }

    @Override
    public String toString() {
        return name + String.format("(0x%08X)", number);
    }
}
