package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostPolicyTest {
    private static final String EXPIRATION = "2026-12-01T12:00:00Z";
    private static final Instant BEFORE = Instant.parse("2026-12-01T11:00:00Z");
    private static final String BUCKET = "photos";

    // ---- parse: the document

    @Test
    void readsADocumentWithEveryShapeOfCondition() {
        PostPolicy p = PostPolicy.parse(policy("{'expiration': '" + EXPIRATION + "', 'conditions': ["
                + "{'bucket': 'photos'}, ['eq', '$acl', 'private'], ['starts-with', '$key', 'user/'],"
                + "['content-length-range', 1, 100]]}"));
        assertThat(p.expiration()).isEqualTo(Instant.parse(EXPIRATION));
        assertThatCode(() -> p.check(fields("acl", "private", "key", "user/a.jpg"), BUCKET, 10, BEFORE))
                .doesNotThrowAnyException();
    }

    @Test
    void admitsTheFormOfTheAwsSigV4Example() {
        PostPolicy p = PostPolicy.parse(policy("{ 'expiration': '2015-12-30T12:00:00.000Z',\n"
                + "  'conditions': [\n"
                + "    {'bucket': 'sigv4examplebucket'},\n"
                + "    ['starts-with', '$key', 'user/user1/'],\n"
                + "    {'acl': 'public-read'},\n"
                + "    {'success_action_redirect': 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html'},\n"
                + "    ['starts-with', '$Content-Type', 'image/'],\n"
                + "    {'x-amz-meta-uuid': '14365123651274'},\n"
                + "    {'x-amz-server-side-encryption': 'AES256'},\n"
                + "    ['starts-with', '$x-amz-meta-tag', ''],\n"
                + "    {'x-amz-credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request'},\n"
                + "    {'x-amz-algorithm': 'AWS4-HMAC-SHA256'},\n"
                + "    {'x-amz-date': '20151229T000000Z' }\n"
                + "  ]\n"
                + "}"));
        Map<String, String> form = fields("key", "user/user1/photo.jpg", "acl", "public-read",
                "success_action_redirect", "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html",
                "content-type", "image/jpeg", "x-amz-meta-uuid", "14365123651274",
                "x-amz-server-side-encryption", "AES256",
                "x-amz-credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request",
                "x-amz-algorithm", "AWS4-HMAC-SHA256", "x-amz-date", "20151229T000000Z", "x-amz-meta-tag", "",
                "policy", "(the base64 above)", "x-amz-signature", "(its signature)");
        Instant signedAt = Instant.parse("2015-12-29T00:00:00Z");
        assertThatCode(() -> p.check(form, "sigv4examplebucket", 1234, signedAt)).doesNotThrowAnyException();
        form.put("content-type", "text/html");
        assertThatThrownBy(() -> p.check(form, "sigv4examplebucket", 1234, signedAt)).hasMessage(
                "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$Content-Type\", \"image/\"]");
    }

    @Test
    void readsAnExpirationWithAFraction() {
        assertThat(PostPolicy.parse(policy(expiringAt("2026-12-01T12:00:00.250Z", "{'bucket': 'photos'}")))
                .expiration()).isEqualTo(Instant.parse("2026-12-01T12:00:00.250Z"));
    }

    @Test
    void allowsWhitespaceAroundTheBase64() {
        String encoded = policy(withConditions("{'bucket': 'photos'}"));
        assertThat(PostPolicy.parse(" \r\n" + encoded + "\n\t ").expiration()).isEqualTo(Instant.parse(EXPIRATION));
    }

    @Test
    void readsADocumentUpToTheSizeLimit() {
        String json = withConditions("{'bucket': 'photos'}").replace('\'', '"');
        String padded = json + " ".repeat(PostPolicy.MAX_DOCUMENT_BYTES - json.length());
        assertThat(PostPolicy.parse(base64(padded)).expiration()).isEqualTo(Instant.parse(EXPIRATION));
    }

    @Test
    void refusesADocumentOverTheSizeLimit() {
        String json = withConditions("{'bucket': 'photos'}").replace('\'', '"');
        String padded = json + " ".repeat(PostPolicy.MAX_DOCUMENT_BYTES + 1 - json.length());
        assertThatParse(base64(padded)).hasMessageContaining("too large");
        assertThatParse(base64(json + " ".repeat(1_000_000))).hasMessageContaining("too large");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "%%%%", "not base64!", "e30", "e3 0=", "e30=e30="})
    void refusesWhatIsNotBase64(String value) {
        assertThatParse(value).hasMessage("Invalid Policy: Invalid JSON.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "\"x\"", "null", "{'expiration': '" + EXPIRATION + "', }",
        "{'expiration': '" + EXPIRATION + "', 'conditions': []} trailing"})
    void refusesWhatIsNotAJsonObject(String json) {
        assertThatParse(policy(json)).hasMessage("Invalid Policy: Invalid JSON.");
    }

    @Test
    void refusesBytesThatAreNotUtf8() {
        byte[] latin1 = "{\"expiration\": \"2026-12-01T12:00:00Z\", \"conditions\": [{\"key\": \"caf\u00e9\"}]}"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatParse(Base64.getEncoder().encodeToString(latin1)).hasMessage("Invalid Policy: Invalid JSON.");
    }

    // ---- parse: expiration

    @ParameterizedTest
    @ValueSource(strings = {"{'conditions': []}", "{'Expiration': '" + EXPIRATION + "', 'conditions': []}"})
    void refusesAPolicyWithoutExpiration(String json) {
        assertThatParse(policy(json)).hasMessage("Invalid Policy: Policy missing expiration.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-01 12:00:00.123456+00:00", "2026-12-01T12:00:00", "2026-12-01T12:00:00+00:00",
        "2026-12-01T12:00:00z", "2026-12-01", "20261201T120000Z", "2026-12-01T12:00:00.Z", "2026-12-01T12:00Z",
        "2026-12-01T12:00:00.1234567890Z", "2026-02-30T12:00:00Z", "2026-12-01T25:00:00Z", "+2026-12-01T12:00:00Z", ""})
    void refusesAnExpirationNotInIsoUtcForm(String value) {
        assertThatParse(policy(expiringAt(value, "{'bucket': 'photos'}")))
                .hasMessage("Invalid Policy: Invalid 'expiration' value: '" + value + "'");
    }

    @Test
    void refusesAnExpirationThatIsNotAString() {
        assertThatParse(policy("{'expiration': 1796126400, 'conditions': []}"))
                .hasMessage("Invalid Policy: Invalid 'expiration' value: '1796126400'");
        assertThatParse(policy("{'expiration': null, 'conditions': []}"))
                .hasMessageStartingWith("Invalid Policy: Invalid 'expiration' value:");
    }

    // ---- parse: conditions

    @ParameterizedTest
    @ValueSource(strings = {"", ", 'CONDITIONS': []", ", 'Conditions': []", ", 'conditions': {}",
        ", 'conditions': null", ", 'conditions': 'bucket'"})
    void refusesAPolicyWithoutAConditionsArray(String conditions) {
        assertThatParse(policy("{'expiration': '" + EXPIRATION + "'" + conditions + "}"))
                .hasMessage("Invalid Policy: Policy missing conditions.");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "{'bucket': 'photos', 'key': 'a'}", "{'bucket': true}", "{'bucket': null}", "{'bucket': ['photos']}",
        "{'': 'x'}",
        "['eq', 'bucket', 'photos']", "['eq', '$', 'x']", "['eq', '$bucket']", "['eq', '$bucket', 'photos', 'x']",
        "['eq', '$bucket', 7]", "['eq', '$bucket', null]", "['eq', 7, 'photos']",
        "['starts-with', 'key', 'user/']", "['starts-with', '$key']",
        "['in', '$bucket', 'photos']", "['eq']", "[]", "['bucket', 'photos']", "[7, '$bucket', 'photos']",
        "'bucket'", "7", "null", "true",
        "['content-length-range', 1]", "['content-length-range']", "['content-length-range', 1, 2, 3]",
        "['content-length-range', -1, 5]", "['content-length-range', 1, -5]",
        "['content-length-range', 1.5, 5]", "['content-length-range', 1, 5.5]", "['content-length-range', 6, 5]",
        "['content-length-range', '1x', 5]", "['content-length-range', '', 5]", "['content-length-range', '-1', 5]",
        "['content-length-range', ' 1', 5]", "['content-length-range', '1.0', 5]",
        "['content-length-range', true, 5]", "['content-length-range', null, 5]",
        "['content-length-range', 1, 9223372036854775808]", "['content-length-range', 1e999999999, 5]"
    })
    void refusesAnInvalidCondition(String condition) {
        assertThatParse(policy(withConditions("{'bucket': 'photos'}", condition)))
                .hasMessageStartingWith("Invalid Policy: Invalid Condition: ");
    }

    @Test
    void showsTheInvalidConditionInTheMessage() {
        assertThatParse(policy(withConditions("['eq', 'key', 'a\\\"b']")))
                .hasMessage("Invalid Policy: Invalid Condition: [\"eq\", \"key\", \"a\\\"b\"]");
    }

    @Test
    void readsContentLengthBoundsWrittenAsStringsOfDigits() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['content-length-range', '10', '20']");
        assertThatCode(() -> p.check(Map.of(), BUCKET, 20, BEFORE)).doesNotThrowAnyException();
        assertThatCheck(p, Map.of(), 21).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.ENTITY_TOO_LARGE));
    }

    @Test
    void readsContentLengthBoundsWrittenAsWholeNumbersInAnyNotation() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['content-length-range', 1.0E1, 2e1]");
        assertThatCode(() -> p.check(Map.of(), BUCKET, 10, BEFORE)).doesNotThrowAnyException();
        assertThatCode(() -> p.check(Map.of(), BUCKET, 20, BEFORE)).doesNotThrowAnyException();
        assertThatCheck(p, Map.of(), 9).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.ENTITY_TOO_SMALL));
    }

    @Test
    void comparesANumberValuedConditionByItsPlainForm() {
        PostPolicy p = parse("{'bucket': 'photos'}", "{'success_action_status': 201}", "{'x-amz-meta-n': 1E2}");
        assertThatCode(() -> p.check(fields("success_action_status", "201", "x-amz-meta-n", "100"), BUCKET, 0, BEFORE))
                .doesNotThrowAnyException();
        assertThatCheck(p, fields("success_action_status", "200", "x-amz-meta-n", "100"), 0)
                .hasMessageStartingWith("Invalid according to Policy: Policy Condition failed:");
    }

    @Test
    void errorsCarryInvalidPolicyDocumentAnd400() {
        assertThatParse("%%%%").isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_POLICY_DOCUMENT);
            assertThat(e.code().status()).isEqualTo(400);
            assertThat(e.code().code()).isEqualTo("InvalidPolicyDocument");
        });
    }

    // ---- check: expiration

    @Test
    void refusesAtTheMomentOfExpiration() {
        PostPolicy p = parse("{'bucket': 'photos'}");
        assertThatCode(() -> p.check(Map.of(), BUCKET, 0, Instant.parse(EXPIRATION).minusNanos(1)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> p.check(Map.of(), BUCKET, 0, Instant.parse(EXPIRATION)))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.code()).isEqualTo(S3ErrorCode.ACCESS_DENIED);
                    assertThat(e.code().status()).isEqualTo(403);
                })
                .hasMessage("Invalid according to Policy: Policy expired.");
    }

    @Test
    void checksExpirationBeforeConditions() {
        PostPolicy p = parse("{'bucket': 'elsewhere'}");
        assertThatThrownBy(() -> p.check(fields("extra", "x"), BUCKET, 0, Instant.parse(EXPIRATION).plusSeconds(1)))
                .hasMessage("Invalid according to Policy: Policy expired.");
    }

    // ---- check: eq and starts-with

    @Test
    void eqNeedsTheExactValue() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['eq', '$key', 'a.jpg']");
        assertThatCode(() -> p.check(fields("key", "a.jpg"), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
        for (String other : new String[] {"A.jpg", "a.jpg ", "a.jp", "a.jpgx"}) {
            assertThatCheck(p, fields("key", other), 0)
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.code()).isEqualTo(S3ErrorCode.ACCESS_DENIED);
                        assertThat(e.code().status()).isEqualTo(403);
                    })
                    .hasMessage("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", \"a.jpg\"]");
        }
    }

    @Test
    void anObjectConditionIsAnExactMatch() {
        PostPolicy p = parse("{'bucket': 'photos'}", "{'acl': 'private'}");
        assertThatCode(() -> p.check(fields("acl", "private"), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
        assertThatCheck(p, fields("acl", "privatex"), 0)
                .hasMessage("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$acl\", \"private\"]");
    }

    @Test
    void startsWithNeedsThePrefix() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['starts-with', '$key', 'user/alice/']");
        assertThatCode(() -> p.check(fields("key", "user/alice/a.jpg"), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
        assertThatCode(() -> p.check(fields("key", "user/alice/"), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
        assertThatCheck(p, fields("key", "user/bob/a.jpg"), 0).hasMessage(
                "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"user/alice/\"]");
        assertThatCheck(p, fields("key", "User/alice/a.jpg"), 0).isInstanceOf(S3Exception.class);
    }

    @Test
    void startsWithTheEmptyStringAllowsAnyValueAndNone() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['starts-with', '$content-type', '']");
        assertThatCode(() -> p.check(fields("content-type", "image/png"), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
        assertThatCode(() -> p.check(fields("content-type", ""), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
        assertThatCode(() -> p.check(Map.of(), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
    }

    @Test
    void matchesFieldNamesAndOperatorsWhateverTheirCase() {
        PostPolicy p = parse("{'Bucket': 'photos'}", "['EQ', '$Key', 'a.jpg']", "['Starts-With', '$CONTENT-TYPE', 'image/']",
                "{'X-Amz-Meta-Tag': 'cat'}");
        assertThatCode(() -> p.check(fields("key", "a.jpg", "content-type", "image/png", "x-amz-meta-tag", "cat"),
                BUCKET, 0, BEFORE)).doesNotThrowAnyException();
        assertThatCheck(p, fields("key", "b.jpg", "content-type", "image/png", "x-amz-meta-tag", "cat"), 0)
                .hasMessage("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$Key\", \"a.jpg\"]");
        PostPolicy range = parse("{'bucket': 'photos'}", "['Content-Length-Range', 0, 1]");
        assertThatCheck(range, Map.of(), 2).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.ENTITY_TOO_LARGE));
    }

    @Test
    void aMissingFieldCountsAsEmpty() {
        assertThatCheck(parse("{'bucket': 'photos'}", "['eq', '$acl', 'private']"), Map.of(), 0)
                .hasMessage("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$acl\", \"private\"]");
        assertThatCheck(parse("{'bucket': 'photos'}", "['starts-with', '$key', 'user/']"), Map.of(), 0)
                .isInstanceOf(S3Exception.class);
        assertThatCode(() -> parse("{'bucket': 'photos'}", "{'acl': ''}").check(Map.of(), BUCKET, 0, BEFORE))
                .doesNotThrowAnyException();
    }

    @Test
    void theBucketIsTheOneTheRequestAddresses() {
        PostPolicy p = parse("{'bucket': 'photos'}");
        assertThatCode(() -> p.check(fields("bucket", "other"), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
        assertThatCheck(p, fields("bucket", "photos"), "other", 0)
                .hasMessage("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"photos\"]");
    }

    // ---- check: content-length-range

    @Test
    void contentLengthRangeIncludesBothBounds() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['content-length-range', 10, 20]");
        assertThatCode(() -> p.check(Map.of(), BUCKET, 10, BEFORE)).doesNotThrowAnyException();
        assertThatCode(() -> p.check(Map.of(), BUCKET, 20, BEFORE)).doesNotThrowAnyException();
        assertThatCheck(p, Map.of(), 9).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.code()).isEqualTo(S3ErrorCode.ENTITY_TOO_SMALL);
            assertThat(e.code().status()).isEqualTo(400);
            assertThat(e.extra()).containsExactly(Map.entry("ProposedSize", "9"), Map.entry("MinSizeAllowed", "10"));
        });
        assertThatCheck(p, Map.of(), 21).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.code()).isEqualTo(S3ErrorCode.ENTITY_TOO_LARGE);
            assertThat(e.code().status()).isEqualTo(400);
            assertThat(e.extra()).containsExactly(Map.entry("ProposedSize", "21"), Map.entry("MaxSizeAllowed", "20"));
        });
    }

    @Test
    void contentLengthRangeMayPinOneSize() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['content-length-range', 0, 0]");
        assertThatCode(() -> p.check(Map.of(), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
        assertThatCheck(p, Map.of(), 1).isInstanceOf(S3Exception.class);
    }

    @Test
    void everyContentLengthRangeMustHold() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['content-length-range', 0, 100]", "['content-length-range', 50, 60]");
        assertThatCode(() -> p.check(Map.of(), BUCKET, 55, BEFORE)).doesNotThrowAnyException();
        assertThatCheck(p, Map.of(), 70).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.ENTITY_TOO_LARGE));
    }

    // ---- check: fields the policy does not name

    @Test
    void refusesAFieldNoConditionNames() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['starts-with', '$key', '']");
        assertThatCheck(p, fields("key", "a", "x-amz-meta-tag", "cat"), 0)
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.code()).isEqualTo(S3ErrorCode.ACCESS_DENIED);
                    assertThat(e.code().status()).isEqualTo(403);
                })
                .hasMessage("Invalid according to Policy: Extra input fields: x-amz-meta-tag");
    }

    @Test
    void aContentLengthRangeNamesNoField() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['content-length-range', 0, 10]");
        assertThatCheck(p, fields("content-length-range", "5"), 0)
                .hasMessage("Invalid according to Policy: Extra input fields: content-length-range");
    }

    @Test
    void theSecurityTokenNeedsACondition() {
        PostPolicy p = parse("{'bucket': 'photos'}");
        assertThatCheck(p, fields("x-amz-security-token", "t"), 0)
                .hasMessage("Invalid according to Policy: Extra input fields: x-amz-security-token");
        assertThatCode(() -> parse("{'bucket': 'photos'}", "{'x-amz-security-token': 't'}")
                .check(fields("x-amz-security-token", "t"), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"policy", "signature", "awsaccesskeyid", "x-amz-signature", "file", "x-ignore-", "x-ignore-anything"})
    void someFieldsNeedNoCondition(String name) {
        PostPolicy p = parse("{'bucket': 'photos'}");
        assertThatCode(() -> p.check(fields(name, "v"), BUCKET, 0, BEFORE)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x-ignore", "x-amz-credential", "x-amz-algorithm", "x-amz-date", "awsaccesskey", "policy2"})
    void fieldsLikeTheExemptOnesStillNeedACondition(String name) {
        assertThatCheck(parse("{'bucket': 'photos'}"), fields(name, "v"), 0)
                .hasMessage("Invalid according to Policy: Extra input fields: " + name);
    }

    @Test
    void theBucketMustBeNamed() {
        PostPolicy p = parse("['starts-with', '$key', '']");
        assertThatCheck(p, fields("key", "a"), 0)
                .hasMessage("Invalid according to Policy: Extra input fields: bucket");
        assertThatCheck(parse(), Map.of(), 0).hasMessage("Invalid according to Policy: Extra input fields: bucket");
        assertThatCode(() -> parse("['starts-with', '$bucket', '']").check(Map.of(), BUCKET, 0, BEFORE))
                .doesNotThrowAnyException();
    }

    @Test
    void checksConditionsBeforeUnnamedFields() {
        PostPolicy p = parse("{'bucket': 'photos'}", "['eq', '$key', 'a']");
        assertThatCheck(p, fields("key", "b", "x-amz-meta-tag", "cat"), 0)
                .hasMessageStartingWith("Invalid according to Policy: Policy Condition failed:");
    }

    // ---- helpers

    /** Returns a policy expiring at {@link #EXPIRATION} with these conditions (JSON, ' for "). */
    private static PostPolicy parse(String... conditions) {
        return PostPolicy.parse(policy(withConditions(conditions)));
    }

    private static String withConditions(String... conditions) {
        return expiringAt(EXPIRATION, conditions);
    }

    private static String expiringAt(String expiration, String... conditions) {
        return "{'expiration': '" + expiration + "', 'conditions': [" + String.join(", ", conditions) + "]}";
    }

    /** Returns the form field {@code policy} for {@code json}, written with ' for ". */
    private static String policy(String json) {
        return base64(json.replace('\'', '"'));
    }

    private static String base64(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> fields(String... namesAndValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertThatParse(String base64Policy) {
        return assertThatThrownBy(() -> PostPolicy.parse(base64Policy))
                .isInstanceOfSatisfying(S3Exception.class,
                        e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_POLICY_DOCUMENT));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertThatCheck(
            PostPolicy policy, Map<String, String> fields, long fileLength) {
        return assertThatCheck(policy, fields, BUCKET, fileLength);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertThatCheck(
            PostPolicy policy, Map<String, String> fields, String bucket, long fileLength) {
        return assertThatThrownBy(() -> policy.check(fields, bucket, fileLength, BEFORE));
    }
}
