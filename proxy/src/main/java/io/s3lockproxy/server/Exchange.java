package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.s3lockproxy.lock.LockKey;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Operation;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.upstream.AwsChunkedEncoder;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.ResponseListener;
import io.s3lockproxy.upstream.UpstreamConnection;
import io.s3lockproxy.upstream.UpstreamError;
import io.s3lockproxy.upstream.UpstreamException;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request on its way through the proxy. The path, in order:
 * <ol>
 *   <li>{@link #start admit}: parse, authenticate, authorize, plan ({@link Admission});</li>
 *   <li>{@link #collectKeys collect keys}: a DeleteObjects body names the keys it locks, and a
 *       browser form ({@link #collectForm}) its key and signature before the file;</li>
 *   <li>{@link #lock lock}: key locks, settle period, conditions under the lock ({@link LockedWrite});</li>
 *   <li>{@link #connect connect}: a pooled upstream connection on this event loop, the re-signed head;</li>
 *   <li>{@link #relayBody relay the body}, the newest bytes held back until every check passed;</li>
 *   <li>{@link #commit commit}: the end of the request goes upstream only after the locks were
 *       confirmed and are certainly held for the commit margin, in the same event-loop task;</li>
 *   <li>{@link #onResponseHead relay the response}, or answer for it when the upstream does not;</li>
 *   <li>{@link #end end}: release the locks — at once, or after the settle period when the outcome
 *       is unknown — exactly once, on every path.</li>
 * </ol>
 *
 * <p>States and their transitions (each asserted, on this exchange's event loop):
 * <pre>
 * RECEIVED          → COLLECTING_KEYS | LOCKING | CONNECTING | DONE
 * COLLECTING_KEYS   → LOCKING | DONE
 * LOCKING           → CONNECTING | DONE
 * CONNECTING        → SENDING_BODY | COMMITTING | DONE
 * SENDING_BODY      → COMMITTING | RELAYING_RESPONSE (answered early) | DONE
 * COMMITTING        → AWAITING_RESPONSE | RELAYING_RESPONSE (answered early) | DONE
 * AWAITING_RESPONSE → RELAYING_RESPONSE | DONE
 * RELAYING_RESPONSE → DONE
 * </pre>
 * Until the end of the request has gone upstream nothing can have been committed, so every
 * failure there is answered as such. From then on a write is in doubt until the upstream answers:
 * neither a lost lease nor a vanished client releases it early, and an upstream that never
 * answers makes the outcome unknown — said so to the client, and settled before the key is free.
 *
 * <p>Everything happens on the client channel's event loop (lock completions hop back to it, and
 * the upstream connection is taken from that loop's pool), so no field needs synchronization.
 * Both channels have autoRead off: the next body piece is read only while the other socket is
 * writable, so at most a high-water mark plus one piece is buffered per direction.
 */
final class Exchange implements ResponseListener {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    /**
     * The largest end of a locked write sent whole with its head at the commit point: well below the
     * send buffer of an idle connection (16 KiB to start with on Linux, tcp_wmem); a larger end
     * leaves all but its last byte first.
     */
    private static final int WHOLE_SMALL_WRITE_BYTES = 8 * 1024;

    enum State {
        RECEIVED, COLLECTING_KEYS, LOCKING, CONNECTING, SENDING_BODY, COMMITTING, AWAITING_RESPONSE,
        RELAYING_RESPONSE, DONE;

        boolean mayMoveTo(State next) {
            return next == DONE || switch (this) {
                case RECEIVED -> next == COLLECTING_KEYS || next == LOCKING || next == CONNECTING;
                case COLLECTING_KEYS -> next == LOCKING;
                case LOCKING -> next == CONNECTING;
                case CONNECTING -> next == SENDING_BODY || next == COMMITTING;
                case SENDING_BODY -> next == COMMITTING || next == RELAYING_RESPONSE;
                case COMMITTING -> next == AWAITING_RESPONSE || next == RELAYING_RESPONSE;
                case AWAITING_RESPONSE -> next == RELAYING_RESPONSE;
                case RELAYING_RESPONSE, DONE -> false;
            };
        }
    }

    private final ChannelHandlerContext ctx;
    private final ExchangeServices services;
    private final HttpRequest head;
    private final String requestId = RequestIds.next();
    private final Runnable readClient;
    private final Runnable onDone;
    private final Runnable onDoneDraining;
    private final ExchangeTally tally = new ExchangeTally();
    private final ContinueGate continueGate;
    private State state = State.RECEIVED;
    private Admission.Admitted admitted;
    private WriteAdmission write = WriteAdmission.NONE;
    /** The signed head of a request without body bytes upstream: sent at the commit point. */
    private HttpRequest withheldHead;
    /** The signed head of a request with a body, until it goes up together with the first body bytes. */
    private HttpRequest unsentHead;
    private BodyRelay body;
    /** A DeleteObjects request's collected body and answer; null for every other request. */
    private DeleteObjectsRequest deleteObjects;
    /** A browser-form upload; null for every other request. */
    private FormUpload formUpload;
    private UpstreamConnection upstream;
    /** The last body write upstream; the end of a locked write waits until it has left. */
    private ChannelFuture lastBodyWrite;
    private boolean requestEndSent;
    private boolean clientBodyComplete;
    private boolean clientGone;
    /** The client stopped sending its body: the connection closes after the answer, unread. */
    private boolean clientStalled;
    private boolean closeClientAfterResponse;
    private boolean waitingForUpstream;
    private boolean waitingForClient;

    /**
     * @param readClient      asks for the client's next message
     * @param onDone          the exchange is over and the connection may serve the next request
     * @param onDoneDraining  the exchange is over, answered before the client's body was read:
     *                        the connection drops the rest of it, then closes
     */
    Exchange(ChannelHandlerContext ctx, ExchangeServices services, HttpRequest head, Runnable readClient,
             Runnable onDone, Runnable onDoneDraining) {
        this.ctx = ctx;
        this.services = services;
        this.head = head;
        this.readClient = readClient;
        this.onDone = onDone;
        this.onDoneDraining = onDoneDraining;
        this.closeClientAfterResponse = !HttpUtil.isKeepAlive(head);
        this.continueGate = new ContinueGate(ctx, head);
    }

    private void to(State next) {
        assert ctx.executor().inEventLoop() : "exchange " + requestId + " touched off its event loop";
        assert state.mayMoveTo(next) : "exchange " + requestId + ": " + state + " → " + next;
        state = next;
    }

    /** Step 1: admits the request and sends it on its way. */
    void start() {
        try {
            S3Request request = services.admission().parse(head, requestId);
            if (request.operation() == S3Operation.POST_OBJECT) {
                collectForm(request);
                return;
            }
            admitted = services.admission().admit(head, request);
        } catch (S3Exception e) {
            fail(e, WriteAdmission.Outcome.NOT_SENT);
            return;
        }
        tally.authenticated(admitted.accessKey());
        if (admitted.request().operation() == S3Operation.DELETE_OBJECTS && admitted.plan().verifier() != null) {
            collectKeys();
        } else {
            lock(LockKeys.of(admitted.request()));
        }
    }

    /**
     * Step 1 on a connection beyond {@code client.maxConnections}: the request is answered with
     * {@code error}, unauthenticated and unread, and the connection closes.
     */
    void refuse(S3Exception error) {
        closeClientAfterResponse = true;
        fail(error, WriteAdmission.Outcome.NOT_SENT);
    }

    /** Step 2: reads the small, capped DeleteObjects body, which names the keys to lock. */
    private void collectKeys() {
        to(State.COLLECTING_KEYS);
        deleteObjects = new DeleteObjectsRequest(admitted.plan(), admitted.request().bucket(), ctx.alloc());
        continueGate.open();
        readClient.run();
    }

    /**
     * Step 2, for a browser form: reads its fields up to the file; they name the key to lock and
     * carry the signature, so the request is admitted only then.
     */
    private void collectForm(S3Request post) {
        to(State.COLLECTING_KEYS);
        formUpload = new FormUpload(post, head);
        continueGate.open();
        readClient.run();
    }

    private void readForm(HttpContent content, boolean last) {
        try {
            PostObjectForm form = formUpload.read(content.content(), last);
            if (form == null) {
                readClient.run();
                return;
            }
            admitted = services.admission().admitForm(form, formUpload.fields());
        } catch (S3Exception e) {
            clientBodyComplete = last;
            fail(e, WriteAdmission.Outcome.NOT_SENT);
            return;
        }
        tally.authenticated(admitted.accessKey());
        clientBodyComplete = last;
        formUpload.admitted(last);
        lock(LockKeys.of(admitted.request()));
    }

    /** Step 3: takes the keys' locks and decides the write's conditions under them. */
    private void lock(List<LockKey> keys) {
        UpstreamRequest planned = deleteObjects == null ? admitted.plan().upstream() : deleteObjects.upstreamRequest();
        if (keys.isEmpty()) {
            services.writes().conditions().bucketMayChange(admitted.request());
            connect(planned);
            return;
        }
        to(State.LOCKING);
        write = services.writes().forKeys(ctx.channel().eventLoop(), admitted.request(), keys, admitted.anonymous());
        tally.lockWaitStarted();
        write.admit(planned, this::leaseLost).addListener((Future<UpstreamRequest> f) -> {
            tally.lockWaitEnded();
            if (state != State.LOCKING) {
                return;
            }
            if (!f.isSuccess()) {
                fail(f.cause() instanceof S3Exception e ? e : new S3Exception(S3ErrorCode.INTERNAL_ERROR),
                        WriteAdmission.Outcome.NOT_SENT);
            } else if (deleteObjects != null && deleteObjects.parsed().conditional()) {
                checkDeleteConditions(f.getNow());
            } else {
                connect(f.getNow());
            }
        });
    }

    /** Step 3b: the ETags in a DeleteObjects body, checked under the locks of all its keys. */
    private void checkDeleteConditions(UpstreamRequest request) {
        services.writes().conditions().checkDeleteObjects(ctx.channel().eventLoop(), admitted.request(),
                        deleteObjects.parsed())
                .addListener((Future<DeleteObjectsRewrite> f) -> {
                    if (state != State.LOCKING) {
                        return;
                    }
                    try {
                        if (!f.isSuccess()) {
                            throw f.cause() instanceof S3Exception e ? e : new S3Exception(S3ErrorCode.INTERNAL_ERROR);
                        }
                        DeleteObjectsRewrite rewrite = f.getNow();
                        if (rewrite == null) {
                            connect(request);
                        } else if (rewrite.upstreamBody() == null) {
                            answer(rewrite.answerWithoutUpstream(requestId), WriteAdmission.Outcome.NOT_SENT);
                        } else {
                            connect(deleteObjects.rewritten(request, rewrite));
                        }
                    } catch (S3Exception e) {
                        fail(e, WriteAdmission.Outcome.NOT_SENT);
                    }
                });
    }

    /** Step 4: signs the upstream request and sends its head once a pooled connection is ready. */
    private void connect(UpstreamRequest request) {
        to(State.CONNECTING);
        HttpRequest signed;
        try {
            signed = admitted.anonymous() ? services.resigner().unsigned(request) : services.resigner().sign(request);
        } catch (RuntimeException e) {
            LOG.error("request {}: signing for the upstream failed", requestId, e);
            fail(new S3Exception(S3ErrorCode.INTERNAL_ERROR, "The request could not be signed for the upstream;"
                    + " nothing was written."), WriteAdmission.Outcome.NOT_SENT);
            return;
        }
        BodyPlan bodyPlan = request.body();
        if (!bodyPlan.agreesWith(HttpUtil.getContentLength(signed, -1L))) {
            LOG.error("request {}: the signer's Content-Length differs from the relayed framing", requestId);
            fail(new S3Exception(S3ErrorCode.INTERNAL_ERROR), WriteAdmission.Outcome.NOT_SENT);
            return;
        }
        boolean streamed = deleteObjects == null && admitted.plan().verifier() != null
                && (!bodyPlan.lengthKnown() || HttpUtil.getContentLength(signed, 0L) > 0);
        if (deleteObjects == null && admitted.plan().verifier() != null) {
            AwsChunkedEncoder encoder = bodyPlan.kind() == BodyPlan.Kind.CHUNKED_TRAILER
                    ? new AwsChunkedEncoder(BodyPlan.UPSTREAM_CHUNK_SIZE) : null;
            body = new BodyRelay(admitted.plan().verifier(), bodyPlan, encoder, ctx.alloc());
        }
        services.origins().acquire(ctx.channel().eventLoop()).addListener((Future<UpstreamConnection> f) -> {
            if (!f.isSuccess()) {
                onUpstreamError(f.cause() instanceof UpstreamException ue ? ue
                        : new UpstreamException(UpstreamError.CONNECT_ERROR, f.cause()));
                return;
            }
            if (state != State.CONNECTING) {
                f.getNow().release();
                return;
            }
            upstream = f.getNow();
            upstream.start(this);
            HttpContent formFile = formUpload == null ? null : formUpload.takeFirstFileBytes();
            if (clientBodyComplete && formFile == null) {
                commit(signed);
                return;
            }
            to(State.SENDING_BODY);
            if (streamed) {
                // The upstream commits nothing before it has the declared length (or the final empty
                // chunk): the head may go before the end, in one write with the first body bytes (or
                // with the end itself).
                unsentHead = signed;
                upstream.read();
            } else {
                // With no body bytes to send, the head itself is the end of the request: it waits for
                // the client's (empty) body to pass its checks, then for the commit point.
                withheldHead = signed;
            }
            if (formFile != null) {
                try {
                    relayBody(formFile, formFile instanceof LastHttpContent);
                } finally {
                    formFile.release();
                }
                return;
            }
            if (streamed && admitted.anonymous() && continueGate.holdsBackBody()) {
                askUpstreamToContinue();
                return;
            }
            continueGate.open();
            readClient.run();
        });
    }

    /**
     * An unsigned request whose client waits for 100 Continue: only the upstream can tell whether
     * it may write, so the head goes up now and the client hears 100 Continue once the upstream
     * says it ({@link ContinueGate#askUpstream}). A refusal before that reaches the client before
     * it sends any body, as from S3 itself.
     */
    private void askUpstreamToContinue() {
        HttpRequest signedHead = unsentHead;
        unsentHead = null;
        upstream.write(continueGate.askUpstream(signedHead, () -> {
            if (state == State.SENDING_BODY) {
                continueGate.open();
                readClient.run();
            }
        }));
    }

    @Override
    public void onInterimResponse(HttpResponse interim) {
        if (interim.status().code() == HttpResponseStatus.CONTINUE.code()) {
            continueGate.upstreamContinued();
        }
    }

    /** Handles the next piece of the client's body; the exchange owns {@code content}. */
    void onClientContent(HttpContent content) {
        tally.received(content.content().readableBytes());
        try {
            boolean last = content instanceof LastHttpContent;
            if (content.decoderResult().isFailure()) {
                brokenBody();
                return;
            }
            switch (state) {
                case COLLECTING_KEYS -> {
                    if (formUpload != null) {
                        readForm(content, last);
                    } else {
                        collect(content, last);
                    }
                }
                case SENDING_BODY -> relayBody(content, last);
                default -> {
                    // Not asked for (a request without a body to relay) or the exchange already
                    // answered: drain what the client still sends.
                    if (last) {
                        clientBodyComplete = true;
                    } else {
                        readClient.run();
                    }
                }
            }
        } finally {
            content.release();
        }
    }

    /**
     * The client's chunked framing broke mid-body: the decoder ends the body there and drops the
     * rest of the connection. Whatever came before may pass every check (an unsigned payload, or a
     * hash signed for just those bytes), so nothing is committed and the connection closes. (A
     * body not being relayed, e.g. after an early upstream answer, only ends the connection.)
     */
    private void brokenBody() {
        clientBodyComplete = true;
        closeClientAfterResponse = true;
        if (state != State.SENDING_BODY && state != State.COLLECTING_KEYS) {
            return;
        }
        fail(new S3Exception(S3ErrorCode.INCOMPLETE_BODY, "The request body's chunked framing is malformed;"
                + " nothing was written."), WriteAdmission.Outcome.NOT_SENT);
    }

    private void collect(HttpContent content, boolean last) {
        List<LockKey> keys;
        try {
            keys = deleteObjects.add(content.content(), last);
            if (keys == null) {
                readClient.run();
                return;
            }
            clientBodyComplete = true;
        } catch (S3Exception e) {
            clientBodyComplete = last;
            fail(e, WriteAdmission.Outcome.NOT_SENT);
            return;
        }
        lock(keys);
    }

    /** Step 5: passes checked body bytes upstream; the last ones wait for {@link #commit}. */
    private void relayBody(HttpContent content, boolean last) {
        if (body == null) {
            clientBodyComplete = last;
            if (last) {
                commit(withheldHead);
            } else {
                readClient.run();
            }
            return;
        }
        ByteBuf ready = null;
        ByteBuf rest = null;
        try {
            ready = body.next(content.content());
            if (last) {
                clientBodyComplete = true;
                rest = body.finish();
            }
        } catch (S3Exception e) {
            if (ready != null) {
                ready.release();
            }
            clientBodyComplete = last;
            fail(e, WriteAdmission.Outcome.NOT_SENT);
            return;
        }
        if (ready != null) {
            sendUnsentHead();
            lastBodyWrite = upstream.write(new DefaultHttpContent(ready));
        }
        if (last && withheldHead != null) {
            rest.release();
            commit(withheldHead);
        } else if (last) {
            commit(rest);
        } else if (upstream.isWritable()) {
            readClient.run();
        } else {
            waitingForUpstream = true;
        }
    }

    /**
     * Step 6: sends the end of the request — the whole of a request without body bytes, or the
     * last body bytes. For a locked write it waits until everything before has left this process,
     * asks the locks whether it may commit, and sends the end only if the socket takes it at once;
     * otherwise nothing is committed and the client is told so.
     */
    private void commit(Object end) {
        to(State.COMMITTING);
        HttpRequest signedHead = end instanceof HttpRequest h ? h : null;
        Object[] ending = endingMessages(end);
        if (!write.guardsCommit()) {
            upstream.writeAll(ending);
            requestSent();
            return;
        }
        Runnable guarded = () -> write.readyToCommit().addListener((Future<Boolean> ready) -> {
            if (state != State.COMMITTING) {
                release(ending);
                return;
            }
            if (!ready.getNow()) {
                release(ending);
                fail(new S3Exception(S3ErrorCode.SLOW_DOWN, "The lock on this object lapsed before the write could"
                        + " complete; nothing was written. Retry."), WriteAdmission.Outcome.NOT_SENT);
                return;
            }
            UpstreamConnection.Completion completion = upstream.writeCompletingNow(ending);
            if (completion == UpstreamConnection.Completion.NOT_TAKEN) {
                LOG.warn("request {}: the upstream socket did not take the end of the write at once; aborted",
                        requestId);
                upstream = null;
                fail(new S3Exception(S3ErrorCode.SLOW_DOWN, "The upstream did not take the write in time; nothing was"
                        + " written. Retry."), WriteAdmission.Outcome.NOT_SENT);
                return;
            }
            // Sent, or failed because the upstream closed the connection after it had part of the
            // request: either way only its answer, or its silence, tells what it did.
            write.committed();
            requestSent();
        });
        if (signedHead == null && lastBodyWrite != null && !lastBodyWrite.isDone()) {
            lastBodyWrite.addListener(f -> guarded.run());
        } else {
            guarded.run();
        }
    }

    /**
     * The messages that end the request: a head with its (possibly aggregated) body; a small body
     * not yet begun, whole with its head; or the last body bytes split so that the final write is a
     * single byte, the one that lets the upstream commit.
     */
    private Object[] endingMessages(Object end) {
        if (end instanceof HttpRequest signedHead) {
            ByteBuf payload = deleteObjects == null ? Unpooled.EMPTY_BUFFER : deleteObjects.takeBody();
            return new Object[] {signedHead, new DefaultLastHttpContent(payload)};
        }
        ByteBuf rest = (ByteBuf) end;
        if (unsentHead != null && (!write.guardsCommit() || rest.readableBytes() <= WHOLE_SMALL_WRITE_BYTES)) {
            // An idle pooled connection's socket takes a small request whole: one write, one packet.
            HttpRequest signedHead = unsentHead;
            unsentHead = null;
            return new Object[] {signedHead, new DefaultLastHttpContent(rest)};
        }
        sendUnsentHead();
        if (!write.guardsCommit() || rest.readableBytes() <= 1) {
            return new Object[] {new DefaultLastHttpContent(rest)};
        }
        // Everything but the last byte goes now: only that byte then has to fit the socket at the commit.
        lastBodyWrite = upstream.write(new DefaultHttpContent(rest.readRetainedSlice(rest.readableBytes() - 1)));
        return new Object[] {new DefaultLastHttpContent(rest)};
    }

    /** Queues the head of a streamed body, if still unsent, to leave with the next flushed write. */
    private void sendUnsentHead() {
        if (unsentHead != null) {
            upstream.writeUnflushed(unsentHead);
            unsentHead = null;
        }
    }

    private static void release(Object[] messages) {
        for (Object message : messages) {
            io.netty.util.ReferenceCountUtil.release(message);
        }
    }

    private void requestSent() {
        requestEndSent = true;
        to(State.AWAITING_RESPONSE);
        upstream.read();
    }

    @Override
    public void onUpstreamWritable() {
        if (waitingForUpstream && state == State.SENDING_BODY) {
            waitingForUpstream = false;
            readClient.run();
        }
    }

    /** The client socket drained below its high-water mark: resume reading the upstream response. */
    void onClientWritable() {
        if (waitingForClient && upstream != null) {
            waitingForClient = false;
            upstream.read();
        }
    }

    /** Step 7: the upstream answered; relays its answer unless it is a refusal the proxy answers for. */
    @Override
    public void onResponseHead(HttpResponse response) {
        if (state == State.DONE) {
            return;
        }
        WriteAdmission.Outcome outcome = requestEndSent ? WriteAdmission.Outcome.ANSWERED : WriteAdmission.Outcome.NOT_SENT;
        if (clientGone) {
            // Waited for this only to know the write's outcome: nobody is left to tell.
            end(outcome, true);
            return;
        }
        S3Exception refusal = write.refusal(response);
        if (refusal != null) {
            fail(refusal, outcome);
            return;
        }
        if (!clientBodyComplete) {
            // The upstream answered before the body was complete: relay the answer, then close,
            // because the rest of the body will never be read.
            closeClientAfterResponse = true;
            releaseBody();
        }
        to(State.RELAYING_RESPONSE);
        ForwardedHeaders.stripHopByHop(response.headers());
        if (!HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)
                && !head.method().name().equals("HEAD")) {
            // Read-until-close framing: only closing tells the client where the body ends.
            closeClientAfterResponse = true;
        }
        if (closeClientAfterResponse) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (formUpload != null && formUpload.answersFor(response, requestId, closeClientAfterResponse)) {
            upstream.read();
            return;
        }
        if (deleteObjects != null && deleteObjects.collects(response)) {
            // The objects the proxy answered for join the upstream's DeleteResult (small, capped by the request).
            upstream.read();
            return;
        }
        tally.status(response.status().code());
        ctx.write(response);
        upstream.read();
    }

    @Override
    public void onResponseContent(HttpContent content) {
        if (state != State.RELAYING_RESPONSE) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (formUpload != null && formUpload.answering()) {
            content.release();
            if (!last) {
                upstream.read();
                return;
            }
            FullHttpResponse answer = formUpload.takeAnswer();
            tally.status(answer.status().code());
            tally.sent(answer.content().readableBytes());
            ctx.writeAndFlush(answer).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    clientGone();
                }
            });
            finishRelay();
            return;
        }
        if (deleteObjects != null && deleteObjects.resultHead() != null) {
            content = deleteObjects.collect(content);
            if (content == null) {
                upstream.read();
                return;
            }
            tally.status(200);
            ctx.write(deleteObjects.resultHead());
        }
        tally.sent(content.content().readableBytes());
        ctx.writeAndFlush(content).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                clientGone();
            }
        });
        if (last) {
            finishRelay();
        } else if (ctx.channel().isWritable()) {
            upstream.read();
        } else {
            waitingForClient = true;
        }
    }

    private void finishRelay() {
        UpstreamConnection connection = upstream;
        upstream = null;
        if (clientBodyComplete) {
            connection.release();
        } else {
            connection.abort();
        }
        end(requestEndSent ? WriteAdmission.Outcome.ANSWERED : WriteAdmission.Outcome.NOT_SENT, false);
        if (!clientBodyComplete && !continueGate.holdsBackBody()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> onDoneDraining.run());
        } else if (closeClientAfterResponse) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            onDone.run();
        }
    }

    @Override
    public void onUpstreamError(UpstreamException error) {
        if (state == State.DONE) {
            return;
        }
        LOG.warn("request {}: upstream failed in state {}: {}", requestId, state, error.getMessage());
        upstream = null;
        tally.upstreamFailed(error.error());
        if (state == State.RELAYING_RESPONSE) {
            abort("upstream failed mid-response", inDoubtWhileRelaying());
        } else if (requestEndSent && !readOnly()) {
            fail(outcomeUnknown(error.error()), WriteAdmission.Outcome.UNKNOWN);
        } else {
            fail(new S3Exception(error.error().code()), WriteAdmission.Outcome.NOT_SENT);
        }
    }

    /**
     * The upstream had the whole request and gave no answer: the client learns that nothing is
     * known, never that nothing was written (a 503 would say so to S3 clients).
     */
    private static S3Exception outcomeUnknown(UpstreamError error) {
        S3ErrorCode code = error == UpstreamError.READ_TIMEOUT ? S3ErrorCode.UPSTREAM_TIMEOUT : S3ErrorCode.INTERNAL_ERROR;
        return new S3Exception(code, "The upstream received the whole request and then " + error.description()
                + "; whether it was applied is unknown. Read the object before retrying a conditional write.");
    }

    private boolean readOnly() {
        String method = head.method().name();
        return method.equals("GET") || method.equals("HEAD");
    }

    /** A CompleteMultipartUpload answered 200 may still fail in its body: cut off there, its outcome is unknown. */
    private WriteAdmission.Outcome inDoubtWhileRelaying() {
        return admitted != null && admitted.request().operation() == S3Operation.COMPLETE_MULTIPART_UPLOAD
                ? WriteAdmission.Outcome.UNKNOWN : WriteAdmission.Outcome.ANSWERED;
    }

    /**
     * A lease was lost before the end of the write went upstream: another writer may own the key
     * now, so the upstream request is aborted — it never got its end, so nothing was committed.
     */
    private void leaseLost() {
        switch (state) {
            case LOCKING, CONNECTING, SENDING_BODY, COMMITTING -> {
                LOG.warn("request {}: lock lease lost in state {}; upstream request aborted", requestId, state);
                fail(new S3Exception(S3ErrorCode.SLOW_DOWN, "The lock on this object was lost before the write"
                        + " completed; nothing was written by this request. Retry."), WriteAdmission.Outcome.NOT_SENT);
            }
            default -> {
            }
        }
    }

    /** The client connection closed: stop, except that a write in doubt still waits for its answer. */
    void clientGone() {
        if (state == State.DONE || clientGone) {
            return;
        }
        clientGone = true;
        boolean inDoubt = state == State.AWAITING_RESPONSE && write.guardsCommit();
        if (inDoubt && !services.connections().draining()) {
            LOG.debug("request {}: client left while its write was in doubt; waiting for the upstream's answer",
                    requestId);
            return;
        }
        // Shutting down cuts even a write in doubt: its outcome stays unknown, its keys settle.
        abort("client closed the connection", inDoubt ? WriteAdmission.Outcome.UNKNOWN
                : state == State.RELAYING_RESPONSE ? inDoubtWhileRelaying() : WriteAdmission.Outcome.NOT_SENT);
    }

    /**
     * The client sent no body bytes for {@code client.bodyIdleTimeoutMs} while the proxy waited for
     * them. Before the end of the request went upstream the write is abandoned — 400 RequestTimeout,
     * locks released now, nothing written; after it, the exchange goes on to its answer.
     */
    void clientTimedOut() {
        if (state != State.COLLECTING_KEYS && state != State.SENDING_BODY) {
            return;
        }
        LOG.debug("request {}: the client sent no body bytes in time; abandoned in state {}", requestId, state);
        clientStalled = true;
        fail(new S3Exception(S3ErrorCode.REQUEST_TIMEOUT), WriteAdmission.Outcome.NOT_SENT);
    }

    private void abort(String why, WriteAdmission.Outcome outcome) {
        LOG.debug("request {}: aborted in state {}: {}", requestId, state, why);
        end(outcome, true);
        ctx.close();
    }

    /** Answers the client with {@code error} in place of an upstream response. */
    private void fail(S3Exception error, WriteAdmission.Outcome outcome) {
        if (state == State.DONE) {
            return;
        }
        String resource = admitted != null ? admitted.request().resource() : Admission.resourceOf(head);
        boolean isHead = head.method().name().equals("HEAD");
        answer(ErrorResponses.of(ctx.alloc(), error, resource, requestId, isHead), outcome);
    }

    /** Answers the client with {@code response}, the proxy's own, in place of an upstream response. */
    private void answer(FullHttpResponse response, WriteAdmission.Outcome outcome) {
        if (state == State.DONE || clientGone) {
            response.release();
            if (state != State.DONE) {
                end(outcome, true);
            }
            return;
        }
        // After a head that failed to decode, the decoder drops the rest of the connection: it must close.
        boolean close = closeClientAfterResponse || clientStalled || head.decoderResult().isFailure()
                || !clientBodyComplete && expectsBody();
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        tally.status(response.status().code());
        tally.sent(response.content().readableBytes());
        end(outcome, false);
        var written = ctx.writeAndFlush(response);
        if (!clientBodyComplete && expectsBody() && !continueGate.holdsBackBody() && !clientStalled) {
            // Answered before the body arrived: the rest is read and dropped for a while before the
            // connection closes, so that the client reads this answer instead of a reset.
            written.addListener(f -> onDoneDraining.run());
        } else if (close) {
            written.addListener(ChannelFutureListener.CLOSE);
        } else {
            onDone.run();
        }
    }

    /** Step 8: the exchange is over — locks, upstream connection and buffers are given back, once. */
    private void end(WriteAdmission.Outcome outcome, boolean aborted) {
        to(State.DONE);
        if (upstream != null) {
            upstream.abort();
            upstream = null;
        }
        write.end(outcome);
        releaseBody();
        observeEnd(aborted);
    }

    /** Hands this exchange's {@link RequestRecord} to the observer; runs once. */
    private void observeEnd(boolean aborted) {
        RequestRecord record = tally.end(requestId, head.method().name(), admitted != null ? admitted.request()
                : formUpload != null ? formUpload.post() : null, aborted);
        if (record == null) {
            return;
        }
        try {
            services.observer().requestEnded(record);
        } catch (RuntimeException e) {
            LOG.warn("request {}: the request observer failed", requestId, e);
        }
    }

    /** Whether the client sends a body after the head; a head that failed to decode says nothing reliable. */
    private boolean expectsBody() {
        if (head.decoderResult().isFailure()) {
            return false;
        }
        return HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
        if (deleteObjects != null) {
            deleteObjects.release();
        }
        if (formUpload != null) {
            formUpload.release();
        }
    }
}
