package dev.tern.core.xbzrle;

/**
 * The XBZRLE oracle: QEMU 7.2's encoder and decoder written plainly, one byte at a time, on heap
 * arrays (spec §7.2, §7.3), with the overflow and error checks where QEMU has them.
 */
final class NaiveXbzrle {
    static final int OVERFLOW = -1;
    static final int ERROR = -1;

    private NaiveXbzrle() {
    }

    static int encode(byte[] old, byte[] cur, int slen, byte[] dst, int dlen) {
        int d = 0;
        int i = 0;
        while (i < slen) {
            if (d + 2 > dlen) {
                return OVERFLOW;
            }
            int zrun = 0;
            while (i < slen && old[i] == cur[i]) {
                zrun++;
                i++;
            }
            if (zrun == slen) {
                return 0;
            }
            if (i == slen) {
                return d;
            }
            d += putUleb(dst, d, zrun);
            if (d + 2 > dlen) {
                return OVERFLOW;
            }
            int start = i;
            int nzrun = 0;
            while (i < slen && old[i] != cur[i]) {
                nzrun++;
                i++;
            }
            if (nzrun > 0x3fff) {
                return OVERFLOW; // QEMU asserts; Tern reports the page as not encodable
            }
            d += putUleb(dst, d, nzrun);
            if (d + nzrun > dlen) {
                return OVERFLOW;
            }
            for (int k = 0; k < nzrun; k++) {
                dst[d + k] = cur[start + k];
            }
            d += nzrun;
        }
        return d;
    }

    static int decode(byte[] src, int slen, byte[] dst, int dlen) {
        int i = 0;
        int d = 0;
        while (i < slen) {
            if (slen - i < 2) {
                return ERROR;
            }
            int[] uleb = decodeUleb(src, i);
            if (uleb == null || (i != 0 && uleb[0] == 0)) {
                return ERROR;
            }
            i += uleb[1];
            d += uleb[0];
            if (d > dlen) {
                return ERROR;
            }
            if (slen - i < 2) {
                return ERROR;
            }
            uleb = decodeUleb(src, i);
            if (uleb == null || uleb[0] == 0) {
                return ERROR;
            }
            i += uleb[1];
            int count = uleb[0];
            if (d + count > dlen || i + count > slen) {
                return ERROR;
            }
            for (int k = 0; k < count; k++) {
                dst[d + k] = src[i + k];
            }
            d += count;
            i += count;
        }
        return d;
    }

    static int putUleb(byte[] out, int at, int n) {
        if (n < 0x80) {
            out[at] = (byte) n;
            return 1;
        }
        out[at] = (byte) ((n & 0x7f) | 0x80);
        out[at + 1] = (byte) (n >> 7);
        return 2;
    }

    /** {value, bytes}, or null for a three-byte form. */
    static int[] decodeUleb(byte[] in, int at) {
        int first = in[at] & 0xff;
        if ((first & 0x80) == 0) {
            return new int[] {first, 1};
        }
        int second = in[at + 1] & 0xff;
        if ((second & 0x80) != 0) {
            return null;
        }
        return new int[] {(first & 0x7f) | second << 7, 2};
    }
}
