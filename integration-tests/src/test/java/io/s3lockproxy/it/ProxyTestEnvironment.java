package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Base of the end-to-end tests. Per test class: one backend (MinIO or S3Proxy), one proxy in front
 * of it, one SDK client of each {@link ClientFlavour} for the proxy and one direct client for the
 * backend. Per test: a fresh bucket, created and removed directly on the backend.
 *
 * <p>{@code -Dit.direct=true} points the "proxy" clients straight at the backend and starts no
 * proxy: a check of the tests' own expectations against the real S3 implementation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ProxyTestEnvironment {
    protected S3Backend backend;
    /** Null when running with {@code -Dit.direct=true}. */
    protected ProxyProcess proxy;
    /** Endpoint and client credentials of the target under test (the proxy, or the backend with it.direct). */
    protected java.net.URI endpoint;
    protected String accessKey;
    protected String secretKey;
    /** Straight to the backend, with the backend's credentials: what really landed upstream. */
    protected S3Client direct;
    /** A bucket that exists for the current test only. */
    protected String bucket;

    private final Map<ClientFlavour, S3Client> proxyClients = new EnumMap<>(ClientFlavour.class);

    @BeforeAll
    final void startEnvironment() {
        backend = Backends.start();
        direct = Clients.direct(backend);
        if (Boolean.getBoolean("it.direct")) {
            endpoint = backend.endpoint();
            accessKey = backend.accessKey();
            secretKey = backend.secretKey();
        } else {
            proxy = configureProxy(ProxyProcess.forBackend(backend).name(getClass().getSimpleName())).start();
            endpoint = proxy.endpoint();
            accessKey = proxy.accessKey();
            secretKey = proxy.secretKey();
        }
        for (ClientFlavour flavour : ClientFlavour.values()) {
            proxyClients.put(flavour, Clients.s3(endpoint, accessKey, secretKey, flavour));
        }
    }

    /** Hook for classes that need a different proxy configuration. */
    protected ProxyProcess.Builder configureProxy(ProxyProcess.Builder builder) {
        return builder;
    }

    @AfterAll
    final void stopEnvironment() {
        proxyClients.values().forEach(S3Client::close);
        proxyClients.clear();
        if (direct != null) {
            direct.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @BeforeEach
    final void createBucket() {
        bucket = newBucketName();
        direct.createBucket(b -> b.bucket(bucket));
    }

    @AfterEach
    final void removeBucket() {
        if (bucket != null) {
            removeBucketDirectly(bucket);
        }
    }

    protected static String newBucketName() {
        return "it-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** Empties and deletes a bucket on the backend; best effort. */
    protected void removeBucketDirectly(String name) {
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
            // the bucket may already be gone (bucket tests delete their own)
        }
    }

    protected software.amazon.awssdk.services.s3.presigner.S3Presigner presigner() {
        return Clients.presigner(endpoint, accessKey, secretKey);
    }

    protected S3Client client(ClientFlavour flavour) {
        return proxyClients.get(flavour);
    }

    /** The object as stored by the backend, read with the backend's own credentials. */
    protected byte[] readDirectly(String key) {
        return direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** Asserts that {@code key} does not exist upstream (direct HEAD on the backend: 404). */
    protected void assertNotUpstream(String key) {
        assertThatThrownBy(() -> direct.headObject(b -> b.bucket(bucket).key(key)))
                .as("object %s must not exist upstream", key)
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }
}
