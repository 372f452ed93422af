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
 * @param lastWrites       what each key's last write through this instance left, for fencing without a read
 */
record WriteServices(LockService locks, boolean locksShared, ConditionCheck conditions, LongAdder fenceRejections,
                     LastWrites lastWrites) {

    /** Services whose memory of last writes matches {@code locksShared}. */
    WriteServices(LockService locks, boolean locksShared, ConditionCheck conditions, LongAdder fenceRejections) {
        this(locks, locksShared, conditions, fenceRejections, new LastWrites(locksShared));
    }

    /**
     * Returns the admission of a write to {@code keys}, for an exchange on {@code loop}. An
     * anonymous write is locked but gets no conditions checked under the lock: reading the object
     * with the proxy's credentials would lend it their authority; its own conditions go up as sent.
     */
    WriteAdmission forKeys(EventLoop loop, S3Request request, List<LockKey> keys, boolean anonymous) {
        return new LockedWrite(this, loop, request, keys, anonymous);
    }
}
