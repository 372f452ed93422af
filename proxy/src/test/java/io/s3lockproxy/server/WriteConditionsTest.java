package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.lock.RedisServerProcess;
import io.s3lockproxy.server.FakeUpstream.Received;
import io.s3lockproxy.server.TestClient.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Client conditions checked under the key lock, and the conditions fenced mode adds, against a scripted upstream. */
@Timeout(30)
class WriteConditionsTest {
    private static final byte[] BODY = "v2".getBytes(StandardCharsets.UTF_8);

    private FakeUpstream upstream;
    private ProxyServer proxy;

    private int start(String lockMode) throws Exception {
        return start(lockMode, Map.of());
    }

    private int start(String lockMode, Map<String, String> more) throws Exception {
        upstream = new FakeUpstream();
        Map<String, String> env = new HashMap<>(more);
        env.put("S3LP_LOCK_MODE", lockMode);
        proxy = ProxyServer.start(TestEnvironment.config(upstream.endpoint(), env));
        return proxy.port();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static Response put(TestClient client, Map<String, String> conditions) throws Exception {
        Map<String, String> headers = new HashMap<>(conditions);
        headers.put("Content-Length", Integer.toString(BODY.length));
        client.send(client.signedHead("PUT", "/bucket/counter.json", headers, BODY, Map.of()));
        client.send(BODY);
        return client.read(false);
    }

    private static FakeUpstream.Answer headAnswer(String etag) {
        return FakeUpstream.full(200, Map.of("ETag", etag, "Content-Length", "2"), new byte[0]);
    }

    private static FakeUpstream.Answer notFound() {
        return FakeUpstream.full(404, Map.of("Content-Length", "0"), new byte[0]);
    }

    @Test
    void ifMatchOnAnotherETagIs412AndTheWriteNeverReachesTheUpstream() throws Exception {
        int port = start("serialize");
        upstream.enqueue(headAnswer("\"abc\""));
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of("If-Match", "\"other\""));
            assertThat(r.status()).isEqualTo(412);
            assertThat(r.bodyText()).contains("<Code>PreconditionFailed</Code>").contains("<Condition>If-Match</Condition>");
        }
        assertThat(upstream.take().requestLine()).startsWith("HEAD /bucket/counter.json ");
        assertThat(upstream.poll(300)).isNull();
    }

    @Test
    void ifMatchOnTheCurrentETagIsForwardedWithTheWrite() throws Exception {
        int port = start("serialize");
        upstream.enqueue(headAnswer("\"abc\""));
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of("If-Match", "abc")).status()).isEqualTo(200);
        }
        upstream.take();
        Received write = upstream.take();
        assertThat(write.requestLine()).startsWith("PUT /bucket/counter.json ");
        assertThat(write.header("if-match")).isEqualTo("abc");
        assertThat(write.body()).isEqualTo(BODY);
    }

    @Test
    void ifNoneMatchStarOnAnExistingKeyIs412() throws Exception {
        int port = start("serialize");
        upstream.enqueue(headAnswer("\"abc\""));
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of("If-None-Match", "*")).status()).isEqualTo(412);
        }
    }

    @Test
    void ifMatchOnAMissingKeyIs404NoSuchKey() throws Exception {
        int port = start("serialize");
        upstream.enqueue(notFound());
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of("If-Match", "\"abc\""));
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).contains("<Code>NoSuchKey</Code>");
        }
    }

    /** Enqueues the answers to a bucket's probe (see StorageProtections): what its writes and deletes enforce. */
    private void enqueueProbe(StorageProtection.Writes writes, StorageProtection.Deletes deletes) {
        enqueueProbe(writes, true, deletes);
    }

    /** As above; {@code copiesChecked}: whether copies and multipart completions are refused like PUTs. */
    private void enqueueProbe(StorageProtection.Writes writes, boolean copiesChecked, StorageProtection.Deletes deletes) {
        if (writes == StorageProtection.Writes.NONE) {
            upstream.enqueueProbe("", FakeUpstream.ok());               // If-Match PUT on a missing key accepted
            upstream.enqueueProbe("", FakeUpstream.status(204));        // the probe object deleted again
        } else {
            upstream.enqueueProbe("", FakeUpstream.status(412));        // If-Match PUT on a missing key refused
            upstream.enqueueProbe("-race", FakeUpstream.ok());          // the race object
            upstream.enqueueProbe("-race", FakeUpstream.ok());          // If-Match PUT on its own ETag accepted
            upstream.enqueueProbe("-race", FakeUpstream.ok());          // another writer replaces it
            upstream.enqueueProbe("-race", FakeUpstream.status(writes == StorageProtection.Writes.ATOMIC ? 412 : 200));
            upstream.enqueueProbe("-race", FakeUpstream.status(204));   // the race object deleted again
            enqueueCopyAndCompletionProbes(copiesChecked);
        }
        enqueueDeleteProbe(deletes);
    }

    private void enqueueDeleteProbe(StorageProtection.Deletes deletes) {
        upstream.enqueueProbe("-delete", FakeUpstream.status(switch (deletes) {
            case ENFORCED -> 412;
            case IGNORED -> 204;
            case REJECTED -> 501;
        }));
    }

    /** The copy and the multipart completion onto a missing key with If-Match: 7 requests if refused, else 8. */
    private void enqueueCopyAndCompletionProbes(boolean refused) {
        upstream.enqueueProbe("-source", FakeUpstream.ok());                    // the copy's source
        upstream.enqueueProbe("-copy", FakeUpstream.status(refused ? 412 : 200));   // the copy
        if (!refused) {
            upstream.enqueueProbe("-copy", FakeUpstream.status(204));           // its result deleted
        }
        upstream.enqueueProbe("-source", FakeUpstream.status(204));             // the source deleted
        upstream.enqueueProbe("-upload", FakeUpstream.full(200, Map.of(), ("<InitiateMultipartUploadResult><UploadId>u-1"
                + "</UploadId></InitiateMultipartUploadResult>").getBytes(StandardCharsets.UTF_8)));
        upstream.enqueueProbe("-upload", FakeUpstream.full(200, Map.of("ETag", "\"p1\""), new byte[0]));    // part 1
        upstream.enqueueProbe("-upload", FakeUpstream.status(refused ? 412 : 200));   // the completion
        upstream.enqueueProbe("-upload", FakeUpstream.status(204));             // aborted, or its result deleted
    }

    /** Takes the probe's requests from the record; returns them in the order they were complete. */
    private List<Received> takeProbe(StorageProtection.Writes writes) throws InterruptedException {
        return takeProbe(writes == StorageProtection.Writes.NONE ? 3 : 14);
    }

    private List<Received> takeProbe(int requests) throws InterruptedException {
        List<Received> probe = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            Received r = upstream.takeProbe();
            assertThat(r).as("probe request %d of %d", i + 1, requests).isNotNull();
            assertThat(r.requestLine()).contains("/bucket/.s3-lock-proxy/probe-");
            probe.add(r);
        }
        return probe;
    }

    /** The requests of {@code probe} on its object {@code part} ("" for its first, "-race", …), in order. */
    private static List<Received> part(List<Received> probe, String part) {
        return probe.stream().filter(r -> part.equals(FakeUpstream.probePart(r.requestLine()))).toList();
    }

    @Test
    void theProbeTellsAtomicFromRequestTimeConditionsAndCleansUp() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.AT_REQUEST, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(notFound());
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        List<Received> probe = takeProbe(StorageProtection.Writes.AT_REQUEST);
        assertThat(upstream.pollProbe(200)).as("no further probe request").isNull();
        assertThat(part(probe, "")).singleElement().satisfies(r -> assertThat(r.header("if-match")).isNotNull());
        List<Received> race = part(probe, "-race");
        assertThat(race).hasSize(5);
        Received base = race.get(0);
        assertThat(race.get(1).header("if-match")).as("the object's own ETag").isEqualTo("\"etag\"");
        Received between = race.get(2);
        Received held = race.get(3);
        assertThat(held.header("if-match")).isEqualTo("\"etag\"");
        assertThat(held.header("expect")).isEqualTo("100-continue");
        assertThat(held.requestLine()).isEqualTo(base.requestLine()).isEqualTo(between.requestLine());
        assertThat(held.arrivedNanos()).as("the race request ends after the other writer's").isGreaterThan(
                between.arrivedNanos());
        assertThat(between.headers()).doesNotContainKeys("if-match", "if-none-match");
        assertThat(between.body()).as("another body, so that the ETag changes").isNotEqualTo(base.body()).isNotEmpty();
        assertThat(race.get(4).requestLine()).startsWith("DELETE " + held.requestLine().split(" ")[1]);
        assertThat(held.arrivedNanos()).as("the race runs once the other questions are answered").isGreaterThan(
                part(probe, "-delete").get(0).arrivedNanos());
        List<Received> source = part(probe, "-source");
        String sourcePath = source.get(0).requestLine().split(" ")[1];
        Received copy = part(probe, "-copy").get(0);
        assertThat(copy.header("x-amz-copy-source")).isEqualTo(sourcePath);
        assertThat(copy.header("if-match")).isNotNull();
        assertThat(source.get(1).requestLine()).startsWith("DELETE " + sourcePath + " ");
        List<Received> upload = part(probe, "-upload");
        assertThat(upload.get(0).requestLine()).matches("POST /bucket/\\S+-upload\\?uploads HTTP/1.1");
        assertThat(upload.get(1).requestLine()).contains("partNumber=1&uploadId=u-1");
        Received completion = upload.get(2);
        assertThat(completion.requestLine()).matches("POST /bucket/\\S+-upload\\?uploadId=u-1 HTTP/1.1");
        assertThat(completion.header("if-match")).isNotNull();
        assertThat(new String(completion.body(), StandardCharsets.UTF_8)).contains("<ETag>\"p1\"</ETag>");
        assertThat(upload.get(3).requestLine()).as("the refused upload aborted")
                .startsWith("DELETE " + completion.requestLine().split(" ")[1]);
        assertThat(part(probe, "-delete")).singleElement().satisfies(r -> {
            assertThat(r.requestLine()).startsWith("DELETE ");
            assertThat(r.header("if-match")).isNotNull();
        });
        assertThat(proxy.storageProtection()).containsEntry("bucket", Map.of(
                "writes", "checked when the request starts, not at commit",
                "copies", "checked when the request starts, not at commit",
                "completes", "checked when the request starts, not at commit",
                "deletes", "enforced", "etags", "quoted"));
    }

    @Test
    void anUpstreamThatMatchesOnlyBareETagsIsFencedWithBareETags() throws Exception {
        int port = start("fenced");
        upstream.enqueueProbe("", FakeUpstream.status(412));        // If-Match PUT on a missing key refused
        upstream.enqueueProbe("-race", FakeUpstream.ok());          // the race object
        upstream.enqueueProbe("-race", FakeUpstream.status(412));   // its own ETag, quoted: refused (radosgw 16)
        upstream.enqueueProbe("-race", FakeUpstream.ok());          // its own ETag, bare: accepted
        upstream.enqueueProbe("-race", FakeUpstream.ok());          // another writer replaces it
        upstream.enqueueProbe("-race", FakeUpstream.status(412));   // the held-back write is refused
        upstream.enqueueProbe("-race", FakeUpstream.status(204));
        enqueueCopyAndCompletionProbes(false);                      // radosgw 16 copies and completes regardless
        enqueueDeleteProbe(StorageProtection.Deletes.IGNORED);
        upstream.enqueue(headAnswer("\"e1\""));
        upstream.enqueue(written("\"e2\""));
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of("If-Match", "\"e1\"")).status()).isEqualTo(200);
        }
        List<Received> race = part(takeProbe(8 + 8), "-race");
        assertThat(race.get(1).header("if-match")).isEqualTo("\"etag\"");
        assertThat(race.get(2).header("if-match")).isEqualTo("etag");
        assertThat(race.get(4).header("if-match")).as("the race carries the form that matched").isEqualTo("etag");
        assertThat(upstream.take().requestLine()).startsWith("HEAD ");
        assertThat(upstream.take().header("if-match")).as("the client's own condition, as the upstream matches it")
                .isEqualTo("e1");
        assertThat(proxy.storageProtection().get("bucket")).containsEntry("etags", "bare")
                .containsEntry("writes", "atomic at commit").containsEntry("copies", "not enforced")
                .containsEntry("completes", "not enforced");
    }

    @Test
    void anUpstreamThatRefusesEvenAnObjectsOwnETagIsNotFencedSoOverwritesStillLand() throws Exception {
        int port = start("fenced");
        upstream.enqueueProbe("", FakeUpstream.status(412));        // If-Match PUT on a missing key refused
        upstream.enqueueProbe("-race", FakeUpstream.ok());          // the race object
        upstream.enqueueProbe("-race", FakeUpstream.status(412));   // its own ETag, quoted: refused
        upstream.enqueueProbe("-race", FakeUpstream.status(412));   // and bare: refused
        upstream.enqueueProbe("-race", FakeUpstream.status(204));   // the race object deleted again
        enqueueCopyAndCompletionProbes(true);                       // asked alongside, but of no use unfenced
        enqueueDeleteProbe(StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(written("\"e2\""));
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        List<Received> race = part(takeProbe(1 + 4 + 7 + 1), "-race");
        assertThat(race).hasSize(4);
        assertThat(race.get(3).requestLine()).startsWith("DELETE " + race.get(0).requestLine().split(" ")[1]);
        Received write = upstream.take();
        assertThat(write.requestLine()).startsWith("PUT /bucket/counter.json ");
        assertThat(write.headers()).doesNotContainKeys("if-match", "if-none-match");
        assertThat(proxy.storageProtection().get("bucket")).containsEntry("writes", "not enforced")
                .containsEntry("copies", "not enforced").containsEntry("completes", "not enforced");
    }

    private static FakeUpstream.Answer versioned(int status, String etag, String versionId) {
        Map<String, String> headers = new HashMap<>(Map.of("x-amz-version-id", versionId, "Content-Length", "0"));
        if (etag != null) {
            headers.put("ETag", etag);
        }
        return FakeUpstream.full(status, headers, new byte[0]);
    }

    @Test
    void inABucketThatKeepsVersionsTheProbeRemovesEveryVersionAndDeleteMarkerItMade() throws Exception {
        int port = start("fenced");
        upstream.enqueueProbe("", FakeUpstream.status(412));                // If-Match PUT on a missing key refused
        upstream.enqueueProbe("-race", versioned(200, "\"etag\"", "v1"));   // the race object
        upstream.enqueueProbe("-race", versioned(200, "\"etag\"", "v2"));   // its own ETag accepted
        upstream.enqueueProbe("-race", versioned(200, "\"x\"", "v3"));      // another writer replaces it
        upstream.enqueueProbe("-race", FakeUpstream.status(412));           // the held-back write refused
        upstream.enqueueProbe("-race", versioned(204, null, "m1"));         // the race object deleted: a delete marker
        upstream.enqueueProbe("-source", versioned(200, "\"s\"", "v4"));    // the copy's source
        upstream.enqueueProbe("-copy", versioned(200, null, "v5"));         // the copy, condition ignored
        upstream.enqueueProbe("-copy", versioned(204, null, "m3"));         // the copy deleted
        upstream.enqueueProbe("-source", versioned(204, null, "m4"));       // the source deleted
        upstream.enqueueProbe("-upload", FakeUpstream.full(200, Map.of(), "<UploadId>u-2</UploadId>".getBytes(
                StandardCharsets.UTF_8)));
        upstream.enqueueProbe("-upload", FakeUpstream.full(200, Map.of("ETag", "\"p1\""), new byte[0]));
        upstream.enqueueProbe("-upload", versioned(200, null, "v6"));       // the completion, condition ignored
        upstream.enqueueProbe("-upload", versioned(204, null, "m5"));       // its object deleted
        upstream.enqueueProbe("-delete", versioned(204, null, "m2"));       // conditional delete ignored: another marker
        Map<String, Integer> removals = Map.of("-race", 4, "-source", 2, "-copy", 2, "-upload", 2, "-delete", 1);
        removals.forEach((part, n) -> {
            for (int i = 0; i < n; i++) {
                upstream.enqueueProbe(part, FakeUpstream.status(204));      // each removed by its version id
            }
        });
        upstream.enqueue(notFound());
        upstream.enqueue(written("\"e1\""));
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        List<Received> probe = takeProbe(26);
        Map<String, String> paths = new HashMap<>();
        removals.keySet().forEach(part -> paths.put(part, part(probe, part).get(0).requestLine().split("[ ?]")[1]));
        List<String> removed = probe.stream().filter(r -> r.requestLine().contains("?versionId="))
                .map(r -> r.requestLine().split(" ")[0] + " " + r.requestLine().split(" ")[1]).toList();
        assertThat(removed).containsExactlyInAnyOrder(
                "DELETE " + paths.get("-race") + "?versionId=v1", "DELETE " + paths.get("-race") + "?versionId=v2",
                "DELETE " + paths.get("-race") + "?versionId=v3", "DELETE " + paths.get("-race") + "?versionId=m1",
                "DELETE " + paths.get("-source") + "?versionId=v4", "DELETE " + paths.get("-copy") + "?versionId=v5",
                "DELETE " + paths.get("-copy") + "?versionId=m3", "DELETE " + paths.get("-source") + "?versionId=m4",
                "DELETE " + paths.get("-upload") + "?versionId=v6", "DELETE " + paths.get("-upload") + "?versionId=m5",
                "DELETE " + paths.get("-delete") + "?versionId=m2");
        long lastOtherRequest = probe.stream().filter(r -> !r.requestLine().contains("?versionId="))
                .mapToLong(Received::arrivedNanos).max().orElseThrow();
        assertThat(probe.stream().filter(r -> r.requestLine().contains("?versionId=")).mapToLong(Received::arrivedNanos))
                .as("versions go once every other request of the probe is done").allMatch(t -> t > lastOtherRequest);
        assertThat(upstream.take().requestLine()).startsWith("HEAD /bucket/counter.json ");
        assertThat(proxy.storageProtection().get("bucket")).containsEntry("writes", "atomic at commit")
                .containsEntry("deletes", "ignored");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aProbeVersionObjectLockRetainsKeepsItsDeleteMarkerSoThatItIsNotListed(boolean bypassAllowed) throws Exception {
        int port = start("fenced");
        upstream.enqueueProbe("", FakeUpstream.status(412));                // If-Match PUT on a missing key refused
        upstream.enqueueProbe("-race", versioned(200, "\"etag\"", "v1"));   // the race object
        upstream.enqueueProbe("-race", FakeUpstream.status(412));           // its own ETag, quoted: refused
        upstream.enqueueProbe("-race", FakeUpstream.status(412));           // and bare (radosgw 16 in a versioned bucket)
        upstream.enqueueProbe("-race", versioned(204, null, "m1"));         // the race object deleted: a delete marker
        enqueueCopyAndCompletionProbes(true);
        upstream.enqueueProbe("-delete", versioned(204, null, "m2"));       // conditional delete ignored: another marker
        upstream.enqueueProbe("-race", FakeUpstream.full(403, Map.of(), "<Error><Code>AccessDenied</Code></Error>"
                .getBytes(StandardCharsets.UTF_8)));                        // v1: retained by object lock
        upstream.enqueueProbe("-race", bypassAllowed ? FakeUpstream.status(204) : FakeUpstream.full(403, Map.of(),
                "<Error><Code>AccessDenied</Code></Error>".getBytes(StandardCharsets.UTF_8)));
        if (bypassAllowed) {
            upstream.enqueueProbe("-race", FakeUpstream.status(204));       // m1
        }
        upstream.enqueueProbe("-delete", FakeUpstream.status(204));         // m2
        upstream.enqueue(written("\"e1\""));
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        List<Received> probe = takeProbe(1 + 4 + 7 + 1 + (bypassAllowed ? 4 : 3));
        List<Received> race = part(probe, "-race");
        String raceKey = race.get(0).requestLine().split(" ")[1];
        String deleteKey = part(probe, "-delete").get(0).requestLine().split(" ")[1];
        assertThat(race.get(4).requestLine()).startsWith("DELETE " + raceKey + "?versionId=v1 ");
        assertThat(race.get(4).headers()).doesNotContainKey("x-amz-bypass-governance-retention");
        assertThat(race.get(5).requestLine()).startsWith("DELETE " + raceKey + "?versionId=v1 ");
        assertThat(race.get(5).header("x-amz-bypass-governance-retention")).isEqualTo("true");
        List<String> markers = probe.stream().map(r -> r.requestLine().split(" ")[1])
                .filter(path -> path.contains("?versionId=m")).toList();
        assertThat(markers).as("a retained version keeps the marker that hides it").containsExactlyInAnyOrderElementsOf(
                bypassAllowed ? List.of(raceKey + "?versionId=m1", deleteKey + "?versionId=m2")
                        : List.of(deleteKey + "?versionId=m2"));
        assertThat(upstream.take().requestLine()).startsWith("PUT /bucket/counter.json ");
    }

    @Test
    void aChangeOfTheBucketsConfigurationThroughTheProxyMakesTheNextWriteProbeAgain() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(notFound());
        upstream.enqueue(written("\"e1\""));
        upstream.enqueue(FakeUpstream.status(200));                 // PUT /bucket?versioning
        enqueueProbe(StorageProtection.Writes.NONE, StorageProtection.Deletes.IGNORED);
        upstream.enqueue(written("\"e2\""));
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
            byte[] enabled = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
                    .getBytes(StandardCharsets.UTF_8);
            assertThat(client.exchange("PUT", "/bucket?versioning", enabled).status()).isEqualTo(200);
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        assertThat(upstream.take().requestLine()).startsWith("HEAD ");
        assertThat(upstream.take().header("if-none-match")).isEqualTo("*");
        assertThat(upstream.take().requestLine()).startsWith("PUT /bucket?versioning");
        takeProbe(14 + 3);
        assertThat(upstream.pollProbe(200)).as("two probes in all").isNull();
        Received write = upstream.take();
        assertThat(write.requestLine()).startsWith("PUT /bucket/counter.json ");
        assertThat(write.headers()).doesNotContainKeys("if-match", "if-none-match");
        assertThat(proxy.storageProtection().get("bucket")).containsEntry("writes", "not enforced");
    }

    @Test
    void aProbeOvertakenByAChangeOfTheBucketIsNotKeptAndItsWriteWaitsForAProbeAfterTheChange() throws Exception {
        int port = start("fenced");
        upstream.enqueueProbe("", FakeUpstream.delayed(1500, FakeUpstream.status(412))); // probe 1: If-Match on a missing key
        try (TestClient writer = new TestClient(port); TestClient admin = new TestClient(port)) {
            CompletableFuture<Response> write = CompletableFuture.supplyAsync(() -> {
                try {
                    return put(writer, Map.of());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(upstream.takeHead()).contains("/bucket/.s3-lock-proxy/probe-");
            Thread.sleep(200); // the probe's connection has taken its (delayed) answer
            upstream.enqueue(FakeUpstream.status(200));                                 // PUT /bucket?versioning
            byte[] enabled = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
                    .getBytes(StandardCharsets.UTF_8);
            assertThat(admin.exchange("PUT", "/bucket?versioning", enabled).status()).isEqualTo(200);
            upstream.enqueueProbe("-race", FakeUpstream.ok());          // probe 1 goes on: the race object
            upstream.enqueueProbe("-race", FakeUpstream.ok());          // If-Match on its own ETag accepted
            upstream.enqueueProbe("-race", FakeUpstream.ok());          // replaced
            upstream.enqueueProbe("-race", FakeUpstream.status(412));   // atomic, as before the change
            upstream.enqueueProbe("-race", FakeUpstream.status(204));
            enqueueCopyAndCompletionProbes(true);
            enqueueDeleteProbe(StorageProtection.Deletes.ENFORCED);
            enqueueProbe(StorageProtection.Writes.NONE, StorageProtection.Deletes.IGNORED); // probe 2, after the change
            upstream.enqueue(written("\"e2\""));
            assertThat(write.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        List<Received> seen = new ArrayList<>();
        for (Received r = upstream.poll(1000); r != null; r = upstream.poll(300)) {
            seen.add(r);
        }
        assertThat(seen).as("the change, then the write").hasSize(2);
        Received last = seen.get(1);
        assertThat(last.requestLine()).startsWith("PUT /bucket/counter.json ");
        assertThat(last.headers()).as("fenced by what the probe after the change found: nothing")
                .doesNotContainKeys("if-match", "if-none-match");
        takeProbe(1 + 13 + 3);
        assertThat(upstream.pollProbe(200)).as("two probes in all").isNull();
        assertThat(proxy.storageProtection().get("bucket")).containsEntry("writes", "not enforced");
    }

    private static FakeUpstream.Answer written(String etag) {
        return FakeUpstream.full(200, Map.of("ETag", etag, "Content-Length", "0"), new byte[0]);
    }

    @Test
    void fencedModeAddsTheConditionSeenUnderTheLockAndTurnsItsRejectionInto503() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(headAnswer("\"e1\""));                                             // HEAD: exists
        upstream.enqueue(FakeUpstream.status(412));                                         // fence refuses
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of());
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("<Code>SlowDown</Code>");
            assertThat(r.header("retry-after")).isNotNull();
        }
        takeProbe(StorageProtection.Writes.ATOMIC);
        assertThat(upstream.take().requestLine()).startsWith("HEAD /bucket/counter.json ");
        assertThat(upstream.take().header("if-match")).isEqualTo("\"e1\"");
        assertThat(proxy.fenceRejections()).isEqualTo(1);
    }

    @Test
    void theNextWriteOfAKeyIsFencedOnWhatTheLastOneLeftWithoutReadingTheObject() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(notFound());
        upstream.enqueue(written("\"e1\""));
        upstream.enqueue(written("\"e2\""));
        upstream.enqueue(written("\"e3\""));
        try (TestClient client = new TestClient(port)) {
            for (int i = 0; i < 3; i++) {
                assertThat(put(client, Map.of()).status()).isEqualTo(200);
            }
        }
        takeProbe(StorageProtection.Writes.ATOMIC);
        assertThat(upstream.take().requestLine()).startsWith("HEAD ");
        assertThat(upstream.take().header("if-none-match")).isEqualTo("*");
        Received second = upstream.take();
        assertThat(second.requestLine()).startsWith("PUT ");
        assertThat(second.header("if-match")).isEqualTo("\"e1\"");
        Received third = upstream.take();
        assertThat(third.requestLine()).startsWith("PUT ");
        assertThat(third.header("if-match")).isEqualTo("\"e2\"");
    }

    @Test
    void aRememberedStateTheStorageRefusesIs503AndForgottenSoTheRetryReadsTheObject() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(notFound());
        upstream.enqueue(written("\"e1\""));
        upstream.enqueue(FakeUpstream.status(412));     // a writer bypassing the proxy changed the object
        upstream.enqueue(headAnswer("\"outside\""));    // the refusal checked: the object did change
        upstream.enqueue(headAnswer("\"outside\""));
        upstream.enqueue(written("\"e2\""));
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
            Response refused = put(client, Map.of());
            assertThat(refused.status()).as("retryable: nothing was written").isEqualTo(503);
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        takeProbe(StorageProtection.Writes.ATOMIC);
        upstream.take();
        upstream.take();
        assertThat(upstream.take().header("if-match")).as("the remembered ETag").isEqualTo("\"e1\"");
        assertThat(upstream.take().requestLine()).as("the refusal checked").startsWith("HEAD ");
        assertThat(upstream.take().requestLine()).as("the retry reads the object").startsWith("HEAD ");
        assertThat(upstream.take().header("if-match")).isEqualTo("\"outside\"");
        assertThat(proxy.storageProtection().get("bucket")).as("still fenced").containsEntry("writes", "atomic at commit");
    }

    /** Fenced mode and a bucket found atomic; a write of a new key is to be refused its If-None-Match: * although the key stays missing. */
    private int startWithARefusalOfACreationOfAKeyStillMissing() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(notFound());                   // HEAD under the lock: no object
        upstream.enqueue(FakeUpstream.status(412));     // yet If-None-Match: * is refused
        upstream.enqueue(notFound());                   // the refusal checked: still no object
        return port;
    }

    /** The write of {@link #startWithARefusalOfACreationOfAKeyStillMissing}, the bucket's first probe and the one it starts. */
    private void refusedThenFencedAgainByTheProbe(TestClient client) throws Exception {
        assertThat(put(client, Map.of()).status()).as("nothing was written: retryable").isEqualTo(503);
        takeProbe(StorageProtection.Writes.ATOMIC);
        takeProbe(StorageProtection.Writes.ATOMIC);
        awaitProtection("writes", "atomic at commit");
    }

    @Test
    void anIfNoneMatchRefusedOnAKeyStillMissingProbesTheBucketAgainAndAnotherWritersCreateAndDeleteLeavesItFenced()
            throws Exception {
        int port = startWithARefusalOfACreationOfAKeyStillMissing();   // another writer created the key and deleted it
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);   // the probe at once
        upstream.enqueue(notFound());
        upstream.enqueue(written("\"e1\""));
        try (TestClient client = new TestClient(port)) {
            refusedThenFencedAgainByTheProbe(client);
            assertThat(put(client, Map.of()).status()).as("the retry").isEqualTo(200);
        }
        assertThat(methodsAndIfNoneMatch()).as("the retry is fenced again")
                .containsExactly("HEAD -", "PUT *", "HEAD -", "HEAD -", "PUT *");
    }

    @Test
    void anUpstreamThatRefusesIfNoneMatchOverADeleteMarkerIsUnfencedByTheSecondRefusalWithinTheMinuteSoTheNextRetryLands()
            throws Exception {
        int port = startWithARefusalOfACreationOfAKeyStillMissing();   // radosgw 16, suspended versioning, a delete marker
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);   // the probe at once: fenced again
        upstream.enqueue(notFound());
        upstream.enqueue(FakeUpstream.status(412));     // refused again
        upstream.enqueue(notFound());
        upstream.enqueue(written("\"e1\""));
        try (TestClient client = new TestClient(port)) {
            refusedThenFencedAgainByTheProbe(client);
            assertThat(put(client, Map.of()).status()).as("the first retry, fenced and refused again").isEqualTo(503);
            awaitProtection("writes", "not enforced");
            assertThat(put(client, Map.of()).status()).as("the second retry").isEqualTo(200);
        }
        assertThat(methodsAndIfNoneMatch()).as("no probe within the minute; the second retry lands unfenced")
                .containsExactly("HEAD -", "PUT *", "HEAD -", "HEAD -", "PUT *", "HEAD -", "PUT -");
        assertThat(upstream.pollProbe(300)).as("no third probe").isNull();
    }

    /**
     * Fenced mode and a bucket found atomic; the first write (of e1) is to be accepted, the second
     * (If-Match e1) refused although a read then still shows e1. Returns the proxy's port.
     */
    private int startWithARefusalOfTheETagTheObjectStillShows() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(notFound());
        upstream.enqueue(written("\"e1\""));
        upstream.enqueue(FakeUpstream.status(412));
        upstream.enqueue(headAnswer("\"e1\""));
        return port;
    }

    /** The two writes of {@link #startWithARefusalOfTheETagTheObjectStillShows}, and the bucket's first probe. */
    private void writeThenBeRefused(TestClient client) throws Exception {
        assertThat(put(client, Map.of()).status()).isEqualTo(200);
        assertThat(put(client, Map.of()).status()).as("nothing was written: retryable").isEqualTo(503);
        takeProbe(StorageProtection.Writes.ATOMIC);
    }

    @Test
    void anIfMatchRefusedOnTheETagTheObjectStillShowsProbesTheBucketAgainAndAnotherWritersRoundTripLeavesItFenced()
            throws Exception {
        int port = startWithARefusalOfTheETagTheObjectStillShows();   // another writer changed the object and back
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);   // the probe at once
        upstream.enqueue(headAnswer("\"e1\""));
        upstream.enqueue(written("\"e2\""));
        try (TestClient client = new TestClient(port)) {
            writeThenBeRefused(client);
            takeProbe(StorageProtection.Writes.ATOMIC);
            awaitProtection("writes", "atomic at commit");
            assertThat(put(client, Map.of()).status()).as("the retry").isEqualTo(200);
        }
        assertThat(methodsAndIfMatch()).as("the retry is fenced again")
                .containsExactly("HEAD -", "PUT -", "PUT \"e1\"", "HEAD -", "HEAD -", "PUT \"e1\"");
    }

    @Test
    void anIfMatchRefusedOnTheETagTheObjectStillShowsProbesTheBucketAgainAndVersioningTurnedOnOutsideUnfencesIt()
            throws Exception {
        int port = startWithARefusalOfTheETagTheObjectStillShows();   // radosgw 16 once the bucket keeps versions
        upstream.enqueueProbe("", FakeUpstream.status(412));        // the probe at once: an If-Match on a missing key refused
        upstream.enqueueProbe("-race", FakeUpstream.ok());
        upstream.enqueueProbe("-race", FakeUpstream.status(412));   // but so is the object's own ETag, quoted
        upstream.enqueueProbe("-race", FakeUpstream.status(412));   // and bare
        upstream.enqueueProbe("-race", FakeUpstream.status(204));
        enqueueCopyAndCompletionProbes(true);
        enqueueDeleteProbe(StorageProtection.Deletes.IGNORED);         // (only this probe's answer says so)
        upstream.enqueue(written("\"e2\""));
        try (TestClient client = new TestClient(port)) {
            writeThenBeRefused(client);
            takeProbe(1 + 4 + 7 + 1);
            awaitProtection("deletes", "ignored");
            assertThat(put(client, Map.of()).status()).as("the retry").isEqualTo(200);
        }
        assertThat(methodsAndIfMatch()).as("the retry lands unfenced")
                .containsExactly("HEAD -", "PUT -", "PUT \"e1\"", "HEAD -", "PUT -");
        assertThat(proxy.storageProtection().get("bucket")).containsEntry("writes", "not enforced");
    }

    /** Waits until what is known of the bucket's {@code aspect} ("writes", "deletes", …) reads {@code expected}. */
    private void awaitProtection(String aspect, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!expected.equals(proxy.storageProtection().get("bucket").get(aspect)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(proxy.storageProtection().get("bucket")).containsEntry(aspect, expected);
    }

    /** The requests the upstream got from here on, probes left out, as "METHOD If-None-Match" ("-" for none). */
    private List<String> methodsAndIfNoneMatch() throws InterruptedException {
        List<String> lines = new ArrayList<>();
        for (Received r = upstream.poll(500); r != null; r = upstream.poll(500)) {
            String condition = r.header("if-none-match");
            lines.add(r.requestLine().split(" ")[0] + " " + (condition == null ? "-" : condition));
        }
        return lines;
    }

    /** The requests the upstream got from here on, probes left out, as "METHOD If-Match" ("-" for none). */
    private List<String> methodsAndIfMatch() throws InterruptedException {
        List<String> lines = new ArrayList<>();
        for (Received r = upstream.poll(500); r != null; r = upstream.poll(500)) {
            lines.add(r.requestLine().split(" ")[0] + " " + (r.header("if-match") == null ? "-" : r.header("if-match")));
        }
        return lines;
    }

    @Test
    void withSharedLocksTheMemoryServesOnlyWhenRedisSaysNoOtherInstanceTookTheKeySince() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Map<String, String> shared = Map.of("S3LP_LOCK_REDIS", redis.uri().toString());
            int first = start("fenced", shared);
            ProxyServer other = ProxyServer.start(TestEnvironment.config(upstream.endpoint(),
                    Map.of("S3LP_LOCK_MODE", "fenced", "S3LP_LOCK_REDIS", redis.uri().toString())));
            try {
                enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
                upstream.enqueue(notFound());
                upstream.enqueue(written("\"e1\""));
                try (TestClient client = new TestClient(first)) {
                    assertThat(put(client, Map.of()).status()).isEqualTo(200);
                }
                takeProbe(StorageProtection.Writes.ATOMIC); // all of it, clean-up included, before the other's probe
                enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
                upstream.enqueue(headAnswer("\"e1\""));
                upstream.enqueue(written("\"e2\""));
                try (TestClient client = new TestClient(other.port())) {
                    assertThat(put(client, Map.of()).status()).isEqualTo(200);
                }
                upstream.enqueue(headAnswer("\"e2\""));
                upstream.enqueue(written("\"e3\""));
                upstream.enqueue(written("\"e4\""));
                try (TestClient client = new TestClient(first)) {
                    assertThat(put(client, Map.of()).status()).isEqualTo(200);
                    assertThat(put(client, Map.of()).status()).isEqualTo(200);
                }
            } finally {
                other.close();
            }
        }
        assertThat(methodsAndIfMatch()).as("the first instance reads again after the other one wrote, then relies on its own write")
                .containsExactly("HEAD -", "PUT -", "HEAD -", "PUT \"e1\"", "HEAD -", "PUT \"e2\"", "PUT \"e3\"");
    }

    @Test
    void aWriteWithItsOwnConditionOrAfterAnotherOperationStillReadsTheObject() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(notFound());
        upstream.enqueue(written("\"e1\""));
        upstream.enqueue(headAnswer("\"e1\""));        // the client's If-Match is checked on a fresh read
        upstream.enqueue(written("\"e2\""));
        upstream.enqueue(FakeUpstream.status(200));     // PutObjectTagging: no ETag, the memory is dropped
        upstream.enqueue(headAnswer("\"e2\""));
        upstream.enqueue(written("\"e3\""));
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
            assertThat(put(client, Map.of("If-Match", "\"e1\"")).status()).isEqualTo(200);
            byte[] tags = "<Tagging><TagSet/></Tagging>".getBytes(StandardCharsets.UTF_8);
            assertThat(client.exchange("PUT", "/bucket/counter.json?tagging=", tags).status()).isEqualTo(200);
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        takeProbe(StorageProtection.Writes.ATOMIC);
        assertThat(methodsAndIfMatch()).containsExactly("HEAD -", "PUT -", "HEAD -", "PUT \"e1\"", "PUT -", "HEAD -", "PUT \"e2\"");
    }

    @Test
    void aClientsOwnConditionIsCombinedWithTheFenceAndItsFailureStaysA412() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(headAnswer("\"e1\""));
        upstream.enqueue(FakeUpstream.status(412)); // someone bypassing the proxy changed it meanwhile
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of("If-Match", "e1"));
            assertThat(r.status()).as("the client's own condition failed at the storage").isEqualTo(412);
        }
        takeProbe(StorageProtection.Writes.ATOMIC);
        upstream.take();
        Received write = upstream.take();
        assertThat(write.header("if-match")).isEqualTo("\"e1\"");
        assertThat(proxy.fenceRejections()).isZero();
    }

    @Test
    void aCopySourceConditionsFailureIsRelayedAs412WhileTheLockWasKept() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(notFound());
        upstream.enqueue(FakeUpstream.full(412, Map.of(), "<Error><Code>PreconditionFailed</Code></Error>".getBytes(
                StandardCharsets.UTF_8)));
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/copy.json", Map.of("x-amz-copy-source", "/bucket/src",
                    "x-amz-copy-source-if-match", "\"nope\"", "Content-Length", "0"), new byte[0], Map.of()));
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(412);
            assertThat(r.bodyText()).contains("PreconditionFailed");
        }
        assertThat(proxy.fenceRejections()).isZero();
    }

    @Test
    void aRefusalOfTheHeadUnderTheLockIsRelayedNotMadeRetryable() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(FakeUpstream.status(403));
        upstream.enqueue(FakeUpstream.status(400));
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of());
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.bodyText()).contains("<Code>AccessDenied</Code>");
        }
        try (TestClient client = new TestClient(port)) {
            Map<String, String> sseC = Map.of("x-amz-server-side-encryption-customer-algorithm", "AES256",
                    "x-amz-server-side-encryption-customer-key", "a2V5", "x-amz-server-side-encryption-customer-key-MD5",
                    "bWQ1");
            Response r = put(client, sseC);
            assertThat(r.status()).isEqualTo(400);
        }
        takeProbe(StorageProtection.Writes.ATOMIC);
        assertThat(upstream.take().requestLine()).startsWith("HEAD ");
        Received secondHead = upstream.take();
        assertThat(secondHead.header("x-amz-server-side-encryption-customer-algorithm")).isEqualTo("AES256");
        assertThat(secondHead.header("x-amz-server-side-encryption-customer-key-md5")).isEqualTo("bWQ1");
        assertThat(upstream.poll(300)).as("no write went up").isNull();
    }

    @Test
    void anInterimResponseIsSkippedAndTheFinalOneRelayed() throws Exception {
        int port = start("serialize");
        upstream.enqueue(FakeUpstream.interimThen(FakeUpstream.ok()));
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("etag")).isEqualTo("\"etag\"");
        }
    }

    @Test
    void conditionalDeletesAreCheckedUnderTheLock() throws Exception {
        int port = start("serialize");
        enqueueProbe(StorageProtection.Writes.NONE, StorageProtection.Deletes.REJECTED);
        upstream.enqueue(headAnswer("\"e1\""));                // If-Match on another ETag
        upstream.enqueue(notFound());                           // If-Match on a missing key
        upstream.enqueue(headAnswer("\"e1\""));                // If-Match on the current ETag
        upstream.enqueue(FakeUpstream.status(204));
        try (TestClient client = new TestClient(port)) {
            Response mismatch = client.exchange("DELETE", "/bucket/counter.json", new byte[0], Map.of("If-Match", "\"e0\""));
            assertThat(mismatch.status()).isEqualTo(412);
            Response missing = client.exchange("DELETE", "/bucket/counter.json", new byte[0], Map.of("If-Match", "*"));
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.bodyText()).contains("<Code>NoSuchKey</Code>");
            Response match = client.exchange("DELETE", "/bucket/counter.json", new byte[0], Map.of("If-Match", "\"e1\""));
            assertThat(match.status()).isEqualTo(204);
        }
        takeProbe(StorageProtection.Writes.NONE);
        upstream.take();
        upstream.take();
        upstream.take();
        Received delete = upstream.take();
        assertThat(delete.requestLine()).startsWith("DELETE /bucket/counter.json ");
        assertThat(delete.headers()).as("this upstream refuses If-Match on DELETE: checked here, not forwarded")
                .doesNotContainKey("if-match");
    }

    private static String md5(byte[] body) throws Exception {
        return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("MD5").digest(body));
    }

    @Test
    void deleteObjectsETagsAreCheckedUnderTheLocksAndTheFailedOnesAnsweredByTheProxy() throws Exception {
        int port = start("serialize");
        enqueueProbe(StorageProtection.Writes.NONE, StorageProtection.Deletes.IGNORED);
        upstream.enqueueFor("/bucket/a", headAnswer("\"ea\""));     // a: its ETag matches
        upstream.enqueueFor("/bucket/b", headAnswer("\"eb2\""));    // b: changed since the client read it
        upstream.enqueue(FakeUpstream.full(200, Map.of(), ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult>"
                + "<Deleted><Key>a</Key></Deleted><Deleted><Key>c&amp;d</Key></Deleted></DeleteResult>").getBytes(
                StandardCharsets.UTF_8)));
        byte[] body = ("<Delete><Object><Key>a</Key><ETag>\"ea\"</ETag></Object><Object><Key>b</Key><ETag>eb</ETag>"
                + "</Object><Object><Key>c&amp;d</Key></Object></Delete>").getBytes(StandardCharsets.UTF_8);
        try (TestClient client = new TestClient(port)) {
            Response r = client.exchange("POST", "/bucket?delete", body, Map.of("Content-MD5", md5(body)));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).contains("<Deleted><Key>a</Key></Deleted>").contains("<Key>c&amp;d</Key>")
                    .contains("<Error><Key>b</Key><Code>PreconditionFailed</Code>").endsWith("</DeleteResult>");
        }
        takeProbe(StorageProtection.Writes.NONE);
        List<String> heads = List.of(upstream.take().requestLine(), upstream.take().requestLine());
        assertThat(heads).anyMatch(l -> l.startsWith("HEAD /bucket/a ")).anyMatch(l -> l.startsWith("HEAD /bucket/b "));
        Received delete = upstream.take();
        String sent = new String(delete.body(), StandardCharsets.UTF_8);
        assertThat(sent).contains("<Key>a</Key>").contains("<Key>c&amp;d</Key>").doesNotContain("<Key>b</Key>")
                .doesNotContain("ETag");
        assertThat(delete.header("content-md5")).isEqualTo(md5(delete.body()));
    }

    @Test
    void deleteObjectsWhoseEveryConditionFailsIsAnsweredWithoutTheUpstream() throws Exception {
        int port = start("serialize");
        enqueueProbe(StorageProtection.Writes.NONE, StorageProtection.Deletes.IGNORED);
        upstream.enqueue(notFound());
        byte[] body = "<Delete><Quiet>true</Quiet><Object><Key>gone</Key><ETag>\"e\"</ETag></Object></Delete>"
                .getBytes(StandardCharsets.UTF_8);
        try (TestClient client = new TestClient(port)) {
            Response r = client.exchange("POST", "/bucket?delete", body, Map.of("Content-MD5", md5(body)));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).contains("<Error><Key>gone</Key><Code>NoSuchKey</Code>");
        }
        takeProbe(StorageProtection.Writes.NONE);
        assertThat(upstream.take().requestLine()).startsWith("HEAD /bucket/gone ");
        assertThat(upstream.poll(300)).as("nothing left to delete upstream").isNull();
    }

    @Test
    void deleteObjectsWithABadContentMd5IsRefusedWhenTheProxyRewritesTheBody() throws Exception {
        int port = start("serialize");
        enqueueProbe(StorageProtection.Writes.NONE, StorageProtection.Deletes.IGNORED);
        upstream.enqueue(headAnswer("\"e\""));
        byte[] body = "<Delete><Object><Key>k</Key><ETag>\"e\"</ETag></Object></Delete>".getBytes(StandardCharsets.UTF_8);
        try (TestClient client = new TestClient(port)) {
            Response r = client.exchange("POST", "/bucket?delete", body, Map.of("Content-MD5", md5("other".getBytes())));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("<Code>BadDigest</Code>");
        }
    }

    @Test
    void fencedDeletesCarryTheETagSeenUnderTheLockWhereTheUpstreamEnforcesThem() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.ENFORCED);
        upstream.enqueue(headAnswer("\"e7\""));
        upstream.enqueue(FakeUpstream.status(204));
        try (TestClient client = new TestClient(port)) {
            assertThat(client.exchange("DELETE", "/bucket/counter.json", new byte[0]).status()).isEqualTo(204);
        }
        takeProbe(StorageProtection.Writes.ATOMIC);
        upstream.take();
        assertThat(upstream.take().header("if-match")).isEqualTo("\"e7\"");
    }

    @Test
    void fencedModeIsRefusedForABucketWhoseUpstreamIgnoresConditions() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.NONE, StorageProtection.Deletes.IGNORED);
        upstream.enqueue(FakeUpstream.ok()); // the write, without an added condition
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        List<Received> first = part(takeProbe(StorageProtection.Writes.NONE), "");
        assertThat(first.get(1).requestLine()).isEqualTo("DELETE " + first.get(0).requestLine().split(" ")[1]
                + " HTTP/1.1");
        Received write = upstream.take();
        assertThat(write.requestLine()).startsWith("PUT /bucket/counter.json ");
        assertThat(write.headers()).doesNotContainKeys("if-match", "if-none-match");
    }

    @Test
    void aProbeAnsweredNoSuchBucketLeavesNothingKnownToShow() throws Exception {
        int port = start("fenced");
        upstream.enqueueProbe("", FakeUpstream.full(404, Map.of(), "<Error><Code>NoSuchBucket</Code></Error>".getBytes(
                StandardCharsets.UTF_8)));                                  // the probe's first PUT
        upstream.enqueue(FakeUpstream.full(404, Map.of(), "<Error><Code>NoSuchBucket</Code></Error>".getBytes(
                StandardCharsets.UTF_8)));                                  // the write itself
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(404);
        }
        assertThat(proxy.storageProtection()).isEmpty();
    }

    @Test
    void withRedisDownInConditionalModeAWriteIsFencedByTheStorageAndAnUnfenceableDeleteIsRefused() throws Exception {
        // Port 1 refuses connections: the configured Redis is unreachable.
        int port = start("serialize", Map.of("S3LP_LOCK_REDIS", "redis://127.0.0.1:1", "S3LP_LOCK_ONREDISDOWN", "conditional"));
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.IGNORED);
        upstream.enqueue(notFound());                                                       // HEAD
        upstream.enqueue(FakeUpstream.ok());                                                // the write
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
            Response delete = client.exchange("DELETE", "/bucket/counter.json", new byte[0]);
            assertThat(delete.status()).isEqualTo(503);
            assertThat(delete.bodyText()).contains("<Code>SlowDown</Code>");
        }
        takeProbe(StorageProtection.Writes.ATOMIC);
        upstream.take();
        assertThat(upstream.take().header("if-none-match")).isEqualTo("*");
        assertThat(upstream.poll(300)).isNull();
    }

    private static Response copy(TestClient client, String target) throws Exception {
        client.send(client.signedHead("PUT", target, Map.of("x-amz-copy-source", "/bucket/src", "Content-Length", "0"),
                new byte[0], Map.of()));
        return client.read(false);
    }

    @Test
    void whereTheUpstreamCopiesRegardlessOfConditionsACopyGoesUnfencedAndAPutStaysFenced() throws Exception {
        int port = start("fenced");
        enqueueProbe(StorageProtection.Writes.ATOMIC, false, StorageProtection.Deletes.IGNORED);
        upstream.enqueue(FakeUpstream.ok());                                                // the copy
        upstream.enqueue(notFound());                                                       // HEAD under the PUT's lock
        upstream.enqueue(FakeUpstream.ok());                                                // the PUT
        try (TestClient client = new TestClient(port)) {
            assertThat(copy(client, "/bucket/copy.json").status()).isEqualTo(200);
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        takeProbe(14 + 1); // one more: the copy made by the probe deleted again
        Received copied = upstream.take();
        assertThat(copied.requestLine()).as("no HEAD for a fence the upstream would ignore").startsWith("PUT /bucket/copy.json ");
        assertThat(copied.headers()).doesNotContainKeys("if-match", "if-none-match");
        assertThat(upstream.take().requestLine()).startsWith("HEAD /bucket/counter.json ");
        assertThat(upstream.take().header("if-none-match")).isEqualTo("*");
        assertThat(proxy.storageProtection().get("bucket")).containsEntry("copies", "not enforced")
                .containsEntry("completes", "not enforced").containsEntry("writes", "atomic at commit");
    }

    @Test
    void withRedisDownInConditionalModeACopyTheUpstreamWouldNotFenceIsRefusedAndNothingReachesIt() throws Exception {
        int port = start("serialize", Map.of("S3LP_LOCK_REDIS", "redis://127.0.0.1:1", "S3LP_LOCK_ONREDISDOWN", "conditional"));
        enqueueProbe(StorageProtection.Writes.ATOMIC, false, StorageProtection.Deletes.IGNORED);
        try (TestClient client = new TestClient(port)) {
            Response r = copy(client, "/bucket/copy.json");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("<Code>SlowDown</Code>");
        }
        takeProbe(14 + 1); // one more: the copy made by the probe deleted again
        assertThat(upstream.poll(300)).isNull();
    }

    @Test
    void withRedisDownInConditionalModeACopyTheUpstreamFencesIsFenced() throws Exception {
        int port = start("serialize", Map.of("S3LP_LOCK_REDIS", "redis://127.0.0.1:1", "S3LP_LOCK_ONREDISDOWN", "conditional"));
        enqueueProbe(StorageProtection.Writes.ATOMIC, StorageProtection.Deletes.IGNORED);
        upstream.enqueue(headAnswer("\"e1\""));                                             // HEAD
        upstream.enqueue(FakeUpstream.ok());                                                // the copy
        try (TestClient client = new TestClient(port)) {
            assertThat(copy(client, "/bucket/copy.json").status()).isEqualTo(200);
        }
        takeProbe(StorageProtection.Writes.ATOMIC);
        assertThat(upstream.take().requestLine()).startsWith("HEAD /bucket/copy.json ");
        assertThat(upstream.take().header("if-match")).isEqualTo("\"e1\"");
    }

    @Test
    void withRedisDownInFailModeAWriteIs503AndNothingReachesTheUpstream() throws Exception {
        int port = start("serialize", Map.of("S3LP_LOCK_REDIS", "redis://127.0.0.1:1"));
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of());
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("<Code>SlowDown</Code>");
        }
        assertThat(upstream.poll(300)).isNull();
    }
}
