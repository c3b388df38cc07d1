package dev.agentsandbox.local.apiserver;

import static dev.agentsandbox.local.apiserver.WatchStreamClient.summary;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP-streaming watches of the embedded API server as kube-apiserver serves them (what kubectl, client-go and the
 * Python client read): chunked, one JSON event a line, in the order of the writes, from a resourceVersion or from
 * the current state, with selectors, bookmarks, timeouts, Tables and {@code sendInitialEvents}.
 */
class HttpWatchTest {

    static final Duration WAIT = Duration.ofSeconds(5);
    /** Kept small so that a test can push a version out of the watch cache. */
    static final int WATCH_CACHE_SIZE = 5;

    static EmbeddedApiServer server;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        server = EmbeddedApiServer.start(0, EmbeddedApiServer.newToken(), new ApiFaults(), WATCH_CACHE_SIZE);
        client = server.client("test");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void aWatchFromTheListsVersionGetsEachChangeInTheOrderItWasMade() throws Exception {
        String listed = listVersion("order");
        try (WatchStreamClient watch = watch("order", "watch=true&resourceVersion=" + listed, null);
                WatchStreamClient numeric = watch("order", "watch=1&resourceVersion=" + listed, null)) {
            assertThat(watch.status).isEqualTo(200);
            assertThat(watch.contentType).startsWith("application/json");
            create("order", "a", Map.of("tier", "web"));
            label("order", "a", "tier", "api");
            client.configMaps().inNamespace("order").withName("a").delete();

            List<JsonNode> events = watch.next(3, WAIT);
            assertThat(events)
                    .extracting(WatchStreamClient::summary)
                    .containsExactly("ADDED a", "MODIFIED a", "DELETED a");
            assertThat(events)
                    .extracting(e -> e.path("object")
                            .path("metadata")
                            .path("resourceVersion")
                            .asLong())
                    .as("each event at the version of its write, the deletion at a version of its own")
                    .isSorted()
                    .doesNotHaveDuplicates()
                    .allMatch(v -> v > Long.parseLong(listed));
            assertThat(events.get(1)
                            .path("object")
                            .path("metadata")
                            .path("labels")
                            .path("tier")
                            .asText())
                    .isEqualTo("api");
            assertThat(numeric.next(3, WAIT))
                    .extracting(WatchStreamClient::summary)
                    .containsExactly("ADDED a", "MODIFIED a", "DELETED a");
        }
    }

    @Test
    void aWatchWithoutAVersionStartsWithTheObjectsThatExistAndAResumedOneReplaysWhatItMissed() throws Exception {
        create("state", "before", Map.of());
        String resumeFrom;
        try (WatchStreamClient watch = watch("state", "watch=true", null)) {
            JsonNode added = watch.next(WAIT);
            assertThat(summary(added)).isEqualTo("ADDED before");
            resumeFrom = added.path("object")
                    .path("metadata")
                    .path("resourceVersion")
                    .asText();
        }
        create("state", "meanwhile", Map.of());
        client.configMaps().inNamespace("state").withName("before").delete();
        try (WatchStreamClient resumed = watch("state", "watch=true&resourceVersion=" + resumeFrom, null)) {
            assertThat(resumed.next(2, WAIT))
                    .extracting(WatchStreamClient::summary)
                    .containsExactly("ADDED meanwhile", "DELETED before");
            assertThat(resumed.next(Duration.ofMillis(300))).as("nothing twice").isNull();
        }
    }

    @Test
    void setBasedLabelAndFieldSelectorsDecideWhatEntersAndLeavesTheWatch() throws Exception {
        String query = "watch=true&resourceVersion=" + listVersion("select")
                + "&labelSelector=tier%20in%20(web,api),!legacy&fieldSelector=metadata.name!%3Dignored";
        try (WatchStreamClient watch = watch("select", query, null)) {
            create("select", "w1", Map.of("tier", "web"));
            create("select", "db", Map.of("tier", "db"));
            create("select", "ignored", Map.of("tier", "web"));
            label("select", "w1", "legacy", "true");
            label("select", "db", "tier", "api");
            client.configMaps().inNamespace("select").withName("db").delete();

            List<JsonNode> events = watch.next(4, WAIT);
            assertThat(events)
                    .extracting(WatchStreamClient::summary)
                    .containsExactly("ADDED w1", "DELETED w1", "ADDED db", "DELETED db");
            assertThat(events.get(1)
                            .path("object")
                            .path("metadata")
                            .path("labels")
                            .has("legacy"))
                    .as("an object that leaves the selection is DELETED in the state it was selected in")
                    .isFalse();
            assertThat(watch.next(Duration.ofMillis(300))).isNull();
        }
    }

    @Test
    void aVersionOlderThanTheWatchCacheKeepsGets410AndOneNotReachedYet504() throws Exception {
        String first = client.secrets()
                .inNamespace("expire")
                .resource(secret("s0"))
                .create()
                .getMetadata()
                .getResourceVersion();
        for (int i = 1; i <= WATCH_CACHE_SIZE + 1; i++) {
            client.secrets().inNamespace("expire").resource(secret("s" + i)).create();
        }
        try (WatchStreamClient tooOld = WatchStreamClient.open(
                server, "/api/v1/namespaces/expire/secrets?watch=true&resourceVersion=" + first, null)) {
            assertThat(tooOld.status).isEqualTo(410);
            JsonNode status = WatchStreamClient.JSON.readTree(tooOld.body);
            assertThat(status.path("kind").asText()).isEqualTo("Status");
            assertThat(status.path("reason").asText()).isEqualTo("Expired");
            assertThat(status.path("code").asInt()).isEqualTo(410);
            assertThat(status.path("message").asText()).startsWith("too old resource version: " + first);
        }
        try (WatchStreamClient tooNew = WatchStreamClient.open(
                server, "/api/v1/namespaces/expire/secrets?watch=true&resourceVersion=999999", null)) {
            assertThat(tooNew.status).isEqualTo(504);
            JsonNode status = WatchStreamClient.JSON.readTree(tooNew.body);
            assertThat(status.path("message").asText()).startsWith("Too large resource version: 999999");
            assertThat(status.path("details")
                            .path("causes")
                            .get(0)
                            .path("reason")
                            .asText())
                    .isEqualTo("ResourceVersionTooLarge");
        }
    }

    @Test
    void timeoutSecondsEndsTheStreamAfterABookmarkWhenBookmarksAreAllowed() throws Exception {
        String listed = listVersion("timeout");
        try (WatchStreamClient bookmarked = watch(
                        "timeout",
                        "watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=" + listed,
                        null);
                WatchStreamClient plain =
                        watch("timeout", "watch=true&timeoutSeconds=1&resourceVersion=" + listed, null)) {
            long made = Long.parseLong(
                    create("timeout", "c", Map.of()).getMetadata().getResourceVersion());

            assertThat(bookmarked.ends(WAIT))
                    .as("ended by the server after timeoutSeconds")
                    .isTrue();
            List<JsonNode> events = bookmarked.drain();
            assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("ADDED", "BOOKMARK");
            JsonNode bookmark = events.get(1).path("object");
            assertThat(bookmark.path("kind").asText()).isEqualTo("ConfigMap");
            assertThat(bookmark.path("apiVersion").asText()).isEqualTo("v1");
            assertThat(bookmark.path("metadata").path("resourceVersion").asLong())
                    .isGreaterThanOrEqualTo(made);

            assertThat(plain.ends(WAIT)).isTrue();
            assertThat(plain.drain()).extracting(e -> e.path("type").asText()).containsExactly("ADDED");
        }
    }

    @Test
    void eventsAreTablesWhenTheClientAsksForThemWithColumnsInTheFirstOnly() throws Exception {
        String accept = "application/json;as=Table;g=meta.k8s.io;v=v1, application/json";
        try (WatchStreamClient watch = watch("table", "watch=true&resourceVersion=" + listVersion("table"), accept)) {
            create("table", "t1", Map.of());
            create("table", "t2", Map.of());
            List<JsonNode> events = watch.next(2, WAIT);
            JsonNode first = events.get(0).path("object");
            assertThat(first.path("kind").asText()).isEqualTo("Table");
            assertThat(first.path("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
            assertThat(first.path("columnDefinitions").findValuesAsText("name")).containsExactly("Name", "Age");
            assertThat(first.path("rows").get(0).path("cells").get(0).asText()).isEqualTo("t1");
            assertThat(first.path("rows").get(0).path("object").path("kind").asText())
                    .isEqualTo("PartialObjectMetadata");
            JsonNode second = events.get(1).path("object");
            assertThat(second.has("columnDefinitions")).isFalse();
            assertThat(second.path("rows").get(0).path("cells").get(0).asText()).isEqualTo("t2");
        }
    }

    @Test
    void sendInitialEventsStreamsTheCurrentObjectsThenABookmarkThatEndsThem() throws Exception {
        create("initial", "old", Map.of());
        String query = "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
                + "&resourceVersion=";
        try (WatchStreamClient watch = watch("initial", query, null)) {
            List<JsonNode> start = watch.next(2, WAIT);
            assertThat(summary(start.get(0))).isEqualTo("ADDED old");
            assertThat(start.get(1).path("type").asText()).isEqualTo("BOOKMARK");
            JsonNode end = start.get(1).path("object").path("metadata");
            assertThat(end.path("annotations")
                            .path(WatchEvents.INITIAL_EVENTS_END)
                            .asText())
                    .isEqualTo("true");
            assertThat(end.path("resourceVersion").asLong())
                    .isGreaterThanOrEqualTo(start.get(0)
                            .path("object")
                            .path("metadata")
                            .path("resourceVersion")
                            .asLong());
            create("initial", "new", Map.of());
            assertThat(summary(watch.next(WAIT))).isEqualTo("ADDED new");
        }
        try (WatchStreamClient refused = watch("initial", "watch=true&sendInitialEvents=true", null)) {
            assertThat(refused.status).isEqualTo(422);
            assertThat(refused.body)
                    .contains("sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
        }
    }

    @Test
    void aWatchNeedsTheToken() throws Exception {
        try (WatchStreamClient anonymous =
                WatchStreamClient.open(server, null, "/api/v1/namespaces/x/configmaps?watch=true", null)) {
            assertThat(anonymous.status).isEqualTo(401);
        }
    }

    static WatchStreamClient watch(String namespace, String query, String accept) throws Exception {
        return WatchStreamClient.open(server, "/api/v1/namespaces/" + namespace + "/configmaps?" + query, accept);
    }

    static String listVersion(String namespace) {
        return client.configMaps().inNamespace(namespace).list().getMetadata().getResourceVersion();
    }

    static ConfigMap create(String namespace, String name, Map<String, String> labels) {
        return client.configMaps()
                .inNamespace(namespace)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(labels)
                        .endMetadata()
                        .build())
                .create();
    }

    static void label(String namespace, String name, String key, String value) {
        client.configMaps().inNamespace(namespace).withName(name).edit(c -> {
            c.getMetadata().getLabels().put(key, value);
            return c;
        });
    }

    static io.fabric8.kubernetes.api.model.Secret secret(String name) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .build();
    }
}
