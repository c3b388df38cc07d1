package dev.agentsandbox.router;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One keep-alive HTTP/1.1 connection from the router to a sandbox, used by one exchange at a time on the event
 * loop that opened it. Its Netty pipeline is a request encoder, a response decoder and this handler, which hands
 * the decoded response to the exchange's {@link Listener}: the proxy path goes straight from Netty's codec to the
 * client's response, without a general-purpose HTTP client's futures, context hops and per-request timers.
 *
 * <p>The exchange's timeout (no byte from the sandbox for that long) is a deadline stamped on each read and checked
 * by one timer per connection, re-armed only when it fires early: under steady traffic no timer is scheduled or
 * cancelled per request.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    /** What the exchange on this connection is told, on the event loop, in this order. */
    interface Listener {

        /** The final response's status line and headers (interim 1xx responses are not passed on). */
        void head(HttpResponse response);

        /** A piece of the response body; {@code last} ends it. {@code content} is only valid during the call. */
        void content(ByteBuf content, boolean last);

        /**
         * The exchange cannot go on: the connection closed or was reset, the sandbox sent something that is not
         * HTTP, or it stayed silent past the timeout ({@link TimeoutException}). The connection is closed.
         */
        void broken(Throwable cause);

        /** The connection takes more of the request body again. */
        void writable();
    }

    /** The connection closed before the response was complete; {@link #retryable} when no byte of it had come. */
    static final class ClosedException extends IOException {
        private final boolean retryable;

        ClosedException(String message, boolean retryable) {
            super(message, null);
            this.retryable = retryable;
        }

        /**
         * A connection reused from the pool closed before any byte of the response: the sandbox most likely closed
         * it as idle just as the request was sent, so sending again on a new connection is safe for an idempotent
         * request without a body.
         */
        boolean retryable() {
            return retryable;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Header maps as Vert.x's own codec makes them; what they hold was parsed (or set) by a codec already. */
    private static final HttpHeadersFactory VERTX_HEADERS = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return HeadersMultiMap.headers();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return HeadersMultiMap.headers();
        }
    };

    private final UpstreamPool.Address address;
    final Channel channel;
    private Listener listener;
    private long timeoutNanos;
    private long deadline;
    private ScheduledFuture<?> timer;
    private long timerAt;
    /** A response to a HEAD request has no body whatever its headers say; the decoder asks. */
    private boolean headRequest;

    private boolean requestDone;
    private boolean responseStarted;
    private boolean interim;
    private boolean keepAlive;
    /** Reading stopped for a client that does not keep up. */
    private boolean paused;
    /** Exchanges this connection has carried, the current one included. */
    private int exchanges;

    private Throwable failure;
    long idleSince;

    UpstreamConnection(UpstreamPool.Address address, Channel channel) {
        this.address = address;
        this.channel = channel;
    }

    /** The response decoder of this connection's pipeline. */
    HttpResponseDecoder decoder(int maxInitialLineLength, int maxHeaderSize) {
        return new HttpResponseDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(64 * 1024)
                // headers in Vert.x's map, which the client's response copies without conversion
                .setHeadersFactory(VERTX_HEADERS)) {
            @Override
            protected boolean isContentAlwaysEmpty(HttpMessage message) {
                return headRequest || super.isContentAlwaysEmpty(message);
            }
        };
    }

    /** The request encoder: Vert.x's header map encodes itself in one pass. */
    static HttpRequestEncoder encoder() {
        return new HttpRequestEncoder() {
            @Override
            protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
                if (headers instanceof HeadersMultiMap vertxHeaders) {
                    vertxHeaders.encode(buf);
                } else {
                    super.encodeHeaders(headers, buf);
                }
            }
        };
    }

    /**
     * Starts an exchange: sends the request head ({@code complete}: it has no body, e.g. a
     * {@code FullHttpRequest}); a body follows with {@link #writeBody} and {@link #endBody}.
     */
    void send(HttpRequest head, boolean complete, boolean isHead, long timeoutMillis, Listener listener) {
        this.listener = listener;
        this.headRequest = isHead;
        this.requestDone = complete;
        this.responseStarted = false;
        this.interim = false;
        this.keepAlive = true;
        this.exchanges++;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.deadline = System.nanoTime() + timeoutNanos;
        arm(deadline);
        channel.writeAndFlush(head, channel.voidPromise());
    }

    /** Sends a piece of the request body; false when the connection wants the sender to wait for {@link Listener#writable}. */
    boolean writeBody(Listener owner, ByteBuf chunk) {
        if (owner != listener) {
            return true;
        }
        // an upload in progress counts as activity, as the sandbox's reads do
        deadline = System.nanoTime() + timeoutNanos;
        channel.writeAndFlush(new DefaultHttpContent(chunk), channel.voidPromise());
        return channel.isWritable();
    }

    /** Ends the request body. */
    void endBody(Listener owner) {
        if (owner != listener) {
            return;
        }
        requestDone = true;
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
    }

    /** Stops or resumes reading the response (back-pressure from a slow client). */
    void reading(boolean on) {
        if (paused == on) {
            paused = !on;
            channel.config().setAutoRead(on);
        }
    }

    /** Goes back to the pool without having carried the exchange it was found for. */
    void unused() {
        address.release(this);
    }

    /** Gives up the exchange of {@code owner} (its client went away): the connection is closed, not reused. */
    void abort(Listener owner) {
        if (owner == listener) {
            listener = null;
            channel.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            Listener current = listener;
            if (current == null) {
                // a sandbox talking out of turn: nothing asked, so nothing it says can be trusted on this connection
                channel.close();
                return;
            }
            deadline = System.nanoTime() + timeoutNanos;
            if (((HttpObject) msg).decoderResult().isFailure()) {
                Throwable cause = ((HttpObject) msg).decoderResult().cause();
                // the decoder reports a connection closed mid-message this way, before channelInactive
                fail(
                        cause instanceof PrematureChannelClosureException
                                ? closed()
                                : new IOException("invalid HTTP from the sandbox: " + cause.getMessage(), cause));
                return;
            }
            if (msg instanceof HttpResponse response) {
                int status = response.status().code();
                if (status == 101) {
                    fail(new IOException("unexpected 101 Switching Protocols"));
                    return;
                }
                interim = status < 200;
                if (!interim) {
                    responseStarted = true;
                    keepAlive = HttpUtil.isKeepAlive(response);
                    current.head(response);
                    if (listener != current) {
                        return;
                    }
                }
            }
            if (msg instanceof HttpContent content) {
                boolean last = content instanceof LastHttpContent;
                if (interim) {
                    interim = !last;
                    return;
                }
                current.content(content.content(), last);
                if (last && listener == current) {
                    completed();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The response is complete: back to the pool when the request was complete too and both sides keep alive. */
    private void completed() {
        listener = null;
        if (requestDone && keepAlive && channel.isActive()) {
            reading(true);
            address.release(this);
        } else {
            // the sandbox answered before reading the whole request, or closes: not reusable
            channel.close();
        }
    }

    private void fail(Throwable cause) {
        Listener current = listener;
        listener = null;
        channel.close();
        if (current != null) {
            current.broken(cause);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Listener current = listener;
        if (current != null && channel.isWritable()) {
            current.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        channel.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        address.closed(this);
        Listener current = listener;
        listener = null;
        if (current != null) {
            Throwable cause = failure;
            if (cause == null || !responseStarted) {
                // before the response, any way of losing the connection means the same: it closed unanswered
                cause = closed();
            }
            current.broken(cause);
        }
    }

    private ClosedException closed() {
        return new ClosedException(
                responseStarted ? "closed during the response" : "closed before the response",
                !responseStarted && exchanges > 1);
    }

    /** Makes sure the timer fires at {@code at} or before; an earlier pending one re-arms itself when it fires. */
    private void arm(long at) {
        if (timer != null) {
            if (at - timerAt >= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerAt = at;
        timer = channel.eventLoop().schedule(this::expire, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void expire() {
        timer = null;
        if (listener == null || !channel.isActive()) {
            // idle in the pool: the pool's sweep closes it when it has been idle too long
            return;
        }
        if (System.nanoTime() - deadline >= 0) {
            fail(new TimeoutException("no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
        } else {
            arm(deadline);
        }
    }
}
