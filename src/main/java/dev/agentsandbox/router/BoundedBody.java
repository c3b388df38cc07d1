package dev.agentsandbox.router;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;

/** A chunked request body that stops at a byte limit (a declared Content-Length is checked up front instead). */
final class BoundedBody implements ReadStream<Buffer> {

    private final HttpServerRequest request;
    private final long limit;
    private final Runnable onOverflow;
    private long seen;
    private boolean overflowed;

    BoundedBody(HttpServerRequest request, long limit, Runnable onOverflow) {
        this.request = request;
        this.limit = limit;
        this.onOverflow = onOverflow;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        if (handler == null) {
            request.handler(null);
            return this;
        }
        request.handler(chunk -> {
            if (overflowed) {
                return;
            }
            seen += chunk.length();
            if (seen > limit) {
                overflowed = true;
                onOverflow.run();
                return;
            }
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        request.exceptionHandler(handler);
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        request.pause();
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        request.resume();
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        request.fetch(amount);
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        request.endHandler(endHandler);
        return this;
    }
}
