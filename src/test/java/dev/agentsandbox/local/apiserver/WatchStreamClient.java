package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A plain HTTP client of the embedded API server's streaming watches, reading one JSON event a line as a Kubernetes
 * client does, so that tests see the wire format itself rather than what a client library makes of it.
 */
final class WatchStreamClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The status and headers, then the events as they arrive; {@link #ended} once the server closes the stream. */
    final int status;

    final String contentType;
    final String body;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Stream<String> lines;

    private WatchStreamClient(HttpResponse<Stream<String>> response) {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("Content-Type").orElse("");
        this.lines = response.body();
        if (status != 200) {
            this.body = String.join("\n", lines.toList());
            ended.countDown();
            return;
        }
        this.body = null;
        Thread reader = new Thread(
                () -> {
                    try {
                        lines.forEach(line -> events.add(parse(line)));
                    } catch (RuntimeException e) {
                        // closed by the test
                    } finally {
                        ended.countDown();
                    }
                },
                "watch-stream-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code GET path?query} on the server with its token and the given Accept header (null for none). */
    static WatchStreamClient open(EmbeddedApiServer server, String pathAndQuery, String accept)
            throws IOException, InterruptedException {
        return open(server, server.token(), pathAndQuery, accept);
    }

    /** As {@link #open(EmbeddedApiServer, String, String)} with this bearer token (null for none). */
    static WatchStreamClient open(EmbeddedApiServer server, String token, String pathAndQuery, String accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + pathAndQuery));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        HttpResponse<Stream<String>> response =
                client().send(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
        return new WatchStreamClient(response);
    }

    /** The next event within {@code timeout}, or null. */
    JsonNode next(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next {@code n} events; fails when fewer arrive within {@code timeout}. */
    List<JsonNode> next(int n, Duration timeout) throws InterruptedException {
        List<JsonNode> got = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (got.size() < n) {
            JsonNode e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("got " + got.size() + " of " + n + " events in " + timeout + ": " + got);
            }
            got.add(e);
        }
        return got;
    }

    /** Whether the server ended the stream within {@code timeout}. */
    boolean ends(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The events received and not yet taken. */
    List<JsonNode> drain() {
        List<JsonNode> rest = new ArrayList<>();
        events.drainTo(rest);
        return rest;
    }

    @Override
    public void close() {
        lines.close();
    }

    /** {@code TYPE name} of an event, for order assertions. */
    static String summary(JsonNode event) {
        return event.path("type").asText() + " "
                + event.path("object").path("metadata").path("name").asText();
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException("not a JSON event: " + line, e);
        }
    }

    private static HttpClient client() {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new TrustAll()}, null);
            return HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .sslContext(tls)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The embedded server's certificate is self-signed and on loopback only. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
