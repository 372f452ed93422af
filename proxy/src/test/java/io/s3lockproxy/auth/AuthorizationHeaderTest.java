package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthorizationHeaderTest {
    private static final String SIG = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    @ParameterizedTest
    @ValueSource(strings = {
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + SIG,
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-date,Signature=" + SIG,
        "  AWS4-HMAC-SHA256   Signature=" + SIG + " ,  SignedHeaders = host;x-amz-date , Credential=AK/20150830/us-east-1/s3/aws4_request  "
    })
    void parsesWhitespaceVariations(String value) {
        AuthorizationHeader h = AuthorizationHeader.parse(value);
        assertThat(h.accessKey()).isEqualTo("AK");
        assertThat(h.credential().scope()).isEqualTo("20150830/us-east-1/s3/aws4_request");
        assertThat(h.signedHeaders()).isEqualTo(List.of("host", "x-amz-date"));
        assertThat(h.signature()).isEqualTo(SIG);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request, SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3, SignedHeaders=host, Signature=" + SIG,
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request, SignedHeaders=host;;a, Signature=" + SIG,
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request, Credential=AK/x/y/z/w, SignedHeaders=host, Signature=" + SIG,
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + SIG + ", Extra=1",
        "AWS4-HMAC-SHA1 Credential=AK/20150830/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + SIG,
        "Bearer token"
    })
    void rejectsMalformed(String value) {
        assertThatThrownBy(() -> AuthorizationHeader.parse(value)).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED));
    }

    @Test
    void sigV4aIsNotImplementedAndSigV2IsRefused() {
        assertThatThrownBy(() -> AuthorizationHeader.parse(
                "AWS4-ECDSA-P256-SHA256 Credential=AK/20150830/s3/aws4_request, SignedHeaders=host, Signature=30"))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.NOT_IMPLEMENTED));
        assertThatThrownBy(() -> AuthorizationHeader.parse("AWS AK:c2ln"))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("Please use AWS4-HMAC-SHA256");
                });
    }

    @Test
    void credentialStoreNeverPrintsSecrets() {
        CredentialStore store = new CredentialStore(Map.of("AK1", "s3cr3t-one", "AK2", "s3cr3t-two"));
        assertThat(store.toString()).contains("AK1", "AK2").doesNotContain("s3cr3t");
        assertThat(store.secretFor("AK1")).contains("s3cr3t-one");
        assertThat(store.secretFor("nope")).isEmpty();
        assertThat(store.secretFor(null)).isEmpty();
    }
}
