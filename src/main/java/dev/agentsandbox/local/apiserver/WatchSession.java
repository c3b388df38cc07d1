package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import java.time.Duration;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One open watch: what it starts with, then every change of its resource that its selectors see, as ADDED, MODIFIED
 * or DELETED in the order the store took the writes, with bookmarks when asked, until its timeout or the client goes.
 * Everything but the hand-over of a change runs on the Vert.x context of the client's connection, so events leave in
 * the order they were queued there and a writer never waits for a slow client.
 */
final class WatchSession {

    /** Where a watch's events go: an HTTP response, one event a line, or a WebSocket, one event a message. */
    interface Sink {
        void send(String event);

        /** Whether so much waits to be written that the client is taken to be gone. */
        boolean backedUp();

        void end();
    }

    /** How often a watch that allows bookmarks gets one (kube-apiserver: about once a minute). */
    static final Duration BOOKMARK_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = Logger.getLogger(WatchSession.class);

    private final WatchRequest request;
    private final CrudStore store;
    private final WatchEvents events;
    private final Sink sink;
    private final Context context;
    private final Consumer<WatchCache.Change> follower = this::queue;
    /** The version of the last event sent: a bookmark never goes back before it. */
    private long sentVersion;

    private boolean ended;
    private long timeoutTimer = -1;
    private long bookmarkTimer = -1;

    WatchSession(WatchRequest request, CrudStore store, Sink sink, Context context) {
        this.request = request;
        this.store = store;
        this.events = new WatchEvents(request, store.crdOf(request.type()));
        this.sink = sink;
        this.context = context;
    }

    /** Sends what the watch starts with and follows the store from there; called on the connection's context. */
    void open() {
        try {
            store.betweenWrites(this::start);
        } catch (ApiException e) {
            sink.send(WatchEvents.error(e));
            end();
            return;
        }
        timeoutTimer = context.owner().setTimer(Math.max(1, request.timeout().toMillis()), id -> timedOut());
        if (request.bookmarks()) {
            bookmarkTimer = context.owner().setPeriodic(BOOKMARK_INTERVAL.toMillis(), id -> bookmark());
        }
    }

    /** Ends the watch (its timeout, or the client went away); safe to call more than once. */
    void end() {
        if (ended) {
            return;
        }
        ended = true;
        context.owner().cancelTimer(timeoutTimer);
        context.owner().cancelTimer(bookmarkTimer);
        store.changes().unwatch(request.resource(), follower);
        sink.end();
    }

    /** Runs while no write runs, so that nothing is missed or sent twice between the start and the changes. */
    private void start() {
        WatchCache changes = store.changes();
        switch (request.start()) {
            case CHANGES_SINCE -> {
                sentVersion = request.resourceVersion();
                changes.watchFrom(request.resource(), request.resourceVersion(), follower)
                        .forEach(this::send);
            }
            case CHANGES_FROM_NOW -> changes.watch(request.resource(), follower);
            case CURRENT_STATE, INITIAL_EVENTS -> {
                JsonNode list = CrudStore.json(store.get(request.resource().collectionPath()));
                for (JsonNode item : list.path("items")) {
                    if (request.selected().test(item)) {
                        sink.send(events.of("ADDED", item));
                    }
                }
                changes.watch(request.resource(), follower);
                sentVersion = list.path("metadata").path("resourceVersion").asLong();
                if (request.start() == WatchRequest.Start.INITIAL_EVENTS && request.bookmarks()) {
                    sink.send(events.bookmark(sentVersion, true));
                }
            }
        }
    }

    /** Called by the watch cache, on the writer's thread: hands the change to the connection's context. */
    private void queue(WatchCache.Change change) {
        context.runOnContext(v -> send(change));
    }

    /**
     * The event of a change as this watch's selectors see it, as kube-apiserver decides it: an object that enters
     * the selection is ADDED, one that leaves it is DELETED (its last state, at the change's version).
     */
    private void send(WatchCache.Change change) {
        if (ended) {
            return;
        }
        boolean was = change.before() != null && request.selected().test(change.before());
        boolean is = change.after() != null && request.selected().test(change.after());
        sentVersion = Math.max(sentVersion, change.resourceVersion());
        if (!was && !is) {
            return;
        }
        if (sink.backedUp()) {
            LOG.infof(
                    "watch of %s: the client does not keep up; the watch ends",
                    request.resource().collectionPath());
            end();
            return;
        }
        sink.send(
                was && is
                        ? events.of("MODIFIED", change.after())
                        : is ? events.of("ADDED", change.after()) : events.of("DELETED", change.before()));
    }

    /** Queues a bookmark at the latest version before any later change can reach this watch. */
    private void bookmark() {
        store.changes()
                .atLatest(latest -> context.runOnContext(v -> {
                    if (!ended) {
                        sink.send(events.bookmark(Math.max(latest, sentVersion), false));
                    }
                }));
    }

    /** As kube-apiserver, a last bookmark before the end, so the client resumes from there rather than relisting. */
    private void timedOut() {
        if (request.bookmarks()) {
            bookmark();
        }
        context.runOnContext(v -> end());
    }
}
