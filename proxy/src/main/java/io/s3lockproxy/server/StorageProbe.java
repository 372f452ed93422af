package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import io.s3lockproxy.server.StorageProtection.Deletes;
import io.s3lockproxy.server.StorageProtection.ETagForm;
import io.s3lockproxy.server.StorageProtection.Writes;
import io.s3lockproxy.sigv4.UriEncoding;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.UpstreamCall;
import io.s3lockproxy.upstream.UpstreamCall.Answer;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One probe of one bucket (see {@link StorageProtections}), with objects under
 * {@value StorageProtections#PROBE_PREFIX} that it removes again — in a bucket that keeps versions,
 * every version and delete marker it made, by version id ({@link ProbeLeftovers}), so that nothing of
 * it stays listed.
 *
 * <p>Its questions, each about objects of its own, are asked side by side, the race last (with
 * nothing but clean-up beside it, so that the upstream is not slowed while it holds the held-back
 * request); the answer is given as soon as they are answered, and what the probe made is removed
 * after it: the write that waits for the probe waits for its questions only.
 */
final class StorageProbe {
    private static final Logger LOG = LoggerFactory.getLogger(StorageProbe.class);
    private static final Duration CONTINUE_WAIT = Duration.ofSeconds(1);
    /** How long the race probe gives the upstream to start on its conditional request. */
    private static final Duration RACE_PAUSE = Duration.ofMillis(200);
    private static final String PROBE_ETAG = "\"s3-lock-proxy-probe\"";

    private final UpstreamCall calls;
    private final EventLoop loop;
    private final String bucket;
    private final String key = StorageProtections.PROBE_PREFIX + UUID.randomUUID();
    private final String raceKey = key + "-race";
    private final Promise<StorageProtection> result;
    private final ProbeLeftovers leftovers;
    private final IntConsumer retained;
    /** The probe's requests that remove what it made, sent once their part of it had its answer. */
    private final List<Future<?>> cleanups = new ArrayList<>();

    private StorageProbe(UpstreamCall calls, EventLoop loop, String bucket, IntConsumer retained) {
        this.calls = calls;
        this.retained = retained;
        this.loop = loop;
        this.bucket = bucket;
        this.result = loop.newPromise();
        this.leftovers = new ProbeLeftovers(calls, loop, bucket);
    }

    /**
     * Probes {@code bucket}; completes on {@code loop} with what it found, or with
     * {@link StorageProtection#UNKNOWN} when the upstream's answers said nothing about conditions.
     * Once what it made is removed, tells {@code retained} how many of its versions object lock keeps.
     */
    static Future<StorageProtection> run(UpstreamCall calls, EventLoop loop, String bucket, IntConsumer retained) {
        StorageProbe probe = new StorageProbe(calls, loop, bucket, retained);
        probe.start();
        return probe.result;
    }

    private void start() {
        put(key, new DefaultHttpHeaders().set("If-Match", PROBE_ETAG)).addListener((Future<Answer> f) -> {
            if (!f.isSuccess() || !saysSomethingAboutConditions(f.getNow())) {
                finish(StorageProtection.UNKNOWN, describe(f));
            } else if (!refused(f.getNow())) {
                cleanup(delete(key));
                deletes().addListener((Future<Deletes> d) -> finish(new StorageProtection(Writes.NONE, Writes.NONE,
                        Writes.NONE, d.getNow(), ETagForm.QUOTED), null));
            } else {
                conditionsChecked();
            }
        });
    }

    /**
     * The upstream refused an {@code If-Match} PUT on a missing key: the matching PUTs, the copy, the
     * multipart completion and the conditional delete are asked side by side, then the race, with
     * only the other probes' clean-up still under way.
     */
    private void conditionsChecked() {
        Future<Matched> matched = matching();
        Future<Boolean> copies = copyRefused();
        Future<Boolean> completes = completionRefused();
        Future<Deletes> deletes = deletes();
        PromiseCombiner asked = new PromiseCombiner(loop);
        asked.addAll(matched, copies, completes, deletes);
        asked.finish(loop.<Void>newPromise().addListener(all -> {
            if (!matched.isSuccess()) {
                finish(StorageProtection.UNKNOWN, matched.cause().getMessage());
                return;
            }
            Matched m = matched.getNow();
            Future<Writes> writes = m.settled() != null ? loop.newSucceededFuture(m.settled()) : race(m.form().format(m.etag()));
            writes.addListener((Future<Writes> w) -> finish(new StorageProtection(w.getNow(),
                    copies.getNow() ? w.getNow() : Writes.NONE, completes.getNow() ? w.getNow() : Writes.NONE,
                    deletes.getNow(), m.form()), null));
        }));
    }

    /**
     * Whether a PUT with {@code If-Match} holding the object's own ETag is accepted, and in which
     * form; fails, with what the upstream said, when its answers say nothing about conditions.
     */
    private Future<Matched> matching() {
        Promise<Matched> result = loop.newPromise();
        put(raceKey, new DefaultHttpHeaders()).addListener((Future<Answer> base) -> {
            String etag = base.isSuccess() ? base.getNow().headers().get("ETag") : null;
            if (etag == null) {
                cleanup(delete(raceKey));
                result.setSuccess(new Matched(Writes.AT_REQUEST, ETagForm.QUOTED, null));
                return;
            }
            matchingPut(etag, ETagForm.QUOTED).addListener((Future<FormAnswer> m) -> {
                if (!m.isSuccess() || !saysSomethingAboutConditions(m.getNow().answer())) {
                    cleanup(delete(raceKey));
                    result.setFailure(new IllegalStateException(m.isSuccess() ? describe(m.getNow().answer())
                            : String.valueOf(m.cause())));
                } else if (refused(m.getNow().answer())) {
                    cleanup(delete(raceKey));
                    result.setSuccess(new Matched(Writes.NONE, ETagForm.QUOTED, null));
                } else {
                    result.setSuccess(new Matched(null, m.getNow().form(), etag));
                }
            });
        });
        return result;
    }

    /**
     * Sends a PUT whose {@code If-Match} holds the object's own ETag in {@code form}, and, when a
     * quoted one is refused, again with the bare ETag: an upstream that refuses both cannot be
     * fenced. Completes with the last answer and the form it answered.
     */
    private Future<FormAnswer> matchingPut(String etag, ETagForm form) {
        Promise<FormAnswer> matched = loop.newPromise();
        put(raceKey, new DefaultHttpHeaders().set("If-Match", form.format(etag))).addListener((Future<Answer> f) -> {
            if (!f.isSuccess()) {
                matched.setFailure(f.cause());
            } else if (refused(f.getNow()) && form == ETagForm.QUOTED) {
                matchingPut(etag, ETagForm.BARE).addListener((Future<FormAnswer> bare) -> {
                    if (bare.isSuccess()) {
                        matched.setSuccess(bare.getNow());
                    } else {
                        matched.setFailure(bare.cause());
                    }
                });
            } else {
                matched.setSuccess(new FormAnswer(f.getNow(), form));
            }
        });
        return matched;
    }

    /**
     * Whether an {@code If-Match} PUT is refused when another writer replaces the object after the
     * upstream has all of the conditional request but its last byte: the case of a holder paused
     * just before its commit point. {@code ifMatch} is the object's ETag in the form the upstream matches.
     */
    private Future<Writes> race(String ifMatch) {
        Promise<Writes> raced = loop.newPromise();
        HttpHeaders headers = new DefaultHttpHeaders().set("If-Match", ifMatch).set("Expect", "100-continue");
        UpstreamRequest conditional = new UpstreamRequest("PUT", bucket, raceKey, List.of(), headers,
                new BodyPlan(BodyPlan.Kind.UNSIGNED, 2, null));
        leftovers.record(raceKey, false, calls.sendWithPause(loop, conditional, Unpooled.wrappedBuffer(new byte[] {'o', 'k'}),
                this::replace, CONTINUE_WAIT, RACE_PAUSE))
                .addListener((Future<Answer> f) -> {
                    cleanup(delete(raceKey));
                    raced.setSuccess(f.isSuccess() && refused(f.getNow()) ? Writes.ATOMIC : Writes.AT_REQUEST);
                });
        return raced;
    }

    /**
     * Whether a CopyObject with {@code If-Match} onto a missing key is refused, as it must be for
     * copies to count as fenced like PutObjects: S3Proxy 4.1 and radosgw 16 copy regardless.
     */
    private Future<Boolean> copyRefused() {
        Promise<Boolean> refused = loop.newPromise();
        String source = key + "-source";
        String target = key + "-copy";
        put(source, new DefaultHttpHeaders()).addListener((Future<Answer> s) -> {
            if (!s.isSuccess() || s.getNow().status() / 100 != 2) {
                cleanup(delete(source));
                refused.setSuccess(false);
                return;
            }
            HttpHeaders headers = new DefaultHttpHeaders()
                    .set("x-amz-copy-source", "/" + bucket + "/" + UriEncoding.encode(source, true))
                    .set("If-Match", PROBE_ETAG);
            leftovers.record(target, false, calls.send(loop, new UpstreamRequest("PUT", bucket, target, List.of(), headers, BodyPlan.NONE)))
                    .addListener((Future<Answer> c) -> {
                        cleanup(removeIfWritten(target, c));
                        cleanup(delete(source));
                        refused.setSuccess(c.isSuccess() && conditionRefused(c.getNow()));
                    });
        });
        return refused;
    }

    /**
     * Whether a CompleteMultipartUpload with {@code If-Match} onto a missing key is refused, as it
     * must be to count as fenced (radosgw 16 completes regardless); the upload is aborted afterwards.
     */
    private Future<Boolean> completionRefused() {
        Promise<Boolean> refused = loop.newPromise();
        String target = key + "-upload";
        startUpload(target).addListener((Future<String> started) -> {
            if (started.getNow() == null) {
                refused.setSuccess(false);
                return;
            }
            List<Map.Entry<String, String>> upload = List.of(Map.entry("uploadId", started.getNow()));
            uploadPart(target, started.getNow()).addListener((Future<String> part) -> {
                if (part.getNow() == null) {
                    cleanup(abort(target, upload));
                    refused.setSuccess(false);
                    return;
                }
                complete(target, upload, part.getNow()).addListener((Future<Answer> c) -> {
                    // A completion can fail with 200 and an error document; the upload then still exists.
                    cleanup(c.isSuccess() && c.getNow().status() / 100 == 2 && c.getNow().errorCode() == null
                            ? removeIfWritten(target, c) : abort(target, upload));
                    refused.setSuccess(c.isSuccess() && conditionRefused(c.getNow()));
                });
            });
        });
        return refused;
    }

    /** Starts a multipart upload to {@code target}; completes with its upload id, or null. */
    private Future<String> startUpload(String target) {
        Promise<String> id = loop.newPromise();
        calls.send(loop, new UpstreamRequest("POST", bucket, target, List.of(new SimpleImmutableEntry<>("uploads", null)),
                new DefaultHttpHeaders(), BodyPlan.NONE)).addListener((Future<Answer> f) -> id.setSuccess(
                        f.isSuccess() && f.getNow().status() / 100 == 2 ? element(f.getNow().body(), "UploadId") : null));
        return id;
    }

    /** Uploads a one-byte part 1 of {@code uploadId}; completes with its ETag, or null. */
    private Future<String> uploadPart(String target, String uploadId) {
        Promise<String> etag = loop.newPromise();
        List<Map.Entry<String, String>> part = List.of(Map.entry("partNumber", "1"), Map.entry("uploadId", uploadId));
        calls.send(loop, new UpstreamRequest("PUT", bucket, target, part, new DefaultHttpHeaders(),
                new BodyPlan(BodyPlan.Kind.UNSIGNED, 1, null)), Unpooled.wrappedBuffer(new byte[] {'x'}))
                .addListener((Future<Answer> f) -> etag.setSuccess(
                        f.isSuccess() && f.getNow().status() / 100 == 2 ? f.getNow().headers().get("ETag") : null));
        return etag;
    }

    private Future<Answer> complete(String target, List<Map.Entry<String, String>> upload, String partETag) {
        byte[] xml = ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + partETag
                + "</ETag></Part></CompleteMultipartUpload>").getBytes(StandardCharsets.UTF_8);
        HttpHeaders headers = new DefaultHttpHeaders().set("If-Match", PROBE_ETAG).set("Content-Type", "application/xml");
        return leftovers.record(target, false, calls.send(loop, new UpstreamRequest("POST", bucket, target, upload, headers,
                new BodyPlan(BodyPlan.Kind.UNSIGNED, xml.length, null)), Unpooled.wrappedBuffer(xml)));
    }

    private Future<Answer> abort(String target, List<Map.Entry<String, String>> upload) {
        return calls.send(loop, new UpstreamRequest("DELETE", bucket, target, upload, new DefaultHttpHeaders(), BodyPlan.NONE));
    }

    /** Deletes {@code objectKey} if {@code answer} says a request wrote it. */
    private Future<?> removeIfWritten(String objectKey, Future<Answer> answer) {
        return answer.isSuccess() && answer.getNow().status() / 100 == 2 ? delete(objectKey) : loop.newSucceededFuture(null);
    }

    /** A DELETE with {@code If-Match} of a missing key: how conditional deletes are treated. */
    private Future<Deletes> deletes() {
        Promise<Deletes> result = loop.newPromise();
        String deleteKey = key + "-delete";
        leftovers.record(deleteKey, true, calls.send(loop, new UpstreamRequest("DELETE", bucket, deleteKey, List.of(),
                new DefaultHttpHeaders().set("If-Match", PROBE_ETAG), BodyPlan.NONE)))
                .addListener((Future<Answer> f) -> {
                    if (!f.isSuccess()) {
                        result.setSuccess(Deletes.REJECTED);
                    } else if (refused(f.getNow())) {
                        result.setSuccess(Deletes.ENFORCED);
                    } else if (f.getNow().status() / 100 == 2) {
                        result.setSuccess(Deletes.IGNORED);
                    } else {
                        result.setSuccess(Deletes.REJECTED);
                    }
                });
        return result;
    }

    /** Notes a request that removes something the probe made; the probe's versions go once all of them are done. */
    private void cleanup(Future<?> removal) {
        cleanups.add(removal);
    }

    /**
     * Answers with {@code learned} (with {@code problem}, what the upstream said instead, when it is
     * unknown), then, when the clean-up under way is done, removes the versions the probe made.
     */
    private void finish(StorageProtection learned, String problem) {
        if (problem != null) {
            LOG.warn("bucket {}: could not learn which conditions the upstream enforces ({}); probing again later",
                    bucket, problem);
        }
        result.trySuccess(learned);
        PromiseCombiner cleaned = new PromiseCombiner(loop);
        cleanups.forEach(cleaned::add);
        cleaned.finish(loop.<Void>newPromise().addListener(done -> removeVersions()));
    }

    private static String describe(Future<Answer> f) {
        return f.isSuccess() ? describe(f.getNow()) : String.valueOf(f.cause());
    }

    private static String describe(Answer answer) {
        return "status " + answer.status() + " " + answer.errorCode();
    }

    /** Removes every version and delete marker the probe made (none where the bucket keeps no versions). */
    private void removeVersions() {
        leftovers.remove().addListener((Future<Integer> f) -> {
            int kept = f.isSuccess() ? f.getNow() : 0;
            if (kept > 0) {
                LOG.warn("bucket {}: object lock retains {} version(s) the probe made under {}; each stays behind a delete"
                        + " marker, out of object listings, but ListObjectVersions shows it until its retention ends",
                        bucket, kept, StorageProtections.PROBE_PREFIX);
            }
            retained.accept(kept);
        });
    }

    private Future<Answer> put(String objectKey, HttpHeaders headers) {
        return leftovers.record(objectKey, false, calls.send(loop, new UpstreamRequest("PUT", bucket, objectKey, List.of(), headers,
                new BodyPlan(BodyPlan.Kind.UNSIGNED, 0, null))));
    }

    /** Another writer's PUT: a body of its own, so that the object's ETag changes (an upstream that compares ETags at commit sees it). */
    private Future<Answer> replace() {
        ByteBuf body = Unpooled.wrappedBuffer(new byte[] {'x'});
        return leftovers.record(raceKey, false, calls.send(loop, new UpstreamRequest("PUT", bucket, raceKey, List.of(),
                new DefaultHttpHeaders(), new BodyPlan(BodyPlan.Kind.UNSIGNED, 1, null)), body));
    }

    private Future<Answer> delete(String objectKey) {
        return leftovers.record(objectKey, true, calls.send(loop, new UpstreamRequest("DELETE", bucket, objectKey, List.of(),
                new DefaultHttpHeaders(), BodyPlan.NONE)));
    }

    /** A probe's condition was refused: 412, 409 ConditionalRequestConflict, or 404 for the missing key. */
    private static boolean refused(Answer answer) {
        return answer.status() == 412 || answer.status() == 409
                || answer.status() == 404 && !"NoSuchBucket".equals(answer.errorCode());
    }

    /**
     * A copy's or a multipart completion's condition was refused: 412, 409, or 404 NoSuchKey for
     * the missing key (not NoSuchUpload, not a missing source).
     */
    private static boolean conditionRefused(Answer answer) {
        return answer.status() == 412 || answer.status() == 409
                || answer.status() == 404 && "NoSuchKey".equals(answer.errorCode());
    }

    /** Returns the text of the first {@code <name>} element in {@code xml}, or null. */
    private static String element(String xml, String name) {
        int start = xml.indexOf("<" + name + ">");
        int end = start < 0 ? -1 : xml.indexOf("</" + name + ">", start);
        return end < 0 ? null : xml.substring(start + name.length() + 2, end);
    }

    private static boolean saysSomethingAboutConditions(Answer answer) {
        return answer.status() / 100 == 2 || refused(answer);
    }

    /**
     * What the PUTs with the object's own ETag found: {@code settled}, how writes are fenced, when
     * no race is needed; else the {@code form} the upstream matches the object's {@code etag} in.
     */
    private record Matched(Writes settled, ETagForm form, String etag) {
    }

    private record FormAnswer(Answer answer, ETagForm form) {
    }
}
