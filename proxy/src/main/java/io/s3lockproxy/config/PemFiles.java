package io.s3lockproxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start-up checks of PEM files, so that a wrong path or format stops the proxy with a message
 * naming the key rather than failing on the first TLS handshake.
 */
final class PemFiles {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {
    }

    /** Returns the certificates in {@code file} (at least one), or throws naming {@code key}. */
    static List<Certificate> certificates(String key, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new ConfigException(key, "no PEM certificate in " + file);
            }
            return List.copyOf(certs);
        } catch (IOException | CertificateException e) {
            throw new ConfigException(key, "no readable PEM certificate in " + file + ": " + e.getMessage());
        }
    }

    /** Returns whether {@code privateKey} belongs to {@code certificate}: a signature by one verifies with the other. */
    static boolean matches(PrivateKey privateKey, Certificate certificate) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> privateKey.getAlgorithm();
        };
        try {
            byte[] probe = "s3-lock-proxy".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Returns the unencrypted PKCS#8 private key in {@code file}, or throws naming {@code key}. */
    static PrivateKey privateKey(String key, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigException(key, "cannot read " + file + ": " + e.getMessage());
        }
        Matcher m = PKCS8.matcher(text);
        if (!m.find()) {
            String hint = text.contains("ENCRYPTED PRIVATE KEY") ? "an encrypted key; decrypt it"
                    : text.contains("RSA PRIVATE KEY") || text.contains("EC PRIVATE KEY") ? "a PKCS#1/SEC1 key; convert it"
                    : "no PEM private key; expected -----BEGIN PRIVATE KEY-----";
            throw new ConfigException(key, file + " holds " + hint
                    + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new ConfigException(key, file + " holds a PKCS#8 key of an unsupported algorithm (RSA, EC or EdDSA expected)");
    }
}
