package io.s3lockproxy.sigv4;

/** Builds the SigV4 string to sign from a canonical request. */
public final class StringToSign {
    /** The only algorithm the proxy verifies. */
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";

    private StringToSign() {
    }

    /**
     * Returns {@code AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256 of canonicalRequest>}.
     *
     * @param timestamp  the request time, ISO 8601 basic ({@code 20150830T123600Z})
     * @param scope      {@code date/region/service/aws4_request}
     */
    public static String build(String timestamp, String scope, String canonicalRequest) {
        return ALGORITHM + '\n' + timestamp + '\n' + scope + '\n' + Hashes.sha256Hex(canonicalRequest);
    }
}
