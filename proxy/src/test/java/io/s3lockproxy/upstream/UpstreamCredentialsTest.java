package io.s3lockproxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.s3lockproxy.config.PayloadForwarding;
import io.s3lockproxy.config.UpstreamConfig;
import io.s3lockproxy.config.UpstreamCredentialsSource;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

class UpstreamCredentialsTest {
    private static final UpstreamConfig UPSTREAM = new UpstreamConfig(URI.create("http://127.0.0.1:9000"), "us-east-1",
            "static-key", "static-secret", true, PayloadForwarding.AUTO, Duration.ofSeconds(1), Duration.ofSeconds(1));

    private static HttpRequest sign(Resigner resigner) {
        return resigner.sign(new UpstreamRequest("GET", "bucket", "key", List.of(), new DefaultHttpHeaders(), BodyPlan.NONE));
    }

    @Test
    void staticCredentialsSignWithTheConfiguredKeyAndNoToken() {
        HttpRequest signed = sign(new Resigner(UPSTREAM));
        assertThat(signed.headers().get("Authorization")).contains("Credential=static-key/");
        assertThat(signed.headers().contains("x-amz-security-token")).isFalse();
        assertThat(UpstreamCredentials.provider(UPSTREAM)).isInstanceOf(StaticCredentialsProvider.class);
    }

    @Test
    void sessionCredentialsAddTheirTokenAndRotationTakesEffectOnTheNextRequest() {
        AtomicReference<AwsCredentials> current = new AtomicReference<>(
                AwsSessionCredentials.create("ASIA-FIRST", "secret-1", "token-1"));
        Resigner resigner = new Resigner(UPSTREAM, current::get);

        HttpRequest first = sign(resigner);
        assertThat(first.headers().get("Authorization")).contains("Credential=ASIA-FIRST/")
                .contains("x-amz-security-token");
        assertThat(first.headers().get("x-amz-security-token")).isEqualTo("token-1");

        current.set(AwsSessionCredentials.create("ASIA-SECOND", "secret-2", "token-2"));
        HttpRequest second = sign(resigner);
        assertThat(second.headers().get("Authorization")).contains("Credential=ASIA-SECOND/");
        assertThat(second.headers().get("x-amz-security-token")).isEqualTo("token-2");

        current.set(AwsBasicCredentials.create("AKIA-LONG-TERM", "secret-3"));
        assertThat(sign(resigner).headers().contains("x-amz-security-token")).isFalse();
    }

    @Test
    void defaultChainReadsTheStandardEnvironmentOrSystemProperties() {
        // The chain's first provider reads aws.accessKeyId / aws.secretAccessKey / aws.sessionToken.
        System.setProperty("aws.accessKeyId", "ASIA-FROM-CHAIN");
        System.setProperty("aws.secretAccessKey", "chain-secret");
        System.setProperty("aws.sessionToken", "chain-token");
        try {
            UpstreamConfig chain = new UpstreamConfig(UPSTREAM.endpoint(), "us-east-1", null, null, true,
                    PayloadForwarding.AUTO, Duration.ofSeconds(1), Duration.ofSeconds(1),
                    UpstreamCredentialsSource.DEFAULT_CHAIN, null);
            HttpRequest signed = sign(new Resigner(chain));
            assertThat(signed.headers().get("Authorization")).contains("Credential=ASIA-FROM-CHAIN/");
            assertThat(signed.headers().get("x-amz-security-token")).isEqualTo("chain-token");
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            System.clearProperty("aws.sessionToken");
        }
    }
}
