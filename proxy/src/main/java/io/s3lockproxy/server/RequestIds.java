package io.s3lockproxy.server;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids in S3's form: 16 upper-case hex digits. */
final class RequestIds {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private RequestIds() {
    }

    static String next() {
        long v = ThreadLocalRandom.current().nextLong();
        char[] out = new char[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
        return new String(out);
    }
}
