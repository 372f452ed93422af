package io.s3lockproxy.s3;

/**
 * The S3 operations the proxy tells apart. Only what locking and auth need is distinguished;
 * every other request is {@link #OTHER_BUCKET} or {@link #OTHER_OBJECT} and passes through unchanged.
 */
public enum S3Operation {
    LIST_BUCKETS(false),
    CREATE_BUCKET(false),
    DELETE_BUCKET(false),
    HEAD_BUCKET(false),
    LIST_OBJECTS(false),
    LIST_OBJECTS_V2(false),
    LIST_OBJECT_VERSIONS(false),
    LIST_MULTIPART_UPLOADS(false),
    DELETE_OBJECTS(true),
    /** A browser-form upload (POST to a bucket): its key is a field of the form body, read before it is locked. */
    POST_OBJECT(true),
    OTHER_BUCKET(false),

    GET_OBJECT(false),
    HEAD_OBJECT(false),
    PUT_OBJECT(true),
    COPY_OBJECT(true),
    DELETE_OBJECT(true),
    CREATE_MULTIPART_UPLOAD(false),
    UPLOAD_PART(false),
    UPLOAD_PART_COPY(false),
    COMPLETE_MULTIPART_UPLOAD(true),
    ABORT_MULTIPART_UPLOAD(false),
    LIST_PARTS(false),
    PUT_OBJECT_TAGGING(true),
    DELETE_OBJECT_TAGGING(true),
    GET_OBJECT_TAGGING(false),
    PUT_OBJECT_RETENTION(true),
    PUT_OBJECT_LEGAL_HOLD(true),
    /** RenameObject: writes the key and removes another one named in a header. Refused. */
    RENAME_OBJECT(true),
    OTHER_OBJECT(false);

    private final boolean write;

    S3Operation(boolean write) {
        this.write = write;
    }

    /**
     * Returns why the proxy refuses this operation (501 NotImplemented), or null: writes whose keys it
     * cannot lock before the upstream acts must not reach the upstream unlocked.
     */
    public String unsupported() {
        return switch (this) {
            case RENAME_OBJECT -> "RenameObject is not supported through the proxy: it changes two keys, and only"
                    + " one is in the request line.";
            default -> null;
        };
    }

    /** Returns whether this operation changes an object key and so must hold that key's lock. */
    public boolean locksKey() {
        return write;
    }
}
