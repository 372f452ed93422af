package io.s3lockproxy.bench;

import io.s3lockproxy.it.Backends;
import io.s3lockproxy.it.ClientFlavour;
import io.s3lockproxy.it.Clients;
import io.s3lockproxy.it.ProxyProcess;
import io.s3lockproxy.it.S3Backend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Streams one large object up and down through a proxy started with {@code -Xmx128m}, hashes what
 * comes back and samples the proxy's resident memory (VmRSS, VmHWM from /proc/PID/status).
 *
 * <pre>
 * java -Dproxy.jar=proxy/target/s3-lock-proxy.jar -Ds3proxy.jar=integration-tests/target/s3proxy/s3proxy.jar \
 *      -cp integration-tests/target/test-classes:$(cat integration-tests/target/cp.txt) \
 *      io.s3lockproxy.bench.BigObjectRun [--size-mib 2048] [--flavour DEFAULTS|WHEN_REQUIRED] [--no-proxy true] [--out DIR]
 * </pre>
 *
 * The figures also go to {@code results.csv} in {@code --out} (by default
 * {@code target/bench-results/bigobjectrun-TIMESTAMP/}), one row per run.
 *
 * The body is generated on the fly from a seeded generator, never held in memory.
 * {@code --no-proxy true} runs against the backend alone (a check of the tool).
 */
public final class BigObjectRun {
    private static final long SEED = 0x5EED_0B1EL;

    public static void main(String[] args) throws Exception {
        var opts = LoadTool.parse(args);
        long size = Long.parseLong(opts.getOrDefault("size-mib", "2048")) << 20;
        ClientFlavour flavour = ClientFlavour.valueOf(opts.getOrDefault("flavour", "DEFAULTS"));
        boolean noProxy = Boolean.parseBoolean(opts.getOrDefault("no-proxy", "false"));
        Path out = ResultsDir.create(opts, "bigobjectrun");

        try (S3Backend backend = Backends.start()) {
            ProxyProcess proxy = noProxy ? null
                    : ProxyProcess.forBackend(backend).name("bigobject").heap("128m").start();
            try {
                S3Client s3 = noProxy
                        ? Clients.s3(backend.endpoint(), backend.accessKey(), backend.secretKey(), flavour)
                        : Clients.proxy(proxy, flavour);
                S3Client direct = Clients.direct(backend);
                String bucket = "big-" + UUID.randomUUID().toString().substring(0, 8);
                direct.createBucket(b -> b.bucket(bucket));
                System.out.printf(Locale.ROOT, "%s; %s; object %d MiB; client %s%n", backend,
                        proxy == null ? "no proxy" : proxy + ", -Xmx128m", size >> 20, flavour);

                RssSampler sampler = proxy == null ? null : RssSampler.start(proxy.pid());
                String expected = sha256(new GeneratedStream(size));

                long t0 = System.nanoTime();
                s3.putObject(b -> b.bucket(bucket).key("big.bin"),
                        RequestBody.fromContentProvider(() -> new GeneratedStream(size), size, "application/octet-stream"));
                long t1 = System.nanoTime();
                String back;
                try (InputStream in = s3.getObject(b -> b.bucket(bucket).key("big.bin"))) {
                    back = sha256(in);
                }
                long t2 = System.nanoTime();

                double putSeconds = (t1 - t0) / 1e9;
                double getSeconds = (t2 - t1) / 1e9;
                System.out.printf(Locale.ROOT, "PUT %.1f s (%.1f MiB/s), GET %.1f s (%.1f MiB/s)%n",
                        putSeconds, (size >> 20) / putSeconds, getSeconds, (size >> 20) / getSeconds);
                System.out.println("sha256 sent     " + expected);
                System.out.println("sha256 received " + back + (expected.equals(back) ? "  (match)" : "  (MISMATCH)"));
                if (sampler != null) {
                    sampler.stop();
                    System.out.printf(Locale.ROOT, "proxy peak VmRSS %d MiB, VmHWM %d MiB (%d samples)%n",
                            sampler.peakRssKb.get() >> 10, sampler.hwmKb.get() >> 10, sampler.samples.get());
                }
                try (CsvFile csv = CsvFile.create(out.resolve("results.csv"), "backend", "through", "client",
                        "size_mib", "put_s", "put_mib_per_s", "get_s", "get_mib_per_s", "sha256_match",
                        "proxy_peak_vmrss_mib", "proxy_vmhwm_mib", "rss_samples")) {
                    csv.row(backend.kind(), proxy == null ? "backend" : "proxy -Xmx128m", flavour, size >> 20,
                            putSeconds, (size >> 20) / putSeconds, getSeconds, (size >> 20) / getSeconds,
                            expected.equals(back), sampler == null ? null : sampler.peakRssKb.get() >> 10,
                            sampler == null ? null : sampler.hwmKb.get() >> 10,
                            sampler == null ? null : sampler.samples.get());
                    System.out.println("wrote " + csv.file());
                }
                direct.deleteObject(b -> b.bucket(bucket).key("big.bin"));
                direct.deleteBucket(b -> b.bucket(bucket));
                s3.close();
                direct.close();
                if (!expected.equals(back)) {
                    System.exit(1);
                }
            } finally {
                if (proxy != null) {
                    proxy.close();
                }
            }
        }
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code size} pseudo-random bytes, the same for every instance. */
    static final class GeneratedStream extends InputStream {
        private final SplittableRandom random = new SplittableRandom(SEED);
        private long remaining;
        private long word;
        private int wordBytes;

        GeneratedStream(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            for (int i = 0; i < n; i++) {
                if (wordBytes == 0) {
                    word = random.nextLong();
                    wordBytes = 8;
                }
                b[off + i] = (byte) word;
                word >>>= 8;
                wordBytes--;
            }
            remaining -= n;
            return n;
        }
    }

    /** Samples VmRSS and VmHWM of a process every 100 ms. */
    static final class RssSampler {
        final AtomicLong peakRssKb = new AtomicLong();
        final AtomicLong hwmKb = new AtomicLong();
        final AtomicLong samples = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        static RssSampler start(long pid) {
            RssSampler sampler = new RssSampler();
            Path status = Path.of("/proc", Long.toString(pid), "status");
            sampler.thread = new Thread(() -> {
                while (sampler.running.get()) {
                    try {
                        for (String line : Files.readAllLines(status)) {
                            if (line.startsWith("VmRSS:")) {
                                sampler.peakRssKb.accumulateAndGet(kb(line), Math::max);
                            } else if (line.startsWith("VmHWM:")) {
                                sampler.hwmKb.accumulateAndGet(kb(line), Math::max);
                            }
                        }
                        sampler.samples.incrementAndGet();
                        Thread.sleep(100);
                    } catch (IOException e) {
                        return; // process gone
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            sampler.thread.setDaemon(true);
            sampler.thread.start();
            return sampler;
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(1000);
        }

        private static long kb(String line) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
    }
}
