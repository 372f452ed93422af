package io.s3lockproxy.s3;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one exception the proxy throws for a request it answers itself; {@link ErrorXml} renders it.
 * Extra elements (for example {@code StringToSign}) appear in the XML after the message, in order.
 */
public final class S3Exception extends RuntimeException {
    private final S3ErrorCode code;
    private final Map<String, String> extra;

    public S3Exception(S3ErrorCode code) {
        this(code, code.defaultMessage());
    }

    public S3Exception(S3ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public S3Exception(S3ErrorCode code, String message, Map<String, String> extra) {
        super(message, null, false, false);
        this.code = code;
        this.extra = new LinkedHashMap<>(extra);
    }

    /** Returns the error code this exception answers with. */
    public S3ErrorCode code() {
        return code;
    }

    /** Returns the extra XML elements, in the order they are rendered. */
    public Map<String, String> extra() {
        return java.util.Collections.unmodifiableMap(extra);
    }
}
