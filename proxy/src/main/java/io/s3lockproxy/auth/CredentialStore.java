package io.s3lockproxy.auth;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The client credentials the proxy accepts: an immutable map from access key id to secret key. */
public final class CredentialStore {
    private final Map<String, String> secrets;

    /**
     * Copies {@code accessKeyToSecret}.
     *
     * @throws IllegalArgumentException when an access key or secret is empty
     * @throws NullPointerException when a key or value is null
     */
    public CredentialStore(Map<String, String> accessKeyToSecret) {
        for (Map.Entry<String, String> e : accessKeyToSecret.entrySet()) {
            Objects.requireNonNull(e.getKey(), "accessKey");
            Objects.requireNonNull(e.getValue(), "secretKey");
            if (e.getKey().isEmpty() || e.getValue().isEmpty()) {
                throw new IllegalArgumentException("access keys and secret keys must not be empty");
            }
        }
        this.secrets = Map.copyOf(accessKeyToSecret);
    }

    /** Returns the secret key of {@code accessKey}, or empty when the key is unknown. */
    public Optional<String> secretFor(String accessKey) {
        return accessKey == null ? Optional.empty() : Optional.ofNullable(secrets.get(accessKey));
    }

    /** Returns the number of access keys. */
    public int size() {
        return secrets.size();
    }

    /** Returns the access key ids only; secrets are never printed. */
    @Override
    public String toString() {
        return "CredentialStore" + new java.util.TreeSet<>(secrets.keySet());
    }
}
