package dev.agentsandbox.router;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The router's own listener, on the wire contract's port: one HTTP server per event loop (Vert.x spreads the
 * accepted connections over them), in front of the {@link SandboxProxy}. Quarkus's listener serves health and
 * metrics on the management port instead; this one has what a public proxy needs and Quarkus's does not offer:
 *
 * <ul>
 *   <li>a <b>request-head timeout</b>: a connection that has not sent a complete request line and headers within
 *       {@code request-head-timeout} of opening is closed, however slowly it trickles bytes (slowloris);
 *   <li>a <b>keep-alive timeout</b>: after a response, the next request's head must be complete within
 *       {@code client-keep-alive-timeout}, or the connection is closed;
 *   <li>an idle timeout while a request is in flight (no byte either way), and limits on the request line and
 *       header size (431 or a close above them);
 *   <li>a <b>drain</b> on shutdown: requests in flight finish (up to {@code drain-timeout}), each connection is
 *       closed after its current response, relayed WebSockets are closed with 1001.
 * </ul>
 */
public final class RouterServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RouterServer.class);

    private final Vertx vertx;
    private final List<String> deployments;
    private final List<Listener> listeners;
    private final int port;

    private RouterServer(Vertx vertx, List<String> deployments, List<Listener> listeners, int port) {
        this.vertx = vertx;
        this.deployments = deployments;
        this.listeners = listeners;
        this.port = port;
    }

    /** What handles each request, with the state of the client connection it came on. */
    @FunctionalInterface
    public interface RequestHandler {
        void handle(HttpServerRequest request, ClientConnection connection);
    }

    /** Starts {@code instances} servers on the configured host and port (0: a free port, shared by all of them). */
    public static RouterServer start(
            Vertx vertx, RouterConfig.ListenerConfig config, RequestHandler proxy, int instances) throws Exception {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setTcpNoDelay(true)
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                .setHandle100ContinueAutomatically(false)
                // relayed WebSockets are passed on frame by frame, uncompressed on both legs (the router's client
                // to the sandbox does not offer compression either); without this Vert.x puts a compression
                // negotiation handler in every connection's pipeline, which inspects every HTTP response
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // no h2c upgrade sniffing: it delays the connection handler (and so the head deadline) until the
                // first bytes arrive
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) Math.max(1, config.idleTimeout().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxInitialLineLength(config.maxInitialLineLength());
        List<Listener> listeners = new ArrayList<>();
        List<String> deployments = new ArrayList<>();
        // Vert.x shares one listening socket among servers asked for the same host and port (0 included: the
        // first picks a free port, the others share it) and spreads accepted connections over them.
        Listener first = new Listener(options, config, proxy);
        deployments.add(await(vertx.deployVerticle(first)));
        listeners.add(first);
        int port = first.server.actualPort();
        for (int i = 1; i < Math.max(1, instances); i++) {
            Listener next = new Listener(new HttpServerOptions(options), config, proxy);
            deployments.add(await(vertx.deployVerticle(next)));
            listeners.add(next);
        }
        LOG.infof(
                "router: listening on http://%s:%d (%d event loops; request head within %s, keep-alive %s)",
                config.host(), port, listeners.size(), config.requestHeadTimeout(), config.clientKeepAliveTimeout());
        return new RouterServer(vertx, deployments, listeners, port);
    }

    /** The port as bound. */
    public int port() {
        return port;
    }

    /**
     * Lets the requests in flight finish, up to {@code timeout}: from now on each connection is closed after its
     * current response. Returns whether everything finished in time.
     */
    public boolean drain(Duration timeout, RouterMetrics metrics) throws InterruptedException {
        listeners.forEach(l -> l.draining = true);
        long deadline = System.nanoTime() + timeout.toNanos();
        // HTTP exchanges only: relayed WebSockets live as long as their clients want and are closed with 1001 next
        while (metrics.httpInFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        int left = metrics.httpInFlight();
        if (left > 0) {
            LOG.warnf("router: %d exchange(s) still in flight after %s; closing them", left, timeout);
        }
        return left == 0;
    }

    @Override
    public void close() {
        for (String id : deployments) {
            try {
                await(vertx.undeploy(id));
            } catch (Exception e) {
                LOG.debugf("router: undeploying a listener failed: %s", e.getMessage());
            }
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /**
     * One event loop's server; its connection map is only touched on that loop. Deadlines are stamps on each
     * connection, checked by one periodic sweep per event loop, not a timer armed and cancelled per request: that
     * cost two timer-queue operations per request on the hot path. A deadline is thus enforced within a sweep
     * interval after it passes (a tenth of the shortest timeout, between 10 ms and 1 s).
     */
    static final class Listener extends AbstractVerticle {

        /** No deadline: a request is in flight (the idle timeout applies instead). */
        private static final long NONE = Long.MAX_VALUE;

        private final HttpServerOptions options;
        private final long headNanos;
        private final long keepAliveNanos;
        private final long sweepMillis;
        private final RequestHandler proxy;
        private final Map<HttpConnection, ClientConnection> connections = new HashMap<>();
        volatile boolean draining;
        HttpServer server;
        private long sweeper = -1;

        Listener(HttpServerOptions options, RouterConfig.ListenerConfig config, RequestHandler proxy) {
            this.options = options;
            long headMillis = Math.max(1, config.requestHeadTimeout().toMillis());
            long keepAliveMillis = Math.max(1, config.clientKeepAliveTimeout().toMillis());
            this.headNanos = TimeUnit.MILLISECONDS.toNanos(headMillis);
            this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
            this.sweepMillis = Math.max(10, Math.min(1000, Math.min(headMillis, keepAliveMillis) / 10));
            this.proxy = proxy;
        }

        @Override
        public void start(Promise<Void> started) {
            sweeper = vertx.setPeriodic(sweepMillis, id -> sweep());
            server = vertx.createHttpServer(options)
                    .connectionHandler(connection -> {
                        ClientConnection state = new ClientConnection(connection.remoteAddress());
                        state.deadline = System.nanoTime() + headNanos;
                        connections.put(connection, state);
                        connection.closeHandler(v -> connections.remove(connection));
                    })
                    .requestHandler(request -> {
                        HttpConnection connection = request.connection();
                        ClientConnection state = connections.get(connection);
                        if (state == null) {
                            // closed meanwhile: the request still gets an answer, with nothing remembered
                            proxy.handle(request, new ClientConnection(request.remoteAddress()));
                            return;
                        }
                        state.active++;
                        state.deadline = NONE;
                        request.response().bodyEndHandler(v -> {
                            // pipelined requests: the keep-alive clock starts when the last one is answered
                            if (--state.active > 0) {
                                return;
                            }
                            if (draining) {
                                connection.close();
                            } else {
                                state.deadline = System.nanoTime() + keepAliveNanos;
                            }
                        });
                        proxy.handle(request, state);
                    });
            server.listen().<Void>mapEmpty().onComplete(started);
        }

        @Override
        public void stop() {
            if (sweeper != -1) {
                vertx.cancelTimer(sweeper);
            }
        }

        /** Closes the connections whose deadline has passed. */
        private void sweep() {
            long now = System.nanoTime();
            List<HttpConnection> late = null;
            for (Map.Entry<HttpConnection, ClientConnection> e : connections.entrySet()) {
                long deadline = e.getValue().deadline;
                if (deadline != NONE && now - deadline >= 0) {
                    if (late == null) {
                        late = new ArrayList<>();
                    }
                    late.add(e.getKey());
                }
            }
            if (late != null) {
                // closing may run the close handler, which edits the map: not while iterating it
                late.forEach(HttpConnection::close);
            }
        }
    }
}
