package dev.agentsandbox.router;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Relays a WebSocket between a client and a sandbox frame by frame. The sandbox is connected first, so a sandbox
 * that refuses is answered with a JSON error rather than an accepted-then-dropped socket; close codes and reasons
 * cross in both directions.
 */
final class WebSocketRelay {

    /** RFC 6455: sent when an endpoint is going away, e.g. a router shutting down. */
    private static final short GOING_AWAY = 1001;

    private final WebSocketClient client;
    private final long connectTimeoutMillis;
    private final RouterMetrics metrics;
    private final SandboxActivity activity;
    private final Set<WebSocketBase> open = ConcurrentHashMap.newKeySet();

    WebSocketRelay(Vertx vertx, long connectTimeoutMillis, RouterMetrics metrics, SandboxActivity activity) {
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setConnectTimeout((int) connectTimeoutMillis)
                .setTcpNoDelay(true)
                .setMaxFrameSize(1024 * 1024)
                .setMaxMessageSize(16 * 1024 * 1024));
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.metrics = metrics;
        this.activity = activity;
    }

    /**
     * @param fail answers a failure before the upgrade
     * @param upgraded called once the client's socket is open
     */
    void relay(
            HttpServerRequest request,
            SandboxRoute route,
            Exchange exchange,
            BiConsumer<Exchange, Throwable> fail,
            Runnable upgraded) {
        request.pause();
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(route.host())
                .setPort(route.port())
                .setURI(request.uri())
                .setHeaders(ForwardedHeaders.toSandbox(
                        request, exchange.remoteHost, route.owner(), true, MultiMap.caseInsensitiveMultiMap()))
                .setConnectTimeout(connectTimeoutMillis)
                .setTimeout(route.timeoutMillis());
        String protocols = request.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            for (String protocol : protocols.split(",")) {
                if (!protocol.isBlank()) {
                    options.addSubProtocol(protocol.trim());
                }
            }
        }
        client.connect(options).onComplete(ar -> {
            if (ar.failed()) {
                request.resume();
                Throwable cause = ar.cause();
                if (cause instanceof UpgradeRejectedException rejected) {
                    cause = new RouteRejection(
                            502,
                            "Sandbox " + route.sandbox() + " refused the WebSocket upgrade with " + "status "
                                    + rejected.getStatus() + ".");
                }
                fail.accept(exchange, cause);
                // The connection was held for an upgrade that will not happen; closing it makes sure the client
                // does not wait for one (seen with java.net.http clients after a refused upgrade).
                request.connection().close();
                return;
            }
            WebSocket upstream = ar.result();
            upstream.pause();
            request.toWebSocket().onComplete(sar -> {
                if (sar.failed()) {
                    upstream.close();
                    return;
                }
                ServerWebSocket downstream = sar.result();
                upgraded.run();
                metrics.webSocketOpened();
                // an open WebSocket keeps its sandbox active for as long as it is open
                SandboxActivity.Use use = activity.opened(route.sandbox());
                open.add(downstream);
                pipe(downstream, upstream, () -> {
                    open.remove(downstream);
                    metrics.webSocketClosed();
                    activity.closed(use);
                });
                pipe(upstream, downstream, () -> {});
                upstream.resume();
            });
        });
    }

    /** Data frames go across as they are (fragments stay fragments); control frames are answered locally. */
    private static void pipe(WebSocketBase from, WebSocketBase to, Runnable onClose) {
        from.frameHandler(frame -> {
            if (!isData(frame) || to.isClosed()) {
                return;
            }
            to.writeFrame(frame);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
        from.closeHandler(v -> {
            onClose.run();
            if (!to.isClosed()) {
                Short code = from.closeStatusCode();
                // 1005 and 1006 mean "no code" and may not be sent on the wire.
                if (code == null || code == 1005 || code == 1006) {
                    to.close();
                } else {
                    to.close(code, from.closeReason());
                }
            }
        });
        from.exceptionHandler(e -> {
            if (!to.isClosed()) {
                to.close();
            }
        });
    }

    private static boolean isData(WebSocketFrame frame) {
        return frame.isText() || frame.isBinary() || frame.isContinuation();
    }

    void closeAll() {
        for (WebSocketBase socket : open) {
            socket.close(GOING_AWAY, "router shutting down");
        }
    }
}
