package io.s3lockproxy.server;

import io.s3lockproxy.s3.S3Operation;

/**
 * What a bucket's upstream enforces of the conditions the proxy can put on a write, as its probe
 * found: whether fencing can stop a stale holder at the storage, and how completely.
 *
 * @param writes    how {@code If-Match} / {@code If-None-Match} on PutObject are enforced
 * @param copies    the same on CopyObject (its destination)
 * @param completes the same on CompleteMultipartUpload
 * @param deletes   how {@code If-Match} on DeleteObject is treated
 * @param etags     how an ETag must be written in {@code If-Match} for the upstream to match it
 */
record StorageProtection(Writes writes, Writes copies, Writes completes, Deletes deletes, ETagForm etags) {

    /** Before a probe answered, or when it could not: nothing is assumed. */
    static final StorageProtection UNKNOWN = new StorageProtection(Writes.NONE, Writes.NONE, Writes.NONE,
            Deletes.REJECTED, ETagForm.QUOTED);

    /** Returns how conditions on the object {@code operation} writes are enforced: PutObject's for any but a copy or a completion. */
    Writes writesBy(S3Operation operation) {
        return switch (operation) {
            case COPY_OBJECT -> copies;
            case COMPLETE_MULTIPART_UPLOAD -> completes;
            default -> writes;
        };
    }

    /** Returns this with no write's conditions enforced. */
    StorageProtection withoutWriteConditions() {
        return new StorageProtection(Writes.NONE, Writes.NONE, Writes.NONE, deletes, etags);
    }

    /** How the upstream wants the ETag in an {@code If-Match} it is to match. */
    enum ETagForm {
        /** In quotes, as S3 sends ETags and as RFC 9110 has entity tags. */
        QUOTED("quoted"),
        /** Without quotes: radosgw up to at least 16.2 compares a PutObject's {@code If-Match} with the bare ETag. */
        BARE("bare");

        private final String description;

        ETagForm(String description) {
            this.description = description;
        }

        /** Returns {@code etag} (quoted or not, as an upstream sent it) written in this form. */
        String format(String etag) {
            String bare = ETags.bare(etag);
            return this == QUOTED ? "\"" + bare + "\"" : bare;
        }

        String description() {
            return description;
        }
    }

    /** How conditional writes are enforced. */
    enum Writes {
        /** Checked when the upstream commits: a stale holder's write is refused whenever it arrives. */
        ATOMIC("atomic at commit"),
        /** Checked when the upstream starts on the request (S3Proxy 4.1): a stale holder whose request began first still commits. */
        AT_REQUEST("checked when the request starts, not at commit"),
        /** Ignored: the lock alone serializes writes. */
        NONE("not enforced");

        private final String description;

        Writes(String description) {
            this.description = description;
        }

        /** Returns whether a condition on a write is enforced at all. */
        boolean enforced() {
            return this != NONE;
        }

        String description() {
            return description;
        }
    }

    /** How a conditional delete is treated. */
    enum Deletes {
        /** {@code If-Match} on DeleteObject is checked (AWS S3 since 2025-09). */
        ENFORCED("enforced"),
        /** The header is ignored: the delete happens anyway. */
        IGNORED("ignored"),
        /** The header makes the upstream refuse the delete: it must not be forwarded. */
        REJECTED("refused by the upstream");

        private final String description;

        Deletes(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }
}
