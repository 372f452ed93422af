package io.s3lockproxy.it;

import io.s3lockproxy.lock.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the locking tests run against: one S3 backend, an {@link UpstreamRecorder} in front of it,
 * optionally a real {@code redis-server}, and N proxy instances whose upstream is the recorder
 * (so every write they forward is observed). Closing it stops all but the backend.
 */
final class LockingCluster implements AutoCloseable {
    final S3Backend backend;
    final UpstreamRecorder recorder;
    /** Null without Redis. */
    final RedisServerProcess redis;
    final List<ProxyProcess> proxies;
    /** Straight to the backend with the backend's credentials (hex payload hashes). */
    final S3Client direct;
    private final List<S3Client> clients = new ArrayList<>();
    /** Whether {@link #close()} also stops the backend (it was started for this cluster alone). */
    private boolean ownsBackend;

    private LockingCluster(S3Backend backend, UpstreamRecorder recorder, RedisServerProcess redis,
                           List<ProxyProcess> proxies) {
        this.backend = backend;
        this.recorder = recorder;
        this.redis = redis;
        this.proxies = proxies;
        this.direct = Clients.direct(backend);
    }

    /** Starts a backend (see {@link Backends}) for this cluster alone; {@link #close()} stops it too. */
    static LockingCluster startWithOwnBackend(String name, boolean withRedis, int instances,
                                              UnaryOperator<ProxyProcess.Builder> configure) {
        S3Backend backend = Backends.start();
        try {
            LockingCluster cluster = start(backend, name, withRedis, instances, configure);
            cluster.ownsBackend = true;
            return cluster;
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /**
     * @param backend   started and closed by the caller (several clusters may share one)
     * @param withRedis whether the instances share a Redis ({@code lock.redis})
     * @param instances how many proxy instances
     * @param configure further settings (lease, wait, mode, …) applied to every instance
     */
    static LockingCluster start(S3Backend backend, String name, boolean withRedis, int instances,
                                UnaryOperator<ProxyProcess.Builder> configure) {
        UpstreamRecorder recorder = null;
        RedisServerProcess redis = null;
        try {
            recorder = UpstreamRecorder.forwardingTo(backend.endpoint());
            if (withRedis) {
                redis = RedisServerProcess.start();
            }
            ProxyProcess.Builder builder = ProxyProcess.forBackend(backend)
                    .name(name)
                    .upstreamEndpoint(recorder.endpoint().toString());
            if (redis != null) {
                builder.redis(redis.uri());
            }
            List<ProxyProcess> proxies = configure.apply(builder).start(instances);
            return new LockingCluster(backend, recorder, redis, proxies);
        } catch (IOException | RuntimeException e) {
            if (recorder != null) {
                recorder.close();
            }
            closeRedis(redis);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    ProxyProcess proxy(int i) {
        return proxies.get(i);
    }

    /** A client of instance {@code i}, closed with the cluster. */
    S3Client client(int i, ClientFlavour flavour, int maxConnections) {
        ProxyProcess p = proxies.get(i);
        S3Client client = Clients.s3(p.endpoint(), p.accessKey(), p.secretKey(), flavour, maxConnections);
        clients.add(client);
        return client;
    }

    S3Client client(int i) {
        return client(i, ClientFlavour.WHEN_REQUIRED, 4);
    }

    String newBucket() {
        String bucket = ProxyTestEnvironment.newBucketName();
        direct.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    void removeBucket(String name) {
        try {
            direct.listMultipartUploadsPaginator(b -> b.bucket(name)).uploads().forEach(u ->
                    direct.abortMultipartUpload(b -> b.bucket(name).key(u.key()).uploadId(u.uploadId())));
            for (var page : direct.listObjectsV2Paginator(b -> b.bucket(name))) {
                if (!page.contents().isEmpty()) {
                    direct.deleteObjects(b -> b.bucket(name).delete(d -> d.objects(page.contents().stream()
                            .map(S3Object::key).map(k -> ObjectIdentifier.builder().key(k).build()).toList())));
                }
            }
            direct.deleteBucket(b -> b.bucket(name));
        } catch (S3Exception e) {
            // best effort
        }
    }

    /** Proxy log tails, for failure messages. */
    String logs() {
        StringBuilder s = new StringBuilder();
        for (ProxyProcess p : proxies) {
            s.append("--- ").append(p).append('\n').append(p.logTail(30)).append('\n');
        }
        return s.toString();
    }

    @Override
    public void close() {
        clients.forEach(S3Client::close);
        proxies.forEach(ProxyProcess::close);
        direct.close();
        recorder.close();
        closeRedis(redis);
        if (ownsBackend) {
            backend.close();
        }
    }

    private static void closeRedis(RedisServerProcess redis) {
        if (redis == null) {
            return;
        }
        try {
            redis.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
