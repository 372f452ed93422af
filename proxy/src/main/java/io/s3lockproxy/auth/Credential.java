package io.s3lockproxy.auth;

/**
 * The parsed {@code Credential} of a SigV4 request: {@code AK/20150830/us-east-1/s3/aws4_request}.
 *
 * @param accessKey   the access key id
 * @param date        the scope date, {@code yyyyMMdd}
 * @param region      the region the client signed for
 * @param service     the service the client signed for
 * @param terminator  the scope terminator, {@code aws4_request} when well-formed
 */
public record Credential(String accessKey, String date, String region, String service, String terminator) {

    /** Returns the credential in {@code value}, or null when it does not have five non-empty parts. */
    public static Credential parse(String value) {
        if (value == null) {
            return null;
        }
        String[] parts = value.split("/", -1);
        if (parts.length != 5) {
            return null;
        }
        for (String p : parts) {
            if (p.isEmpty()) {
                return null;
            }
        }
        return new Credential(parts[0], parts[1], parts[2], parts[3], parts[4]);
    }

    /** Returns the credential scope {@code date/region/service/terminator}. */
    public String scope() {
        return date + '/' + region + '/' + service + '/' + terminator;
    }
}
