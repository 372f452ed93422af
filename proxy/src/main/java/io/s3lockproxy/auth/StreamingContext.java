package io.s3lockproxy.auth;

import io.s3lockproxy.sigv4.SigningKey;

/**
 * What a signed aws-chunked body needs to check its chunk and trailer signatures.
 *
 * @param signingKey     the key derived for the request's credential scope
 * @param timestamp      the request's {@code x-amz-date} (ISO 8601 basic)
 * @param scope          {@code date/region/s3/aws4_request}
 * @param seedSignature  the signature of the request headers, the first "previous signature"
 */
public record StreamingContext(SigningKey signingKey, String timestamp, String scope, String seedSignature) {
}
