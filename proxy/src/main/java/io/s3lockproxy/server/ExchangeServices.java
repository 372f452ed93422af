package io.s3lockproxy.server;

import io.s3lockproxy.auth.AccessPolicy;
import io.s3lockproxy.auth.SigV4Verifier;
import io.s3lockproxy.lock.LockService;
import io.s3lockproxy.s3.RequestParser;
import io.s3lockproxy.upstream.OriginPool;
import io.s3lockproxy.upstream.Resigner;

/**
 * The shared, thread-safe collaborators every exchange uses.
 *
 * @param locksShared   whether locks are meant to be shared through Redis (lock.redis is set)
 * @param accessPolicy  what each verified client key may do (buckets, read-only)
 * @param observer      told about every request when it ends (metrics, access log)
 * @param connections   the open client connections (graceful shutdown)
 */
record ExchangeServices(
        RequestParser parser,
        SigV4Verifier verifier,
        Resigner resigner,
        OriginPool origins,
        RequestPlanner planner,
        LockService lockService,
        boolean locksShared,
        WriteGuard writeGuard,
        AccessPolicy accessPolicy,
        RequestObserver observer,
        ClientConnections connections) {
}
