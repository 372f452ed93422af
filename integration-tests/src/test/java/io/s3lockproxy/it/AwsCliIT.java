package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The aws-cli as a client of the proxy (skipped where {@code aws} is not on PATH). */
class AwsCliIT extends ProxyTestEnvironment {
    private Path work;

    @BeforeEach
    void requireCli() throws IOException {
        Executables.assumeOnPath("aws", "the aws-cli");
        work = Files.createTempDirectory("awscli-it-");
        // aws-cli v1 presigns with SigV2 unless told otherwise; the proxy accepts SigV4 only.
        Files.writeString(work.resolve("config"), "[default]\ns3 =\n    addressing_style = path\n    signature_version = s3v4\n",
                StandardCharsets.UTF_8);
    }

    @AfterEach
    void removeWork() {
        ChildProcesses.deleteRecursively(work);
    }

    private CommandRun aws(String... args) {
        List<String> command = new ArrayList<>(List.of("aws", "--endpoint-url", endpoint.toString()));
        command.addAll(List.of(args));
        return CommandRun.of(command, work, env -> {
            env.keySet().removeIf(k -> k.startsWith("AWS_"));
            env.put("AWS_ACCESS_KEY_ID", accessKey);
            env.put("AWS_SECRET_ACCESS_KEY", secretKey);
            env.put("AWS_DEFAULT_REGION", "us-east-1");
            env.put("AWS_CONFIG_FILE", work.resolve("config").toString());
            env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-credentials").toString());
            env.put("AWS_EC2_METADATA_DISABLED", "true");
            env.put("AWS_PAGER", "");
        });
    }

    private CommandRun ok(String... args) {
        return aws(args).succeeded();
    }

    @Test
    void copySmallFileUpAndDown() throws IOException {
        byte[] body = Payloads.random(10_000);
        Path up = Files.write(work.resolve("small.bin"), body);
        ok("s3", "cp", up.toString(), "s3://" + bucket + "/cli/small file.bin");
        assertThat(readDirectly("cli/small file.bin")).isEqualTo(body);

        Path down = work.resolve("small-back.bin");
        ok("s3", "cp", "s3://" + bucket + "/cli/small file.bin", down.toString());
        assertThat(Files.readAllBytes(down)).isEqualTo(body);
    }

    @Test
    void copyTwentyMebibytesUsesMultipart() throws IOException {
        byte[] body = Payloads.random(20 << 20);
        Path up = Files.write(work.resolve("big.bin"), body);
        ok("s3", "cp", up.toString(), "s3://" + bucket + "/cli/big.bin");
        assertThat(Payloads.sha256Hex(readDirectly("cli/big.bin"))).isEqualTo(Payloads.sha256Hex(body));
        // multipart uploads have an ETag of the form "<md5 of md5s>-<parts>"
        assertThat(direct.headObject(b -> b.bucket(bucket).key("cli/big.bin")).eTag()).matches("\"?[0-9a-f]+-\\d+\"?");

        Path down = work.resolve("big-back.bin");
        ok("s3", "cp", "s3://" + bucket + "/cli/big.bin", down.toString());
        assertThat(Payloads.sha256Hex(Files.readAllBytes(down))).isEqualTo(Payloads.sha256Hex(body));
    }

    @Test
    void listBucketAndPrefix() {
        direct.putObject(b -> b.bucket(bucket).key("ls/one.txt"),
                software.amazon.awssdk.core.sync.RequestBody.fromString("1"));
        direct.putObject(b -> b.bucket(bucket).key("ls/two.txt"),
                software.amazon.awssdk.core.sync.RequestBody.fromString("22"));
        assertThat(ok("s3", "ls").out()).contains(bucket);
        assertThat(ok("s3", "ls", "s3://" + bucket + "/ls/").out()).contains("one.txt", "two.txt");
    }

    @Test
    void s3apiPutGetHead() throws IOException {
        byte[] body = Payloads.random(5_000);
        Path file = Files.write(work.resolve("api.bin"), body);
        ok("s3api", "put-object", "--bucket", bucket, "--key", "api/obj", "--body", file.toString(),
                "--metadata", "colour=green");
        assertThat(readDirectly("api/obj")).isEqualTo(body);

        String head = ok("s3api", "head-object", "--bucket", bucket, "--key", "api/obj").out();
        assertThat(head).contains("\"ContentLength\": 5000").contains("\"colour\": \"green\"");

        Path down = work.resolve("api-back.bin");
        ok("s3api", "get-object", "--bucket", bucket, "--key", "api/obj", down.toString());
        assertThat(Files.readAllBytes(down)).isEqualTo(body);

        CommandRun missing = aws("s3api", "head-object", "--bucket", bucket, "--key", "api/missing");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("404");
    }

    @Test
    void presignWithCurl() {
        Executables.assumeOnPath("curl", "curl");
        byte[] body = Payloads.random(3_000);
        direct.putObject(b -> b.bucket(bucket).key("cli/presigned"),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(body));
        String url = ok("s3", "presign", "s3://" + bucket + "/cli/presigned", "--expires-in", "300").out().trim();
        Curl.Result result = Curl.get(url);
        assertThat(result.status()).as(result.bodyText()).isEqualTo(200);
        assertThat(result.body()).isEqualTo(body);
    }
}
