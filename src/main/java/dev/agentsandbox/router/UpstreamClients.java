package dev.agentsandbox.router;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One HTTP client, with its own keep-alive pool, per event loop, as nginx keeps one upstream pool per worker.
 * A request is sent on a connection of the loop that received it, so the request and its response are handled on
 * one thread; with a single shared pool a connection opened by another loop would hand every read and write of
 * the exchange across threads.
 */
final class UpstreamClients implements AutoCloseable {

    private final Vertx vertx;
    private final HttpClientOptions options;
    private final PoolOptions pool;
    private final Map<Thread, HttpClient> byLoop = new ConcurrentHashMap<>();

    UpstreamClients(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
        this.vertx = vertx;
        this.options = options;
        this.pool = pool;
    }

    /** The client of the calling event loop. */
    HttpClient current() {
        Thread thread = Thread.currentThread();
        HttpClient client = byLoop.get(thread);
        return client != null ? client : byLoop.computeIfAbsent(thread, t -> vertx.createHttpClient(options, pool));
    }

    @Override
    public void close() {
        byLoop.values().forEach(HttpClient::close);
        byLoop.clear();
    }
}
