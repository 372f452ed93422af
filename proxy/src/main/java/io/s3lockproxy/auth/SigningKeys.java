package io.s3lockproxy.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.s3lockproxy.sigv4.SigningKey;

/**
 * Signing keys by access key and credential scope. A key is valid for a whole day of one scope,
 * and deriving it costs four HMACs, so every client's key is derived once a day, not per request.
 */
final class SigningKeys {
    private static final int MAX_KEYS = 4096;

    private record Scope(String accessKey, String date, String region, String service) {
    }

    /** Upkeep (eviction) runs on the verifying thread instead of waking a ForkJoinPool thread. */
    private final Cache<Scope, SigningKey> keys = Caffeine.newBuilder().maximumSize(MAX_KEYS)
            .executor(Runnable::run).build();

    /** Returns the signing key of {@code accessKey} (whose secret is {@code secret}) for the given scope. */
    SigningKey of(String accessKey, String secret, Credential credential) {
        Scope scope = new Scope(accessKey, credential.date(), credential.region(), credential.service());
        return keys.get(scope, s -> SigningKey.derive(secret, s.date(), s.region(), s.service()));
    }
}
