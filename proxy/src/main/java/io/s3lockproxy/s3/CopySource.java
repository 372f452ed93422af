package io.s3lockproxy.s3;

import io.s3lockproxy.sigv4.UriEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An object a request reads besides its target: {@code x-amz-copy-source} (CopyObject,
 * UploadPartCopy) or {@code x-amz-rename-source} (RenameObject), as a header or, in a presigned
 * URL, as a query parameter. Parsed strictly, so that the bucket the proxy checks is the bucket
 * every upstream reads: {@code [/]bucket/key[?versionId=id]}, URL-encoded, split at the first '/'
 * as sent; the key may hold any character, and goes upstream in the form {@link ObjectKeyPath} gives it.
 *
 * @param name       the header or parameter name, lower case
 * @param bucket     the decoded bucket, or null for an access point or Outposts ARN
 * @param key        the decoded key, or null for an ARN
 * @param versionId  the decoded version id, or null
 * @param value      the value as the client sent it (a query parameter's after query decoding)
 */
public record CopySource(String name, String bucket, String key, String versionId, String value) {
    /** The names that carry a source object. */
    public static final List<String> NAMES = List.of("x-amz-copy-source", "x-amz-rename-source");

    /**
     * Returns the sources {@code request} names, headers and query parameters alike (names
     * compared without case); throws 400 InvalidArgument for one that does not parse, or for a name
     * given more than once, which upstreams would resolve each their own way.
     */
    public static List<CopySource> of(S3Request request) {
        List<CopySource> out = new ArrayList<>(1);
        for (String name : NAMES) {
            List<String> values = new ArrayList<>(request.headers().getAll(name));
            for (Map.Entry<String, String> p : request.query()) {
                if (p.getKey().equalsIgnoreCase(name)) {
                    values.add(p.getValue());
                }
            }
            if (values.size() > 1) {
                throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Only one " + name + " may be given.");
            }
            if (!values.isEmpty()) {
                out.add(parse(name, values.get(0)));
            }
        }
        return out;
    }

    /** Returns the parsed {@code value} of {@code name}; throws 400 InvalidArgument when it names no bucket and key. */
    public static CopySource parse(String name, String value) {
        String source = value.trim();
        String versionId = null;
        int q = source.indexOf('?');
        if (q >= 0) {
            String suffix = source.substring(q + 1);
            if (!suffix.startsWith("versionId=")) {
                throw malformed(name);
            }
            versionId = decoded(name, suffix.substring("versionId=".length()));
            source = source.substring(0, q);
        }
        if (source.startsWith("/")) {
            source = source.substring(1);
        }
        int slash = source.indexOf('/');
        if (slash <= 0 || slash == source.length() - 1) {
            throw malformed(name);
        }
        String bucket = decoded(name, source.substring(0, slash));
        if (bucket.indexOf(':') >= 0) {
            // An access point or Outposts ARN: no bucket name of its own, passed on as sent.
            return new CopySource(name, null, null, versionId, value);
        }
        if (bucket.equals(".") || bucket.equals("..") || bucket.indexOf('/') >= 0 || bucket.indexOf('\\') >= 0) {
            throw malformed(name);
        }
        return new CopySource(name, bucket, decoded(name, source.substring(slash + 1)), versionId, value);
    }

    /** Returns whether the source is an ARN rather than a bucket and key. */
    public boolean arn() {
        return bucket == null;
    }

    /** Returns the value to send upstream: bucket and key re-encoded so no server reads another, or an ARN as sent. */
    public String upstreamValue() {
        if (arn()) {
            return value;
        }
        return "/" + UriEncoding.encode(bucket, false) + "/" + ObjectKeyPath.encode(key)
                + (versionId == null ? "" : "?versionId=" + UriEncoding.encode(versionId, false));
    }

    private static String decoded(String name, String raw) {
        String s = UriEncoding.decode(raw);
        if (s == null) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, name + " is not valid UTF-8 once decoded.");
        }
        return s;
    }

    private static S3Exception malformed(String name) {
        return new S3Exception(S3ErrorCode.INVALID_ARGUMENT,
                name + " must name the source bucket and key: sourcebucket/sourcekey[?versionId=id].");
    }
}
