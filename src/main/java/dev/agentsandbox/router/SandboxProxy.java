package dev.agentsandbox.router;

import dev.agentsandbox.api.Labels;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.VertxByteBufAllocator;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.streams.ReadStream;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The router's request path: validate the routing headers, authenticate, resolve and authorise against the
 * Sandbox cache (holding the request while an idle-suspended sandbox wakes), record the sandbox's activity, then
 * stream the request to the sandbox and the response back over pooled keep-alive connections. Everything here runs
 * on the event loop and nothing here blocks; bodies are piped with back-pressure, never buffered.
 */
public final class SandboxProxy implements RouterServer.RequestHandler, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SandboxProxy.class);
    private static final String HEALTH = "{\"status\":\"ok\"}";

    private final RoutingHeaders routingHeaders;
    private final CallerAuthenticator authenticator;
    private final SandboxRoutes routes;
    private final SandboxActivity activity;
    private final SandboxWakes wakes;
    private final long maxWakeWaitMillis;
    private final RouterMetrics metrics;
    private final AccessLog accessLog;
    private final UpstreamPool.PerLoop pools;
    private final WebSocketRelay webSockets;
    private final long connectTimeoutMillis;
    private final long maxBodyBytes;
    private final int maxConnectionsPerSandbox;
    private final int retryAfterSeconds;

    public SandboxProxy(
            Vertx vertx,
            RouterConfig config,
            CallerAuthenticator authenticator,
            RouterSandboxes sandboxes,
            RouterMetrics metrics,
            AccessLog accessLog) {
        this.routingHeaders = new RoutingHeaders(config.proxyTimeoutSeconds() * 1000L);
        this.authenticator = authenticator;
        this.routes = sandboxes.routes();
        this.wakes = sandboxes.wakes();
        this.activity = sandboxes.activity();
        this.maxWakeWaitMillis = config.maxWakeWait().toMillis();
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.connectTimeoutMillis = config.connectTimeout().toMillis();
        this.maxBodyBytes = config.maxBodyBytes();
        this.maxConnectionsPerSandbox = config.maxConnectionsPerSandbox();
        this.retryAfterSeconds = config.retryAfterSeconds();
        this.pools = new UpstreamPool.PerLoop(
                vertx,
                new UpstreamPool.Settings(
                        config.connectTimeout(),
                        config.keepAlive(),
                        config.maxConnectionsPerSandbox(),
                        16 * 1024,
                        64 * 1024,
                        metrics::upstreamConnections));
        this.webSockets = new WebSocketRelay(vertx, connectTimeoutMillis, metrics, activity);
    }

    @Override
    public void handle(HttpServerRequest request, ClientConnection connection) {
        if ("/healthz".equals(request.path()) && request.headers().get(RoutingHeaders.SANDBOX_ID) == null) {
            request.response().putHeader("Content-Type", "application/json").end(HEALTH);
            return;
        }
        Forwarding exchange = new Forwarding(request, connection.remoteHost(), System.nanoTime());
        metrics.requestStarted();
        HttpServerResponse response = request.response();
        response.endHandler(v -> finished(exchange, 0));
        response.closeHandler(v -> {
            exchange.clientGone();
            finished(exchange, 0);
        });
        try {
            exchange.address = routingHeaders.parse(request.headers());
            exchange.caller = authenticator.authenticate(request.headers().get("Authorization"), connection);
            route(exchange);
        } catch (RouteRejection rejection) {
            JsonError.send(response, rejection);
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s %s: unexpected router failure", request.method(), request.path());
            JsonError.send(response, new RouteRejection(500, "An internal error occurred in the router."));
        }
    }

    /**
     * Resolves the exchange's sandbox and forwards the request; a request for an idle-suspended or waking sandbox is
     * held until it is Ready ({@link #hold}) and comes back here then.
     */
    private void route(Forwarding exchange) {
        HttpServerRequest request = exchange.request;
        try {
            exchange.route = routes.resolve(exchange.address, exchange.caller);
        } catch (SandboxAsleep asleep) {
            hold(exchange, asleep);
            return;
        }
        if (exchange.use == null) {
            exchange.use = activity.opened(exchange.route.sandbox());
        }
        long declaredLength = contentLength(request);
        if (declaredLength > maxBodyBytes) {
            throw new RouteRejection(413, "Request body exceeds " + maxBodyBytes + " bytes.");
        }
        if (isWebSocketUpgrade(request)) {
            webSockets.relay(request, exchange.route, exchange, this::fail, () -> finished(exchange, 101));
            return;
        }
        exchange.start(declaredLength);
    }

    /**
     * Holds an authorised request while its sandbox wakes (waking it if it is idle-suspended), for the request's
     * timeout capped at the wake timeout; answered 503 at once with {@code X-Sandbox-Wake: false}, or when the
     * sandbox fell asleep again after this request already waited once.
     */
    private void hold(Forwarding exchange, SandboxAsleep asleep) {
        String sandbox = asleep.sandbox().key();
        if (!exchange.address.wake() || exchange.waited) {
            throw RouteRejection.waking(sandbox, retryAfterSeconds);
        }
        exchange.waited = true;
        // held requests are activity too, and the access log names their sandbox
        exchange.use = activity.opened(sandbox);
        exchange.route = new SandboxRoute(
                sandbox,
                null,
                exchange.address.port(),
                asleep.sandbox().getMetadata().getLabels() == null
                        ? null
                        : asleep.sandbox().getMetadata().getLabels().get(Labels.OWNER),
                exchange.address.timeoutMillis());
        exchange.request.pause();
        exchange.hold = wakes.hold(asleep, Math.min(exchange.address.timeoutMillis(), maxWakeWaitMillis), exchange);
    }

    /**
     * One HTTP exchange forwarded to a sandbox: takes a pooled connection, sends the request head and streams the
     * body with back-pressure, then streams the response back as it arrives. A failure before the response head
     * is answered with a JSON error (502, 503 or 504); after it, the client's response is reset, never ended
     * cleanly: a cleanly terminated body would pass a truncated reply off as complete.
     */
    private final class Forwarding extends Exchange
            implements UpstreamPool.Acquirer, UpstreamConnection.Listener, Handler<Buffer>, SandboxWakes.Waiter {

        SandboxAddress address;
        Caller caller;
        /** This exchange's part in its sandbox's activity. */
        SandboxActivity.Use use;
        /** While held for a waking sandbox: how to let go of the wait. */
        SandboxWakes.Hold hold;
        /** It has been held once already. */
        boolean waited;

        private long declaredLength;
        private boolean bodyless;
        private boolean retried;
        private UpstreamPool pool;
        private UpstreamConnection upstream;
        private ReadStream<Buffer> body;

        Forwarding(HttpServerRequest request, String remoteHost, long startNanos) {
            super(request, remoteHost, startNanos);
        }

        void start(long declaredLength) {
            this.declaredLength = declaredLength;
            // RFC 9112 6.3: a request has a body only with a Content-Length above 0 or a Transfer-Encoding
            this.bodyless =
                    declaredLength == 0 || (declaredLength < 0 && request.getHeader("Transfer-Encoding") == null);
            if (!bodyless) {
                request.pause();
                if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
                    request.response().writeContinue();
                }
            }
            pool = pools.current();
            pool.acquire(route.host(), route.port(), this);
        }

        @Override
        public void acquired(UpstreamConnection connection) {
            HttpServerResponse response = request.response();
            if (response.ended() || response.closed()) {
                // the client went away, or was answered, while the connection was being found: it stays unused
                connection.unused();
                return;
            }
            upstream = connection;
            try {
                sendRequest(connection);
            } catch (RuntimeException e) {
                // often called from the connect's completion, where nothing else would answer the client
                LOG.errorf(e, "%s %s: unexpected router failure", request.method(), request.path());
                abortUpstream();
                SandboxProxy.this.fail(this, new RouteRejection(500, "An internal error occurred in the router."));
            }
        }

        private void sendRequest(UpstreamConnection connection) {
            HeadersMultiMap headers = HeadersMultiMap.headers();
            ForwardedHeaders.toSandbox(request, remoteHost, route.owner(), false, headers);
            // neither came through from the client: add, not set
            headers.add(HttpHeaderNames.HOST, hostHeader(route));
            if (!bodyless && declaredLength < 0) {
                headers.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            io.netty.handler.codec.http.HttpMethod method = request.method().toNetty();
            HttpRequest head = bodyless
                    ? new DefaultFullHttpRequest(
                            HttpVersion.HTTP_1_1,
                            method,
                            request.uri(),
                            Unpooled.EMPTY_BUFFER,
                            headers,
                            EmptyHttpHeaders.INSTANCE)
                    : new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, request.uri(), headers);
            connection.send(head, bodyless, request.method() == HttpMethod.HEAD, route.timeoutMillis(), this);
            if (bodyless) {
                return;
            }
            body = declaredLength >= 0
                    ? request
                    : new BoundedBody(request, maxBodyBytes, () -> {
                        // The 413 first: aborting the upstream tells this exchange it broke, which would answer 502.
                        fail(this, new RouteRejection(413, "Request body exceeds " + maxBodyBytes + " bytes."));
                        abortUpstream();
                    });
            body.handler(this);
            body.endHandler(v -> connection.endBody(this));
            body.resume();
        }

        /** A piece of the client's request body. */
        @Override
        public void handle(Buffer chunk) {
            if (!upstream.writeBody(this, chunk.getByteBuf())) {
                body.pause();
            }
        }

        @Override
        public void writable() {
            if (body != null) {
                body.resume();
            }
        }

        @Override
        public void failed(Throwable cause) {
            if (!bodyless) {
                request.resume();
            }
            SandboxProxy.this.fail(this, cause);
        }

        @Override
        public void head(HttpResponse upstreamResponse) {
            HttpServerResponse response = request.response();
            if (response.ended() || response.closed()) {
                abortUpstream();
                return;
            }
            int status = upstreamResponse.status().code();
            response.setStatusCode(status);
            response.setStatusMessage(upstreamResponse.status().reasonPhrase());
            ForwardedHeaders.toClient((MultiMap) upstreamResponse.headers(), response.headers());
            if (waited) {
                // held for a wake and forwarded: the client may tell its user the sandbox was woken for it
                response.headers().set(RoutingHeaders.SANDBOX_WOKEN, "true");
            }
            boolean noBody = request.method() == HttpMethod.HEAD || status == 204 || status == 304;
            if (!noBody && !upstreamResponse.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                response.setChunked(true);
            }
        }

        @Override
        public void content(ByteBuf content, boolean last) {
            HttpServerResponse response = request.response();
            if (response.ended() || response.closed()) {
                return;
            }
            if (last) {
                if (!bodyless && body != null) {
                    // answered before the whole request body came: the rest is read and dropped
                    body.handler(null);
                    request.resume();
                }
                if (content.isReadable()) {
                    response.end(copy(content), null);
                } else {
                    response.end((Handler<AsyncResult<Void>>) null);
                }
                return;
            }
            if (!content.isReadable()) {
                return;
            }
            response.write(copy(content), null);
            if (response.writeQueueFull()) {
                upstream.reading(false);
                UpstreamConnection connection = upstream;
                response.drainHandler(v -> connection.reading(true));
            }
        }

        @Override
        public void broken(Throwable cause) {
            HttpServerResponse response = request.response();
            if (retryable(cause)) {
                retried = true;
                upstream = null;
                pool.acquireNew(route.host(), route.port(), this);
                return;
            }
            if (response.headWritten()) {
                if (response.ended()) {
                    return;
                }
                metrics.upstreamError(
                        cause instanceof TimeoutException
                                ? RouterMetrics.UpstreamError.TIMEOUT
                                : RouterMetrics.UpstreamError.RESET);
                response.reset();
                finished(this, 0);
                return;
            }
            SandboxProxy.this.fail(this, cause);
        }

        /**
         * A reused connection that closed before any byte of the answer most likely crossed the sandbox closing it
         * as idle; an idempotent request without a body is sent once more on a new connection, as nginx does.
         */
        private boolean retryable(Throwable cause) {
            return !retried
                    && bodyless
                    && cause instanceof UpstreamConnection.ClosedException closed
                    && closed.retryable()
                    && isIdempotent(request.method())
                    && !request.response().closed();
        }

        private void abortUpstream() {
            if (upstream != null) {
                upstream.abort(this);
            }
        }

        @Override
        void clientGone() {
            if (hold != null) {
                hold.cancel();
                hold = null;
            }
            abortUpstream();
        }

        /** The sandbox woke: route the request again, now to its Pod. */
        @Override
        public void awake() {
            hold = null;
            request.resume();
            try {
                route(this);
            } catch (RouteRejection rejection) {
                SandboxProxy.this.fail(this, rejection);
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s %s: unexpected router failure", request.method(), request.path());
                SandboxProxy.this.fail(this, new RouteRejection(500, "An internal error occurred in the router."));
            }
        }

        @Override
        public void refused(RouteRejection why) {
            hold = null;
            request.resume();
            SandboxProxy.this.fail(this, why);
        }
    }

    /** The sandbox's answer copied to the heap, as Vert.x's own client does: the pooled buffer goes back at once. */
    private static Buffer copy(ByteBuf content) {
        ByteBuf copy = VertxByteBufAllocator.DEFAULT.heapBuffer(content.readableBytes());
        copy.writeBytes(content, content.readerIndex(), content.readableBytes());
        return Buffer.buffer(copy);
    }

    /** The Host a sandbox sees: its address, with the port unless 80 and IPv6 literals bracketed. */
    private static String hostHeader(SandboxRoute route) {
        String host = route.host().indexOf(':') >= 0 ? "[" + route.host() + "]" : route.host();
        return route.port() == 80 ? host : host + ":" + route.port();
    }

    private static boolean isIdempotent(HttpMethod method) {
        return method == HttpMethod.GET
                || method == HttpMethod.HEAD
                || method == HttpMethod.OPTIONS
                || method == HttpMethod.PUT
                || method == HttpMethod.DELETE
                || method == HttpMethod.TRACE;
    }

    /** Answers a failure before the response started; maps upstream failures to 502, 503 and 504. */
    void fail(Exchange exchange, Throwable cause) {
        RouteRejection rejection;
        if (cause instanceof RouteRejection r) {
            rejection = r;
        } else if (cause instanceof TimeoutException) {
            metrics.upstreamError(RouterMetrics.UpstreamError.TIMEOUT);
            rejection = new RouteRejection(
                    504,
                    "Sandbox " + exchange.route.sandbox() + " did not answer within "
                            + timeoutText(exchange.route.timeoutMillis()) + ".");
        } else if (cause instanceof ConnectException) {
            metrics.upstreamError(RouterMetrics.UpstreamError.CONNECT);
            rejection = new RouteRejection(
                    502, "Could not connect to the backend sandbox: " + exchange.route.sandbox() + ".");
        } else if (cause instanceof UpstreamPool.BusyException) {
            metrics.upstreamError(RouterMetrics.UpstreamError.BUSY);
            rejection = new RouteRejection(
                    503,
                    "Sandbox " + exchange.route.sandbox() + " has " + maxConnectionsPerSandbox
                            + " requests in flight, the router's limit per sandbox, and none finished within "
                            + timeoutText(connectTimeoutMillis) + ".",
                    retryAfterSeconds);
        } else if (cause instanceof UpstreamConnection.ClosedException) {
            metrics.upstreamError(RouterMetrics.UpstreamError.RESET);
            rejection = new RouteRejection(
                    502, "Sandbox " + exchange.route.sandbox() + " closed the connection before answering.");
        } else {
            metrics.upstreamError(RouterMetrics.UpstreamError.RESET);
            rejection =
                    new RouteRejection(502, "Sandbox " + exchange.route.sandbox() + " did not answer with valid HTTP.");
        }
        HttpServerResponse response = exchange.request.response();
        if (!response.ended() && !response.closed()) {
            JsonError.send(response, rejection);
        }
    }

    /** Records the exchange once; {@code status} 0 means "as the response says". */
    private void finished(Exchange exchange, int statusOverride) {
        if (!exchange.finish()) {
            return;
        }
        if (exchange instanceof Forwarding forwarding && forwarding.use != null) {
            activity.closed(forwarding.use);
        }
        long nanos = System.nanoTime() - exchange.startNanos;
        HttpServerResponse response = exchange.request.response();
        int status = statusOverride != 0 ? statusOverride : response.getStatusCode();
        metrics.requestFinished(status, nanos);
        SandboxRoute route = exchange.route;
        if (accessLog != null) {
            HttpServerRequest request = exchange.request;
            accessLog.log(
                    exchange.remoteHost == null ? "-" : exchange.remoteHost,
                    request.method().name(),
                    request.path(),
                    route == null ? null : route.sandbox(),
                    route == null ? 0 : route.port(),
                    route == null ? null : route.owner(),
                    status,
                    response.bytesWritten(),
                    nanos);
        }
    }

    private static String timeoutText(long millis) {
        return millis % 1000 == 0 ? (millis / 1000) + " s" : (millis / 1000.0) + " s";
    }

    /** A sandbox's declared Content-Length, or -1 when it is not a plain number (the client codec checks it). */
    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new RouteRejection(400, "Invalid Content-Length.");
        }
    }

    private static boolean isWebSocketUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && "websocket".equalsIgnoreCase(upgrade) && request.method() == HttpMethod.GET;
    }

    /** Closes relayed WebSockets with 1001 (going away); HTTP requests are drained by the HTTP server. */
    public void closeWebSockets() {
        webSockets.closeAll();
    }

    @Override
    public void close() {
        webSockets.closeAll();
        pools.close();
    }
}
