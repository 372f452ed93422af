package io.s3lockproxy.server;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids in S3's form: 16 upper-case hex digits. */
final class RequestIds {
    private RequestIds() {
    }

    static String next() {
        return String.format(Locale.ROOT, "%016X", ThreadLocalRandom.current().nextLong());
    }
}
