package io.s3lockproxy.server;

/**
 * An object's state as a write under its lock needs it: whether it exists, and its ETag.
 *
 * @param exists  whether the key has a current object
 * @param etag    its ETag as the upstream gave it (quoted), or null when it does not exist
 */
record ObjectState(boolean exists, String etag) {

    /** The key has no current object. */
    static final ObjectState ABSENT = new ObjectState(false, null);
}
