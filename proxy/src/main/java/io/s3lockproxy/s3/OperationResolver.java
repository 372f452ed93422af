package io.s3lockproxy.s3;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Resolves the {@link S3Operation} of a request once, from method, target, query and headers. */
final class OperationResolver {
    private OperationResolver() {
    }

    static S3Operation resolve(String method, String bucket, String key, List<Map.Entry<String, String>> query,
                               HttpHeaders headers) {
        if (bucket == null) {
            return method.equals("GET") ? S3Operation.LIST_BUCKETS : S3Operation.OTHER_BUCKET;
        }
        Set<String> params = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : query) {
            params.add(e.getKey());
        }
        boolean subresource = !Subresources.of(query).isEmpty();
        return key == null
                ? bucketOperation(method, params, subresource)
                : objectOperation(method, params, headers);
    }

    private static S3Operation bucketOperation(String method, Set<String> params, boolean subresource) {
        switch (method) {
            case "GET":
                if (params.contains("versions")) {
                    return S3Operation.LIST_OBJECT_VERSIONS;
                }
                if (params.contains("uploads")) {
                    return S3Operation.LIST_MULTIPART_UPLOADS;
                }
                if (subresource) {
                    return S3Operation.OTHER_BUCKET;
                }
                return params.contains("list-type") ? S3Operation.LIST_OBJECTS_V2 : S3Operation.LIST_OBJECTS;
            case "PUT":
                return subresource ? S3Operation.OTHER_BUCKET : S3Operation.CREATE_BUCKET;
            case "DELETE":
                return subresource ? S3Operation.OTHER_BUCKET : S3Operation.DELETE_BUCKET;
            case "HEAD":
                return S3Operation.HEAD_BUCKET;
            case "POST":
                if (params.contains("delete")) {
                    return S3Operation.DELETE_OBJECTS;
                }
                return subresource ? S3Operation.OTHER_BUCKET : S3Operation.POST_OBJECT;
            default:
                return S3Operation.OTHER_BUCKET;
        }
    }

    private static S3Operation objectOperation(String method, Set<String> params, HttpHeaders headers) {
        boolean copy = headers.contains("x-amz-copy-source");
        switch (method) {
            case "GET":
                if (params.contains("tagging")) {
                    return S3Operation.GET_OBJECT_TAGGING;
                }
                if (params.contains("uploadId")) {
                    return S3Operation.LIST_PARTS;
                }
                return hasAny(params, "acl", "retention", "legal-hold", "attributes", "torrent")
                        ? S3Operation.OTHER_OBJECT : S3Operation.GET_OBJECT;
            case "HEAD":
                return S3Operation.HEAD_OBJECT;
            case "PUT":
                if (params.contains("tagging")) {
                    return S3Operation.PUT_OBJECT_TAGGING;
                }
                if (params.contains("retention")) {
                    return S3Operation.PUT_OBJECT_RETENTION;
                }
                if (params.contains("legal-hold")) {
                    return S3Operation.PUT_OBJECT_LEGAL_HOLD;
                }
                if (params.contains("uploadId")) {
                    return copy ? S3Operation.UPLOAD_PART_COPY : S3Operation.UPLOAD_PART;
                }
                if (params.contains("renameObject")) {
                    return S3Operation.RENAME_OBJECT;
                }
                if (hasAny(params, "acl")) {
                    return S3Operation.OTHER_OBJECT;
                }
                return copy ? S3Operation.COPY_OBJECT : S3Operation.PUT_OBJECT;
            case "DELETE":
                if (params.contains("tagging")) {
                    return S3Operation.DELETE_OBJECT_TAGGING;
                }
                return params.contains("uploadId") ? S3Operation.ABORT_MULTIPART_UPLOAD : S3Operation.DELETE_OBJECT;
            case "POST":
                if (params.contains("uploads")) {
                    return S3Operation.CREATE_MULTIPART_UPLOAD;
                }
                return params.contains("uploadId") ? S3Operation.COMPLETE_MULTIPART_UPLOAD : S3Operation.OTHER_OBJECT;
            default:
                return S3Operation.OTHER_OBJECT;
        }
    }

    private static boolean hasAny(Set<String> params, String... names) {
        for (String n : names) {
            if (params.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
