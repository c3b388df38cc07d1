package dev.agentsandbox.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded API server answers like a real API server where the plain CRUD mock does not. */
class EmbeddedApiServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final ResourceDefinitionContext WIDGETS = new ResourceDefinitionContext.Builder()
            .withGroup("test.agents.x-k8s.io")
            .withVersion("v1")
            .withPlural("widgets")
            .withKind("Widget")
            .withNamespaced(true)
            .build();

    static EmbeddedApiServer server;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        server = EmbeddedApiServer.start();
        client = server.client("test");
        server.apply(client, EmbeddedApiServerTest.class.getResourceAsStream("/local/widgets-crd.yaml"));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @AfterEach
    void clearFaults() {
        server.faults().clear();
    }

    GenericKubernetesResource widget(String name, String spec) throws Exception {
        GenericKubernetesResource w = new GenericKubernetesResource();
        w.setApiVersion("test.agents.x-k8s.io/v1");
        w.setKind("Widget");
        w.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(name)
                .build());
        w.setAdditionalProperty("spec", JSON.readValue(spec, Map.class));
        return w;
    }

    @Test
    void mergePatchReplacesListsAndDeletesNulls() throws Exception {
        client.genericKubernetesResources(WIDGETS)
                .resource(
                        widget(
                                "merge",
                                "{\"templateRef\":{\"name\":\"t\"},\"tags\":[\"a\",\"b\"],\"labels\":{\"x\":\"1\",\"y\":\"2\"}}"))
                .create();
        GenericKubernetesResource patched = client.genericKubernetesResources(WIDGETS)
                .withName("merge")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"tags\":[\"c\"],\"labels\":{\"x\":null}}}");
        JsonNode spec = JSON.valueToTree(patched.getAdditionalProperties().get("spec"));
        assertThat(spec.path("tags").toString()).isEqualTo("[\"c\"]");
        assertThat(spec.path("labels").has("x")).isFalse();
        assertThat(spec.path("labels").path("y").asText()).isEqualTo("2");
    }

    @Test
    void jsonPatchFollowsRfc6902() throws Exception {
        client.genericKubernetesResources(WIDGETS)
                .resource(widget("jsonpatch", "{\"templateRef\":{\"name\":\"t\"},\"tags\":[\"a\"]}"))
                .create();
        GenericKubernetesResource patched = client.genericKubernetesResources(WIDGETS)
                .withName("jsonpatch")
                .patch(
                        PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"add\",\"path\":\"/spec/tags/-\",\"value\":\"b\"},{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]");
        JsonNode spec = JSON.valueToTree(patched.getAdditionalProperties().get("spec"));
        assertThat(spec.path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(spec.path("replicas").asInt()).isEqualTo(4);
        assertThatThrownBy(() -> client.genericKubernetesResources(WIDGETS)
                        .withName("jsonpatch")
                        .patch(
                                PatchContext.of(PatchType.JSON),
                                "[{\"op\":\"remove\",\"path\":\"/spec/missing/deep\"}]"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                        .isEqualTo(422));
    }

    @Test
    void schemaDefaultsAndRefusesInvalidObjectsWithTheFieldPath() throws Exception {
        GenericKubernetesResource created = client.genericKubernetesResources(WIDGETS)
                .resource(widget("defaulted", "{\"templateRef\":{\"name\":\"t\"},\"unknown\":1}"))
                .create();
        JsonNode spec = JSON.valueToTree(created.getAdditionalProperties().get("spec"));
        assertThat(spec.path("replicas").asInt()).as("default applied").isEqualTo(1);
        assertThat(spec.has("unknown")).as("unknown field pruned").isFalse();

        assertThatThrownBy(() -> client.genericKubernetesResources(WIDGETS)
                        .resource(widget("bad-enum", "{\"templateRef\":{\"name\":\"t\"},\"shutdownPolicy\":\"Later\"}"))
                        .create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage())
                            .contains(
                                    "spec.shutdownPolicy: Unsupported value: \"Later\": supported values: \"Delete\", \"Retain\"");
                    assertThat(e.getStatus().getDetails().getCauses().get(0).getField())
                            .isEqualTo("spec.shutdownPolicy");
                });
        assertThatThrownBy(() -> client.genericKubernetesResources(WIDGETS)
                        .resource(widget("no-ref", "{\"replicas\":2}"))
                        .create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.templateRef: Required value");
                });
        assertThatThrownBy(() -> client.genericKubernetesResources(WIDGETS)
                        .resource(widget("negative", "{\"templateRef\":{\"name\":\"t\"},\"replicas\":-1}"))
                        .create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage())
                            .contains(
                                    "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0");
                });
        assertThatThrownBy(() -> client.genericKubernetesResources(WIDGETS)
                        .withName("defaulted")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":\"many\"}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.replicas in body must be of type integer");
                });
    }

    @Test
    void scaleSubresourceMapsReplicas() throws Exception {
        client.genericKubernetesResources(WIDGETS)
                .resource(widget("scaled", "{\"templateRef\":{\"name\":\"t\"},\"replicas\":1}"))
                .create();
        String scale = client.raw("/apis/test.agents.x-k8s.io/v1/namespaces/test/widgets/scaled/scale");
        assertThat(JSON.readTree(scale).path("kind").asText()).isEqualTo("Scale");
        assertThat(JSON.readTree(scale).path("spec").path("replicas").asInt()).isEqualTo(1);
        GenericKubernetesResource patched = client.genericKubernetesResources(WIDGETS)
                .withName("scaled")
                .subresource("scale")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":3}}");
        assertThat(patched.getKind()).isEqualTo("Scale");
        assertThat(JSON.valueToTree(patched.getAdditionalProperties().get("spec"))
                        .path("replicas")
                        .asInt())
                .isEqualTo(3);
        GenericKubernetesResource w =
                client.genericKubernetesResources(WIDGETS).withName("scaled").get();
        assertThat(JSON.valueToTree(w.getAdditionalProperties().get("spec"))
                        .path("replicas")
                        .asInt())
                .isEqualTo(3);
    }

    @Test
    void statusWritesWithQueryStringsAreStatusWrites() throws Exception {
        client.genericKubernetesResources(WIDGETS)
                .resource(widget("status", "{\"templateRef\":{\"name\":\"t\"}}"))
                .create();
        // fabric8 adds ?fieldManager=... style query strings too; the write must still be seen as a status write
        client.genericKubernetesResources(WIDGETS)
                .withName("status")
                .subresource("status")
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"status\":{\"replicas\":2},\"spec\":{\"replicas\":7}}");
        GenericKubernetesResource w =
                client.genericKubernetesResources(WIDGETS).withName("status").get();
        assertThat(JSON.valueToTree(w.getAdditionalProperties().get("status"))
                        .path("replicas")
                        .asInt())
                .isEqualTo(2);
        assertThat(JSON.valueToTree(w.getAdditionalProperties().get("spec"))
                        .path("replicas")
                        .asInt())
                .as("a status write leaves the spec alone")
                .isEqualTo(1);
    }

    @Test
    void staleResourceVersionIsAConflict() {
        ConfigMap cm = client.configMaps()
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("cm")
                        .endMetadata()
                        .addToData("a", "1")
                        .build())
                .create();
        client.configMaps()
                .withName("cm")
                .edit(c -> new ConfigMapBuilder(c).addToData("b", "2").build());
        cm.getData().put("c", "3");
        assertThatThrownBy(() -> client.configMaps().resource(cm).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                        .isEqualTo(409));
    }

    @Test
    void discoveryListsCustomKindsWithShortNamesAndSubresources() throws Exception {
        JsonNode resources = JSON.readTree(client.raw("/apis/test.agents.x-k8s.io/v1"));
        assertThat(resources.path("resources").findValuesAsText("name"))
                .contains("widgets", "widgets/status", "widgets/scale");
        assertThat(resources.path("resources").get(0).path("shortNames").toString())
                .contains("wd");
        JsonNode groups = JSON.readTree(client.raw("/apis"));
        assertThat(groups.path("groups").findValuesAsText("name")).contains("test.agents.x-k8s.io", "apps");
        assertThat(JSON.readTree(client.raw("/api")).path("versions").toString())
                .contains("v1");
        assertThat(JSON.readTree(client.raw("/openapi/v3")).path("paths").has("api/v1"))
                .isTrue();
        assertThat(client.raw("/openapi/v2")).isNull();
    }

    @Test
    void listsHaveRealKindsAndFilterByFieldAndSetSelectors() {
        client.pods()
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("p1")
                        .addToLabels("tier", "a")
                        .endMetadata()
                        .build())
                .create();
        client.pods()
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("p2")
                        .addToLabels("tier", "b")
                        .endMetadata()
                        .build())
                .create();
        assertThat(client.pods().withLabelIn("tier", "a", "c").list().getItems())
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("p1");
        assertThat(client.pods().withLabelNotIn("tier", "a").list().getItems())
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("p2");
        client.v1()
                .events()
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withName("e1")
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withKind("Pod")
                        .withName("p1")
                        .withNamespace("test")
                        .endInvolvedObject()
                        .withReason("Started")
                        .build())
                .create();
        client.v1()
                .events()
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withName("e2")
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withKind("Pod")
                        .withName("p2")
                        .withNamespace("test")
                        .endInvolvedObject()
                        .withReason("Started")
                        .build())
                .create();
        var events = client.v1().events().withField("involvedObject.name", "p1").list();
        assertThat(events.getItems()).extracting(e -> e.getMetadata().getName()).containsExactly("e1");
        JsonNode raw = JSON.valueToTree(client.raw("/api/v1/namespaces/test/events"));
        assertThat(client.raw("/api/v1/namespaces/test/events")).contains("\"kind\":\"EventList\"");
        assertThat(raw).isNotNull();
    }

    @Test
    void requiresTheTokenExceptForVersion() {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(server.url())
                .withTrustCerts(true)
                .withOauthToken("wrong")
                .withNamespace("test")
                .build();
        try (KubernetesClient wrong =
                new KubernetesClientBuilder().withConfig(config).build()) {
            assertThat(wrong.getKubernetesVersion().getGitVersion()).isEqualTo(EmbeddedApiServer.KUBERNETES_VERSION);
            assertThatThrownBy(() -> wrong.pods().list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                            .isEqualTo(401));
        }
    }

    @Test
    void injectedFaultsAnswerWithTheirStatusThenStop() {
        client.configMaps()
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("faulty")
                        .endMetadata()
                        .build())
                .create();
        server.faults()
                .inject(ApiFault.on("GET", ".*/configmaps/faulty").respond(503).times(1));
        Config noRetry = new ConfigBuilder(client.getConfiguration())
                .withRequestRetryBackoffLimit(0)
                .build();
        KubernetesClient once =
                new KubernetesClientBuilder().withConfig(noRetry).build();
        assertThatThrownBy(() -> once.configMaps().withName("faulty").get())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                        .isEqualTo(503));
        assertThat(client.configMaps().withName("faulty").get()).isNotNull();
        assertThat(server.faults().injectedCount()).isEqualTo(1);

        server.faults()
                .inject(ApiFault.on("GET", ".*/configmaps/faulty")
                        .delay(Duration.ofMillis(400))
                        .always());
        long start = System.nanoTime();
        client.configMaps().withName("faulty").get();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
    }

    /** Creates ConfigMap {@code <prefix>-owner} and {@code <prefix>-child} owned by it; returns the reference. */
    private static io.fabric8.kubernetes.api.model.OwnerReference ownerWithChild(String prefix) {
        ConfigMap owner = client.configMaps()
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(prefix + "-owner")
                        .endMetadata()
                        .build())
                .create();
        var ref = new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName(prefix + "-owner")
                .withUid(owner.getMetadata().getUid())
                .build();
        client.configMaps()
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(prefix + "-child")
                        .withOwnerReferences(ref)
                        .endMetadata()
                        .build())
                .create();
        return ref;
    }

    @Test
    void dependentsAreCollectedWhenTheirOwnerGoes() {
        var ref = ownerWithChild("gc");
        client.pods()
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("gc-pod")
                        .withOwnerReferences(ref)
                        .endMetadata()
                        .build())
                .create();
        client.configMaps().withName("gc-owner").delete();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(client.configMaps().withName("gc-child").get()).isNull();
            assertThat(client.pods().withName("gc-pod").get()).isNull();
        });
    }

    @Test
    void anOwnerBeingUpdatedIsNeverTakenForGone() throws Exception {
        // The CRUD store replaces an object by a remove and a put; a collector that read the store between the two
        // saw the owner missing and deleted its dependents. That deleted warm-pool members while the pool's status
        // was being written, and the pool refilled, over and over (hundreds of Pods in one demo run).
        var ref = ownerWithChild("busy");
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger sweeps = new java.util.concurrent.atomic.AtomicInteger();
        Thread collector = new Thread(() -> {
            while (writing.get()) {
                server.sweepGarbage();
                sweeps.incrementAndGet();
            }
        });
        collector.start();
        try {
            for (int i = 0; i < 1500; i++) {
                String value = Integer.toString(i);
                client.configMaps().withName("busy-owner").edit(c -> {
                    c.setData(Map.of("n", value));
                    return c;
                });
            }
        } finally {
            writing.set(false);
            collector.join();
        }

        assertThat(sweeps.get())
                .as("the collector ran while the owner was written")
                .isGreaterThan(100);
        assertThat(client.configMaps().withName("busy-child").get())
                .as("the dependent of an owner that never went away")
                .isNotNull();
    }

    @Test
    void aWebSocketWatchFromAResourceVersionGetsWhatChangedSinceAndNothingElse() throws Exception {
        // An informer lists, then watches from the list's resourceVersion. Whatever was deleted or relabelled out
        // of its selector in between must reach it as DELETED, as a real API server replays it; otherwise the
        // informer keeps the object for ever (a warm pool counted a member a claim had adopted meanwhile). What did
        // not change is not sent again.
        for (String name : List.of("gone", "relabelled", "stays")) {
            client.configMaps()
                    .resource(new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("watched-" + name)
                            .withLabels(Map.of("team", "x"))
                            .endMetadata()
                            .build())
                    .create();
        }
        String listedAt =
                client.configMaps().withLabel("team", "x").list().getMetadata().getResourceVersion();
        client.configMaps().withName("watched-gone").delete();
        client.configMaps().withName("watched-relabelled").edit(c -> {
            c.getMetadata().setLabels(Map.of("team", "y"));
            return c;
        });

        java.util.concurrent.BlockingQueue<String> events = new java.util.concurrent.LinkedBlockingQueue<>();
        try (var watch = client.configMaps()
                .withLabel("team", "x")
                .watch(
                        new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                                .withResourceVersion(listedAt)
                                .build(),
                        new io.fabric8.kubernetes.client.Watcher<ConfigMap>() {
                            @Override
                            public void eventReceived(Action action, ConfigMap cm) {
                                events.add(action + " " + cm.getMetadata().getName());
                            }

                            @Override
                            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
                        })) {
            List<String> seen = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                seen.add(events.poll(5, java.util.concurrent.TimeUnit.SECONDS));
            }
            client.configMaps().withName("watched-stays").edit(c -> {
                c.setData(Map.of("k", "v"));
                return c;
            });
            seen.add(events.poll(5, java.util.concurrent.TimeUnit.SECONDS));
            assertThat(seen)
                    .containsExactly("DELETED watched-gone", "DELETED watched-relabelled", "MODIFIED watched-stays");
        }
    }

    @Test
    void foregroundDeletionRemovesDependentsFirst() {
        ConfigMap owner = client.configMaps()
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("fg-owner")
                        .endMetadata()
                        .build())
                .create();
        var ref = new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName("fg-owner")
                .withUid(owner.getMetadata().getUid())
                .withBlockOwnerDeletion(true)
                .build();
        client.configMaps()
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("fg-child")
                        .withOwnerReferences(ref)
                        .withFinalizers("test/hold")
                        .endMetadata()
                        .build())
                .create();
        client.configMaps()
                .withName("fg-owner")
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND)
                .delete();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                        client.configMaps()
                                .withName("fg-child")
                                .get()
                                .getMetadata()
                                .getDeletionTimestamp())
                .isNotNull());
        assertThat(client.configMaps().withName("fg-owner").get())
                .as("the owner waits for its dependents")
                .isNotNull();
        client.configMaps().withName("fg-child").edit(c -> {
            c.getMetadata().setFinalizers(List.of());
            return c;
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                        client.configMaps().withName("fg-owner").get())
                .isNull());
    }

    @Test
    void generateNameAppendsFiveCharactersAsARealApiServerDoes() throws Exception {
        GenericKubernetesResource w = widget(null, "{\"templateRef\":{\"name\":\"t\"}}");
        w.getMetadata().setGenerateName("pool-");
        String first = client.genericKubernetesResources(WIDGETS)
                .resource(w)
                .create()
                .getMetadata()
                .getName();
        String second = client.genericKubernetesResources(WIDGETS)
                .resource(w)
                .create()
                .getMetadata()
                .getName();
        assertThat(first).matches("pool-[bcdfghjklmnpqrstvwxz2456789]{5}");
        assertThat(second).matches("pool-[bcdfghjklmnpqrstvwxz2456789]{5}").isNotEqualTo(first);
    }

    @Test
    void selfSubjectRulesReviewSaysEverythingIsAllowed() {
        io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview review = client.authorization()
                .v1()
                .selfSubjectRulesReview()
                .create(new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder()
                        .withNewSpec()
                        .withNamespace("test")
                        .endSpec()
                        .build());
        assertThat(review.getStatus().getResourceRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getVerbs()).containsExactly("*");
            assertThat(rule.getResources()).containsExactly("*");
        });
    }
}
