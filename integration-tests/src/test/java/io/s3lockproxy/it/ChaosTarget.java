package io.s3lockproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The one counter object a chaos run increments, and the ways to reach it through each proxy
 * instance: reads, SDK writes, raw-socket writes, and who holds its lock right now.
 */
final class ChaosTarget implements AutoCloseable {
    /** How long a client waits for an answer before its op counts as unknown. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(20);
    /** The status of a write whose connection could not even be opened: certainly not sent. */
    static final int NOT_SENT = 0;
    private static final Duration ADMIN_TIMEOUT = Duration.ofMillis(300);
    private static final Pattern HELD = Pattern.compile(
            "\\{\"bucket\":\"([^\"]*)\",\"key\":\"([^\"]*)\",\"instance\":\"[^\"]*\",\"requestId\":\"[^\"]*\",\"token\":(-?\\d+)");

    /** A consistent read of the counter: its value and the ETag to make the next write conditional on. */
    record Read(String etag, ChaosCounter counter) {
    }

    final LockingCluster cluster;
    final String bucket;
    final String key;
    private final List<S3Client> clients = new ArrayList<>();

    ChaosTarget(LockingCluster cluster, String bucket, String key, int connectionsPerInstance) {
        this.cluster = cluster;
        this.bucket = bucket;
        this.key = key;
        for (ProxyProcess proxy : cluster.proxies) {
            clients.add(Clients.withoutRetries(proxy.endpoint(), proxy.accessKey(), proxy.secretKey(),
                    connectionsPerInstance, ANSWER_TIMEOUT));
        }
    }

    int instances() {
        return clients.size();
    }

    ProxyProcess proxy(int instance) {
        return cluster.proxy(instance);
    }

    /** The object's path as the backend sees it (and the recorder records it). */
    String path() {
        return "/" + bucket + "/" + key;
    }

    /** Writes the initial value straight to the backend. */
    void create() {
        cluster.direct.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(ChaosCounter.initial().toJson()));
    }

    /** The object's body on the backend now, read straight from it. */
    String storedBody() {
        return cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
    }

    /**
     * Reads the counter through {@code instance}; empty when the read failed, or when its body and
     * ETag do not belong together (a backend may pair the metadata of one version with the bytes of
     * another while a write replaces the file, and a write conditional on such a read would
     * claim a parent it did not read).
     */
    Optional<Read> read(int instance) {
        ResponseBytes<GetObjectResponse> got;
        try {
            got = clients.get(instance).getObjectAsBytes(b -> b.bucket(bucket).key(key));
        } catch (S3Exception | SdkClientException e) {
            return Optional.empty();
        }
        String etag = got.response().eTag();
        byte[] body = got.asByteArray();
        if (etag == null || !etag.replace("\"", "").equals(md5Hex(body))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Read(etag, ChaosCounter.parse(new String(body, StandardCharsets.UTF_8))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The body op {@code id} writes on top of {@code read}. */
    private static byte[] body(String id, Read read) {
        return read.counter().next(id).toJson().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * PutObject through {@code instance} with the SDK, If-Match on the ETag read; returns the
     * status, -1 for no answer, or {@link #NOT_SENT}.
     */
    int sdkPut(int instance, String id, Read read) {
        try {
            return clients.get(instance).putObject(b -> b.bucket(bucket).key(key).ifMatch(read.etag())
                            .metadata(Map.of("op", id)), RequestBody.fromBytes(body(id, read)))
                    .sdkHttpResponse().statusCode();
        } catch (S3Exception e) {
            return e.statusCode();
        } catch (SdkClientException e) {
            return causedBy(e, ConnectException.class) ? NOT_SENT : -1;
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Opens a raw-socket PutObject of op {@code id} through {@code instance} and sends its head
     * with {@code Expect: 100-continue} and If-Match on the ETag read; the body is the caller's to
     * send. Empty when the connection could not be opened (nothing was sent).
     */
    Optional<SlowPut> openPut(int instance, String id, Read read) {
        ProxyProcess proxy = proxy(instance);
        SlowPut put;
        try {
            put = SlowPut.start(proxy.endpoint(), proxy.accessKey(), proxy.secretKey(), bucket, key,
                    body(id, read), Map.of("If-Match", read.etag(), "x-amz-meta-op", id), true);
        } catch (UncheckedIOException e) {
            return Optional.empty();
        }
        try {
            put.readTimeout(ANSWER_TIMEOUT);
        } catch (IOException e) {
            put.close();
            throw new UncheckedIOException(e);
        }
        return Optional.of(put);
    }

    /**
     * The instance that holds the counter's lock now, asked through each instance's admin
     * endpoint {@code /locks}; the highest fencing token wins where two list it (a lapsed holder
     * and its successor). Instances that do not answer in time (paused, dead) are skipped.
     */
    Optional<Integer> holder() {
        int best = -1;
        long bestToken = Long.MIN_VALUE;
        for (int i = 0; i < instances(); i++) {
            ProxyProcess proxy = proxy(i);
            if (!proxy.isAlive()) {
                continue;
            }
            String json;
            try {
                json = proxy.locksJson(ADMIN_TIMEOUT);
            } catch (IOException e) {
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            Matcher held = HELD.matcher(json);
            while (held.find()) {
                long token = Long.parseLong(held.group(3));
                if (held.group(1).equals(bucket) && held.group(2).equals(key) && token > bestToken) {
                    best = i;
                    bestToken = token;
                }
            }
        }
        return best < 0 ? Optional.empty() : Optional.of(best);
    }

    @Override
    public void close() {
        clients.forEach(S3Client::close);
    }

    private static String md5Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
