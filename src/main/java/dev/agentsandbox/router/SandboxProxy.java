package dev.agentsandbox.router;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The router's request path: validate the routing headers, authenticate, resolve and authorise against the
 * Sandbox cache, then stream the request to the sandbox and the response back over pooled keep-alive connections.
 * Everything here runs on the event loop and nothing here blocks; bodies are piped with back-pressure, never
 * buffered.
 */
public final class SandboxProxy implements Handler<HttpServerRequest>, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SandboxProxy.class);
    private static final String HEALTH = "{\"status\":\"ok\"}";

    private final RoutingHeaders routingHeaders;
    private final CallerAuthenticator authenticator;
    private final SandboxRoutes routes;
    private final RouterMetrics metrics;
    private final AccessLog accessLog;
    private final UpstreamClients clients;
    private final WebSocketRelay webSockets;
    private final long connectTimeoutMillis;
    private final long maxBodyBytes;

    public SandboxProxy(
            Vertx vertx,
            RouterConfig config,
            CallerAuthenticator authenticator,
            SandboxRoutes routes,
            RouterMetrics metrics,
            AccessLog accessLog) {
        this.routingHeaders = new RoutingHeaders(config.proxyTimeoutSeconds() * 1000L);
        this.authenticator = authenticator;
        this.routes = routes;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.connectTimeoutMillis = config.connectTimeout().toMillis();
        this.maxBodyBytes = config.maxBodyBytes();
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout((int) Math.max(1, config.keepAlive().toSeconds()))
                .setConnectTimeout((int) connectTimeoutMillis)
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setMaxHeaderSize(64 * 1024)
                .setMaxInitialLineLength(16 * 1024);
        this.clients = new UpstreamClients(
                vertx,
                options,
                new PoolOptions()
                        .setHttp1MaxSize(config.maxConnectionsPerSandbox())
                        .setMaxWaitQueueSize(-1));
        this.webSockets = new WebSocketRelay(vertx, connectTimeoutMillis, metrics);
    }

    @Override
    public void handle(HttpServerRequest request) {
        if ("/healthz".equals(request.path()) && request.headers().get(RoutingHeaders.SANDBOX_ID) == null) {
            request.response().putHeader("Content-Type", "application/json").end(HEALTH);
            return;
        }
        Exchange exchange = new Exchange(request, System.nanoTime());
        metrics.requestStarted();
        HttpServerResponse response = request.response();
        response.endHandler(v -> finished(exchange, 0));
        response.closeHandler(v -> {
            if (exchange.upstream != null) {
                exchange.upstream.reset();
            }
            finished(exchange, 0);
        });
        Caller caller = null;
        try {
            SandboxAddress address = routingHeaders.parse(request.headers());
            caller = authenticator.authenticate(request.headers().get("Authorization"));
            exchange.route = routes.resolve(address, caller);
            metrics.sandboxUsed(exchange.route.sandbox());
            long declaredLength = contentLength(request);
            if (declaredLength > maxBodyBytes) {
                throw new RouteRejection(413, "Request body exceeds " + maxBodyBytes + " bytes.");
            }
            if (isWebSocketUpgrade(request)) {
                webSockets.relay(request, exchange.route, exchange, this::fail, () -> finished(exchange, 101));
                return;
            }
            forward(exchange, declaredLength);
        } catch (RouteRejection rejection) {
            JsonError.send(response, rejection);
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s %s: unexpected router failure", request.method(), request.path());
            JsonError.send(response, new RouteRejection(500, "An internal error occurred in the router."));
        }
    }

    private void forward(Exchange exchange, long declaredLength) {
        HttpServerRequest request = exchange.request;
        SandboxRoute route = exchange.route;
        // RFC 9112 6.3: a request has a body only with a Content-Length above 0 or a Transfer-Encoding
        boolean bodyless =
                declaredLength == 0 || (declaredLength < 0 && request.getHeader("Transfer-Encoding") == null);
        if (!bodyless) {
            request.pause();
            if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
                request.response().writeContinue();
            }
        }
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(route.host())
                .setPort(route.port())
                .setURI(request.uri())
                .setConnectTimeout(connectTimeoutMillis)
                .setIdleTimeout(route.timeoutMillis());
        clients.current().request(options).onComplete(ar -> {
            if (ar.failed()) {
                if (!bodyless) {
                    request.resume();
                }
                fail(exchange, ar.cause());
                return;
            }
            HttpClientRequest upstream = ar.result();
            exchange.upstream = upstream;
            ForwardedHeaders.toSandbox(request, route.owner(), false, upstream.headers());
            Future<HttpClientResponse> answered;
            if (bodyless) {
                answered = upstream.send();
            } else {
                ReadStream<Buffer> body = declaredLength >= 0
                        ? request
                        : new BoundedBody(request, maxBodyBytes, () -> {
                            // The 413 first: resetting the upstream fails the pending send, whose handler would
                            // answer 502.
                            fail(exchange, new RouteRejection(413, "Request body exceeds " + maxBodyBytes + " bytes."));
                            upstream.reset();
                        });
                answered = upstream.send(body);
            }
            answered.onComplete(rar -> {
                if (rar.failed()) {
                    fail(exchange, rar.cause());
                } else {
                    respond(exchange, rar.result());
                }
            });
        });
    }

    private void respond(Exchange exchange, HttpClientResponse upstreamResponse) {
        HttpServerResponse response = exchange.request.response();
        if (response.ended() || response.closed()) {
            exchange.upstream.reset();
            return;
        }
        response.setStatusCode(upstreamResponse.statusCode());
        response.setStatusMessage(upstreamResponse.statusMessage());
        ForwardedHeaders.toClient(upstreamResponse.headers(), response.headers());
        int status = upstreamResponse.statusCode();
        boolean bodyless = exchange.request.method() == HttpMethod.HEAD || status == 204 || status == 304;
        long length = -1;
        if (!bodyless) {
            String contentLength = upstreamResponse.getHeader("Content-Length");
            if (contentLength == null) {
                response.setChunked(true);
            } else {
                length = parseLength(contentLength);
            }
        }
        new ResponseRelay(exchange, upstreamResponse, response, length).start();
    }

    /**
     * Streams a sandbox's response body to the client as it arrives, with back-pressure. The chunk that completes
     * a declared length ends the response, so a small reply leaves as one write (head and body) instead of a
     * write and an end. A failure after the head is a reset, never a clean end: a cleanly terminated body would
     * pass a truncated reply off as complete.
     */
    private final class ResponseRelay implements Handler<Buffer> {
        private final Exchange exchange;
        private final HttpClientResponse from;
        private final HttpServerResponse to;
        private long remaining;

        ResponseRelay(Exchange exchange, HttpClientResponse from, HttpServerResponse to, long length) {
            this.exchange = exchange;
            this.from = from;
            this.to = to;
            this.remaining = length;
        }

        void start() {
            from.handler(this);
            from.endHandler(v -> {
                if (!to.ended() && !to.closed()) {
                    to.end((Handler<AsyncResult<Void>>) null);
                }
            });
            from.exceptionHandler(cause -> {
                if (to.ended()) {
                    // the reply was complete (ended with its last declared byte): nothing to cut short
                    return;
                }
                metrics.upstreamError(RouterMetrics.UpstreamError.RESET);
                exchange.upstream.reset();
                to.reset();
                finished(exchange, 0);
            });
        }

        @Override
        public void handle(Buffer chunk) {
            if (to.ended() || to.closed()) {
                return;
            }
            if (remaining >= 0) {
                remaining -= chunk.length();
                if (remaining == 0) {
                    to.end(chunk, null);
                    return;
                }
            }
            to.write(chunk, null);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        }
    }

    /** Answers a failure before the response started; maps upstream failures to 502 and 504. */
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
        } else {
            metrics.upstreamError(RouterMetrics.UpstreamError.RESET);
            rejection = new RouteRejection(
                    502, "Sandbox " + exchange.route.sandbox() + " closed the connection before answering.");
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
        long nanos = System.nanoTime() - exchange.startNanos;
        HttpServerResponse response = exchange.request.response();
        int status = statusOverride != 0 ? statusOverride : response.getStatusCode();
        metrics.requestFinished(status, nanos);
        SandboxRoute route = exchange.route;
        if (accessLog != null) {
            HttpServerRequest request = exchange.request;
            accessLog.log(
                    request.remoteAddress() == null
                            ? "-"
                            : request.remoteAddress().hostAddress(),
                    request.method().name(),
                    request.path(),
                    route == null ? null : route.sandbox() + ":" + route.port(),
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
        clients.close();
    }
}
