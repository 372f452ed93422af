package io.s3lockproxy.server;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.UpstreamCall;
import io.s3lockproxy.upstream.UpstreamCall.Answer;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The versions and delete markers a {@link StorageProbe} made in a bucket that keeps versions, and
 * their removal by version id. Versions go first; one that object lock retains is tried once more
 * with {@code x-amz-bypass-governance-retention} (governance mode, for an identity allowed to).
 * Then go the delete markers of every key whose versions all went: a version that stays retained
 * keeps the delete marker above it, so that it is not listed as an object; ListObjectVersions shows
 * it until its retention ends.
 */
final class ProbeLeftovers {
    private record Made(String key, String versionId, boolean marker) {
    }

    private final UpstreamCall calls;
    private final EventLoop loop;
    private final String bucket;
    private final List<Made> made = new ArrayList<>();

    ProbeLeftovers(UpstreamCall calls, EventLoop loop, String bucket) {
        this.calls = calls;
        this.loop = loop;
        this.bucket = bucket;
    }

    /**
     * Notes the version {@code sent} made of {@code key} — a delete marker when {@code deletes} —
     * if the bucket keeps versions; returns {@code sent}.
     */
    Future<Answer> record(String key, boolean deletes, Future<Answer> sent) {
        sent.addListener((Future<Answer> f) -> {
            if (f.isSuccess() && f.getNow().status() / 100 == 2) {
                String version = f.getNow().headers().get("x-amz-version-id");
                if (version != null && !version.isEmpty()) {
                    made.add(new Made(key, version, deletes));
                }
            }
        });
        return sent;
    }

    /**
     * Removes what was noted, one request at a time; completes on the loop with the number of
     * versions object lock keeps.
     */
    Future<Integer> remove() {
        List<Made> all = List.copyOf(made);
        made.clear();
        Promise<Integer> done = loop.newPromise();
        Set<String> retainedKeys = new HashSet<>();
        int[] retainedVersions = new int[1];
        removeEach(all.stream().filter(m -> !m.marker()).iterator(), version -> {
            retainedKeys.add(version.key());
            retainedVersions[0]++;
        }, () -> removeEach(all.stream().filter(m -> m.marker() && !retainedKeys.contains(m.key())).iterator(),
                marker -> { }, () -> done.setSuccess(retainedVersions[0])));
        return done;
    }

    private void removeEach(Iterator<Made> next, Consumer<Made> retained, Runnable then) {
        if (!next.hasNext()) {
            then.run();
            return;
        }
        Made m = next.next();
        delete(m, false).addListener((Future<Answer> f) -> {
            if (m.marker() || !(f.isSuccess() && f.getNow().status() == 403)) {
                removeEach(next, retained, then);
                return;
            }
            delete(m, true).addListener((Future<Answer> bypassing) -> {
                if (!bypassing.isSuccess() || bypassing.getNow().status() / 100 != 2) {
                    retained.accept(m);
                }
                removeEach(next, retained, then);
            });
        });
    }

    private Future<Answer> delete(Made m, boolean bypassGovernance) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (bypassGovernance) {
            headers.set("x-amz-bypass-governance-retention", "true");
        }
        return calls.send(loop, new UpstreamRequest("DELETE", bucket, m.key(), List.of(Map.entry("versionId", m.versionId())),
                headers, BodyPlan.NONE));
    }
}
