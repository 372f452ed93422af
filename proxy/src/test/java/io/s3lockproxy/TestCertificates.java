package io.s3lockproxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA and a server certificate for {@code localhost} and {@code 127.0.0.1} signed by it,
 * made by {@code openssl} as a child process (present on the build machines; no key material is
 * checked in).
 *
 * @param dir         where the files are
 * @param caCert      the CA certificate (PEM), what clients trust
 * @param serverCert  the server certificate (PEM)
 * @param serverKey   its private key (PEM, unencrypted PKCS#8)
 */
public record TestCertificates(Path dir, Path caCert, Path serverCert, Path serverKey) {

    /** Generates the files in {@code dir}. */
    public static TestCertificates generate(Path dir) throws IOException, InterruptedException {
        Path caKey = dir.resolve("ca.key");
        Path caCert = dir.resolve("ca.pem");
        Path key = dir.resolve("server.key");
        Path csr = dir.resolve("server.csr");
        Path cert = dir.resolve("server.pem");
        Path ext = dir.resolve("server.ext");
        Files.writeString(ext, """
                basicConstraints=CA:FALSE
                keyUsage=critical,digitalSignature,keyEncipherment
                extendedKeyUsage=serverAuth
                subjectAltName=DNS:localhost,IP:127.0.0.1
                """, StandardCharsets.US_ASCII);
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", caCert.toString(),
                "-days", "2", "-subj", "/CN=s3-lock-proxy test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", "/CN=localhost");
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        return new TestCertificates(dir, caCert, cert, key);
    }

    /** Runs {@code openssl args…} in {@code dir} and fails with its output when it fails. */
    public static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "openssl", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + Files.readString(out));
        }
    }
}
