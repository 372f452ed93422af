package io.s3lockproxy.server;

import io.netty.channel.EventLoop;
import io.s3lockproxy.lock.LockKey;
import io.s3lockproxy.lock.LockService;
import io.s3lockproxy.s3.S3Request;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every {@link LockedWrite} shares.
 *
 * @param locks            the lock engine
 * @param locksShared      whether locks are meant to be shared through Redis ({@code lock.redis} is set)
 * @param conditions       the check of client conditions and storage fences under the lock
 * @param fenceRejections  counts writes the storage refused on a condition the proxy added
 */
record WriteServices(LockService locks, boolean locksShared, ConditionCheck conditions, LongAdder fenceRejections) {

    /** Returns the admission of a write to {@code keys}, for an exchange on {@code loop}. */
    WriteAdmission forKeys(EventLoop loop, S3Request request, List<LockKey> keys) {
        return new LockedWrite(this, loop, request, keys);
    }
}
