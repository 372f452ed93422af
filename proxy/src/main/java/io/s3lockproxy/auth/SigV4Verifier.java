package io.s3lockproxy.auth;

import io.s3lockproxy.config.AnonymousAccess;
import io.s3lockproxy.config.AuthConfig;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.sigv4.CanonicalRequest;
import io.s3lockproxy.sigv4.Hashes;
import io.s3lockproxy.sigv4.SigningKey;
import io.s3lockproxy.sigv4.StringToSign;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the SigV4 signature of a client request, sent in the {@code Authorization} header or in
 * the query string (presigned URL), against the proxy's own client credentials.
 *
 * <p>The verifier rebuilds the canonical request from the request line and headers exactly as
 * received, with the credential scope the client chose (any region; service {@code s3}), and
 * compares signatures in constant time. It is also where the scheme is decided: Signature
 * Version 2 requests go to {@link SigV2Verifier} when {@code auth.sigV2} allows them, and a request
 * without any signature is refused or, with {@code auth.anonymous: forward}, returned as
 * {@link AuthScheme#ANONYMOUS}. Thread-safe.
 */
public final class SigV4Verifier {
    /** The clock skew S3 tolerates. */
    public static final Duration DEFAULT_MAX_SKEW = Duration.ofMinutes(15);

    private static final String SERVICE = "s3";
    private static final String TERMINATOR = "aws4_request";
    private static final String CONTENT_SHA256 = "x-amz-content-sha256";
    private static final String SECURITY_TOKEN = "x-amz-security-token";

    private final CredentialStore credentials;
    private final SigningKeys signingKeys = new SigningKeys();
    private final Clock clock;
    private final Duration maxSkew;
    private final boolean acceptSessionTokens;
    private final SigV2Verifier sigV2;
    private final AnonymousAccess anonymous;

    /**
     * Creates a verifier with the settings of {@code config}: clock skew, session tokens,
     * {@code auth.sigV2} and {@code auth.anonymous}.
     *
     * <p>With {@code auth.anonymous: forward} {@link #verify} returns requests without any
     * signature as {@link VerifiedRequest#anonymous()}; the caller must then send them upstream
     * unsigned, never re-signed with the upstream credentials.
     *
     * @param credentials  the client credentials accepted
     * @param clock        the time requests are checked against
     * @param config       the {@code auth.*} settings
     */
    public SigV4Verifier(CredentialStore credentials, Clock clock, AuthConfig config) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxSkew = Objects.requireNonNull(config.maxClockSkew(), "maxSkew");
        if (maxSkew.isNegative() || maxSkew.isZero()) {
            throw new IllegalArgumentException("maxSkew must be positive, was " + maxSkew);
        }
        this.acceptSessionTokens = config.acceptSessionTokens();
        this.sigV2 = config.sigV2() ? new SigV2Verifier(this) : null;
        this.anonymous = config.anonymous();
    }

    /**
     * Creates a SigV4-only verifier that refuses anonymous requests: the behaviour from before
     * {@code auth.sigV2} and {@code auth.anonymous} existed (SigV2 gets 400 InvalidRequest,
     * anonymous requests 403 AccessDenied).
     *
     * @param credentials          the client credentials accepted
     * @param clock                the time requests are checked against
     * @param maxSkew              how far the request time may be from the clock either way
     * @param acceptSessionTokens  whether requests carrying {@code x-amz-security-token} are accepted
     *                             (the token is then only checked as a signed part of the request)
     */
    public SigV4Verifier(CredentialStore credentials, Clock clock, Duration maxSkew, boolean acceptSessionTokens) {
        this(credentials, clock, new AuthConfig(maxSkew, acceptSessionTokens, false, AnonymousAccess.DENY));
    }

    /**
     * Returns who signed {@code request}, how, and how its body is declared; for an anonymous
     * request that {@code auth.anonymous: forward} lets through, a result without access key.
     *
     * @throws S3Exception when the request is refused: anonymous under {@code deny}, SigV2 under
     *                     {@code auth.sigV2: false}, more than one mechanism, malformed, out of
     *                     time or wrongly signed
     */
    public VerifiedRequest verify(S3Request request) {
        if (request.method().equals("OPTIONS")) {
            // A CORS preflight is never authenticated (browsers send no credentials with it, and S3
            // answers it from the bucket's CORS rules alone): it goes upstream unsigned, also when the
            // URL is a presigned one.
            return withoutPayloadSignature(null, request, AuthScheme.PREFLIGHT);
        }
        List<String> authorization = request.headers().getAll("Authorization");
        boolean v4Query = PresignedQuery.present(request);
        boolean v2Query = SigV2Verifier.queryPresent(request);
        if ((authorization.isEmpty() ? 0 : 1) + (v4Query ? 1 : 0) + (v2Query ? 1 : 0) > 1) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Only one auth mechanism allowed; only the"
                    + " X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization"
                    + " header should be specified");
        }
        if (authorization.size() > 1) {
            throw new S3Exception(S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED,
                    "The authorization header is malformed; it was sent more than once.");
        }
        if (!authorization.isEmpty()) {
            String value = authorization.get(0);
            if (SigV2Verifier.isHeader(value)) {
                return sigV2().verifyHeader(request, value);
            }
            return verifyHeader(request, AuthorizationHeader.parse(value));
        }
        if (v4Query) {
            return verifyPresigned(request, PresignedQuery.parse(request));
        }
        if (v2Query) {
            return sigV2().verifyPresigned(request);
        }
        if (anonymous == AnonymousAccess.DENY) {
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED,
                    "Anonymous access is not allowed; sign the request with SigV4.");
        }
        return withoutPayloadSignature(null, request, AuthScheme.ANONYMOUS);
    }

    /**
     * Returns who signed a browser-form upload (POST Object): the signature over its policy document
     * in SigV4 fields ({@code x-amz-algorithm}, {@code x-amz-credential}, {@code x-amz-signature}) or
     * SigV2 ones ({@code AWSAccessKeyId}, {@code signature}), whose conditions the form must then
     * meet ({@link PostPolicy}). A form with neither and no policy is anonymous, as any unsigned request.
     *
     * @param fields      the form's fields before its file, by lower-case name, {@code key} with
     *                    {@code ${filename}} already replaced
     * @param bucket      the bucket of the request line
     * @param fileLength  the length of the file's content
     * @throws S3Exception when the form is refused: unsigned under {@code auth.anonymous: deny},
     *                     a signature field missing, an unknown key, a wrong signature, or a
     *                     policy that is malformed, expired or not met
     */
    public VerifiedRequest verifyForm(Map<String, String> fields, String bucket, long fileLength) {
        String policy = fields.get("policy");
        boolean v4 = fields.containsKey("x-amz-signature") || fields.containsKey("x-amz-credential")
                || fields.containsKey("x-amz-algorithm");
        boolean v2 = fields.containsKey("signature") || fields.containsKey("awsaccesskeyid");
        if (v4 && v2) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Only one auth mechanism allowed; a form carries"
                    + " either x-amz-signature or signature.");
        }
        if (!v4 && !v2) {
            if (policy != null) {
                throw FormSignature.missingField("AWSAccessKeyId");
            }
            if (anonymous == AnonymousAccess.DENY) {
                throw new S3Exception(S3ErrorCode.ACCESS_DENIED,
                        "Anonymous access is not allowed; sign the form's policy.");
            }
            return new VerifiedRequest(null, PayloadMode.UNSIGNED, null, null, AuthScheme.ANONYMOUS);
        }
        checkSessionToken(fields.get(SECURITY_TOKEN));
        if (v2) {
            sigV2();
        }
        String accessKey = v4 ? FormSignature.checkV4(fields, this::checkFormScope, this::signingKeyOf)
                : FormSignature.checkV2(fields, this::secretOf);
        PostPolicy.parse(policy).check(fields, bucket, fileLength, clock.instant());
        return new VerifiedRequest(accessKey, PayloadMode.UNSIGNED, null, null, AuthScheme.POST_POLICY);
    }

    private void checkFormScope(Credential credential) {
        checkScope(credential, S3ErrorCode.INVALID_ARGUMENT);
    }

    private SigningKey signingKeyOf(Credential credential) {
        return signingKeys.of(credential.accessKey(), secretOf(credential.accessKey()), credential);
    }

    private SigV2Verifier sigV2() {
        if (sigV2 == null) {
            throw SignatureErrors.sigV2Disabled();
        }
        return sigV2;
    }

    private VerifiedRequest verifyHeader(S3Request request, AuthorizationHeader auth) {
        Credential credential = auth.credential();
        checkScope(credential, S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED);
        RequestTime time = headerTime(request);
        if (!credential.date().equals(time.date())) {
            throw new S3Exception(S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED, "The authorization header is"
                    + " malformed; Invalid credential date. Date is not the same as X-Amz-Date.");
        }
        checkSkew(time, time.timestamp());
        requireHost(auth.signedHeaders());
        String secret = secretOf(credential.accessKey());
        checkSessionToken(request.headers().get(SECURITY_TOKEN));
        String contentSha256 = request.headers().get(CONTENT_SHA256);
        if (contentSha256 == null) {
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST,
                    "Missing required header for this request: x-amz-content-sha256");
        }
        PayloadMode mode = ContentSha256.classify(contentSha256);
        // x-amz-content-sha256 must be signed here: an unsigned payload claim would let anyone
        // swap the body and its hash together under a valid signature.
        requireAmzHeadersSigned(request, auth.signedHeaders(), false);
        SigningKey key = signingKeys.of(credential.accessKey(), secret, credential);
        checkSignature(request, false, auth.signedHeaders(), contentSha256, time, credential, key, auth.signature());
        String seed = auth.signature().toLowerCase(Locale.ROOT);
        return verified(credential, mode, contentSha256, key, time, seed, AuthScheme.SIGV4_HEADER);
    }

    private VerifiedRequest verifyPresigned(S3Request request, PresignedQuery q) {
        Credential credential = q.credential();
        checkScope(credential, S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR);
        if (!credential.date().equals(q.time().date())) {
            throw PresignedQuery.error("Invalid credential date. Date is not the same as X-Amz-Date.");
        }
        Instant now = clock.instant();
        Instant signedAt = q.time().instant();
        // A presigned URL is meant to be used later, so only a time in the future is held against the skew.
        if (signedAt.isAfter(now.plus(maxSkew))) {
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "Request is not valid yet");
        }
        Instant expiry = signedAt.plusSeconds(q.expiresSeconds());
        if (q.expiresSeconds() == 0 || now.isAfter(expiry)) {
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "Request has expired", Map.of(
                    "X-Amz-Expires", Long.toString(q.expiresSeconds()),
                    "Expires", expiry.toString(),
                    "ServerTime", now.truncatedTo(ChronoUnit.SECONDS).toString()));
        }
        requireHost(q.signedHeaders());
        String secret = secretOf(credential.accessKey());
        String token = q.securityToken() != null ? q.securityToken() : request.headers().get(SECURITY_TOKEN);
        checkSessionToken(token);
        requireAmzHeadersSigned(request, q.signedHeaders(), true);
        String contentSha256 = request.headers().get(CONTENT_SHA256);
        String payloadHash = contentSha256 != null && q.signedHeaders().contains(CONTENT_SHA256)
                ? contentSha256 : ContentSha256.UNSIGNED_PAYLOAD;
        PayloadMode mode = ContentSha256.classify(payloadHash);
        SigningKey key = signingKeys.of(credential.accessKey(), secret, credential);
        checkSignature(request, true, q.signedHeaders(), payloadHash, q.time(), credential, key, q.signature());
        String seed = q.signature().toLowerCase(Locale.ROOT);
        return verified(credential, mode, payloadHash, key, q.time(), seed, AuthScheme.SIGV4_PRESIGNED);
    }

    private static VerifiedRequest verified(Credential credential, PayloadMode mode, String payloadHash,
            SigningKey key, RequestTime time, String seedSignature, AuthScheme scheme) {
        String sha256 = mode == PayloadMode.SHA256_HEX ? ContentSha256.normalizedHex(payloadHash) : null;
        StreamingContext streaming = mode.signedChunks()
                ? new StreamingContext(key, time.timestamp(), credential.scope(), seedSignature)
                : null;
        return new VerifiedRequest(credential.accessKey(), mode, sha256, streaming, scheme);
    }

    private void checkSignature(S3Request request, boolean presigned, List<String> signedHeaders,
            String payloadHash, RequestTime time, Credential credential, SigningKey key, String provided) {
        String canonical;
        try {
            canonical = CanonicalRequest.build(request.method(), request.rawPath(), request.rawQuery(), presigned,
                    name -> request.headers().getAll(name), signedHeaders, payloadHash);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.INVALID_URI);
        }
        String stringToSign = StringToSign.build(time.timestamp(), credential.scope(), canonical);
        String expected = key.sign(stringToSign);
        if (!Hashes.constantTimeEquals(expected, provided.toLowerCase(Locale.ROOT))) {
            throw SignatureErrors.signatureMismatch(credential.accessKey(), stringToSign, provided, canonical);
        }
    }

    private static void checkScope(Credential credential, S3ErrorCode code) {
        if (!credential.service().equals(SERVICE)) {
            throw new S3Exception(code, "The authorization header is malformed; incorrect service \""
                    + credential.service() + "\". This endpoint belongs to \"s3\".");
        }
        if (!credential.terminator().equals(TERMINATOR)) {
            throw new S3Exception(code, "The authorization header is malformed; incorrect terminal \""
                    + credential.terminator() + "\". This endpoint uses \"aws4_request\".");
        }
    }

    private static RequestTime headerTime(S3Request request) {
        String amzDate = request.headers().get("x-amz-date");
        RequestTime time = amzDate != null
                ? RequestTime.parseAmzDate(amzDate.strip())
                : RequestTime.parseHttpDate(request.headers().get("Date"));
        if (time == null) {
            throw SignatureErrors.missingDate();
        }
        return time;
    }

    /**
     * Returns the result for a request whose payload no signature covers (SigV2, anonymous): the
     * body as {@code x-amz-content-sha256} declares it when sent (a hex hash is then checked),
     * else as {@code UNSIGNED-PAYLOAD}.
     *
     * @throws S3Exception INVALID_REQUEST for signed aws-chunked bodies: without a SigV4 seed
     *                     signature their chunk signatures cannot be checked
     */
    VerifiedRequest withoutPayloadSignature(String accessKey, S3Request request, AuthScheme scheme) {
        String declared = request.headers().get(CONTENT_SHA256);
        PayloadMode mode = declared == null ? PayloadMode.UNSIGNED : ContentSha256.classify(declared);
        if (mode.signedChunks()) {
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "x-amz-content-sha256: " + declared
                    + " needs a SigV4 Authorization header: its chunk signatures chain from that signature.");
        }
        String sha256 = mode == PayloadMode.SHA256_HEX ? ContentSha256.normalizedHex(declared) : null;
        return new VerifiedRequest(accessKey, mode, sha256, null, scheme);
    }

    Clock clock() {
        return clock;
    }

    /** Refuses a request time further than the allowed skew from the clock; {@code shown} is the time as sent. */
    void checkSkew(RequestTime time, String shown) {
        Instant now = clock.instant();
        Duration skew = Duration.between(now, time.instant()).abs();
        if (skew.compareTo(maxSkew) > 0) {
            throw new S3Exception(S3ErrorCode.REQUEST_TIME_TOO_SKEWED,
                    S3ErrorCode.REQUEST_TIME_TOO_SKEWED.defaultMessage(), Map.of(
                            "RequestTime", shown,
                            "ServerTime", now.truncatedTo(ChronoUnit.SECONDS).toString(),
                            "MaxAllowedSkewMilliseconds", Long.toString(maxSkew.toMillis())));
        }
    }

    /** S3 answers an unsigned Host like any other unsigned header: 403 AccessDenied naming it. */
    private static void requireHost(List<String> signedHeaders) {
        if (!signedHeaders.contains("host")) {
            throw SignatureErrors.headersNotSigned("host");
        }
    }

    String secretOf(String accessKey) {
        return credentials.secretFor(accessKey).orElseThrow(() -> SignatureErrors.unknownAccessKey(accessKey));
    }

    void checkSessionToken(String token) {
        if (token != null && !acceptSessionTokens) {
            throw new S3Exception(S3ErrorCode.INVALID_TOKEN);
        }
    }

    /**
     * Refuses x-amz-* headers that were sent but not signed, as S3 does: they change what the
     * request means (copy source, tagging, ACL, …), so they must be covered by the signature.
     * A presigned URL's client may add {@code x-amz-content-sha256} after the fact.
     */
    private static void requireAmzHeadersSigned(S3Request request, List<String> signedHeaders, boolean presigned) {
        Set<String> signed = new HashSet<>(signedHeaders);
        Set<String> unsigned = new TreeSet<>();
        for (String name : request.headers().names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-") && !signed.contains(lower)
                    && !(presigned && lower.equals(CONTENT_SHA256))) {
                unsigned.add(lower);
            }
        }
        if (!unsigned.isEmpty()) {
            throw SignatureErrors.headersNotSigned(String.join(", ", unsigned));
        }
    }
}
