package dev.agentsandbox.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.Yaml;

/**
 * Compares the API calls recorded during a controller run with the controller's RBAC in
 * {@code src/main/kubernetes/kubernetes.yml}, both ways: every call is allowed by a rule, and every granted
 * (group, resource, verb) was used or is listed in the short {@link #UNUSED_BUT_JUSTIFIED} allow-list with the
 * reason (each of which docs/rbac.md must also mention).
 */
final class RbacCoverage {

    static final Path MANIFEST = Path.of("src/main/kubernetes/kubernetes.yml");
    static final Path RBAC_DOC = Path.of("docs/rbac.md");

    /** Calls made in tests only: the %test profile applies the CRDs itself (crd.apply=true; false in prod). */
    static final Set<String> TEST_PROFILE_ONLY = Set.of("apiextensions.k8s.io customresourcedefinitions");

    /**
     * The only grants a run may leave unused, each with the reason it is still needed; keyed by "group resource
     * verb". Everything else granted must be called during the run, or the check fails: a grant nobody calls is
     * removed from the role, not added here.
     */
    static final Map<String, String> UNUSED_BUT_JUSTIFIED = new TreeMap<>();

    static {
        for (String verb : List.of("create", "get", "update", "patch")) {
            UNUSED_BUT_JUSTIFIED.put(
                    "coordination.k8s.io leases " + verb,
                    "leader election runs in the prod profile only "
                            + "(quarkus.operator-sdk.activate-leader-election-for-profiles=prod); JOSDK checks "
                            + "create, get and update on the Lease at start, and fabric8's LeaseLock renews it by patch "
                            + "(KataAksOnKubeIT sees it in the real API server's audit log)");
        }
        for (String finalizers : List.of(
                "agents.x-k8s.io sandboxes/finalizers",
                "extensions.agents.x-k8s.io sandboxtemplates/finalizers",
                "extensions.agents.x-k8s.io sandboxclaims/finalizers",
                "extensions.agents.x-k8s.io sandboxwarmpools/finalizers")) {
            UNUSED_BUT_JUSTIFIED.put(
                    finalizers + " update",
                    "never a request of its own: the OwnerReferencesPermissionEnforcement admission plugin checks "
                            + "it when an ownerReference with blockOwnerDeletion=true is written "
                            + "(Ownership, WarmPoolMembers, ClaimedSandboxes); the embedded API server has no "
                            + "admission plugins");
        }
        String afterConflict = "CreateOrAdopt reads the object back when a Sandbox's create "
                + "answers 409; the Service creates meet an injected 409 in some runs only";
        UNUSED_BUT_JUSTIFIED.put("core services get", afterConflict);
        UNUSED_BUT_JUSTIFIED.put("core persistentvolumeclaims get", afterConflict.replace("Service", "PVC"));
        UNUSED_BUT_JUSTIFIED.put(
                "networking.k8s.io networkpolicies get",
                "CreateOrAdopt reads the policy back when the template's create answers 409 (some runs only)");
        UNUSED_BUT_JUSTIFIED.put(
                "core services update",
                "SandboxReconciler realigns a Service whose selector or labels drifted (someone edited it)");
        UNUSED_BUT_JUSTIFIED.put(
                "core pods update",
                "SandboxReconciler adopts a Pod that carries the Sandbox's name but no owner (ownerReference)");
        UNUSED_BUT_JUSTIFIED.put(
                "agents.x-k8s.io sandboxes update",
                "IdleSleep suspends and wakes a claim's Sandbox by an update of its operatingMode under its "
                        + "resourceVersion (IdleSleepIT, IdleSleepOnKubeIT)");
        UNUSED_BUT_JUSTIFIED.put(
                "core persistentvolumeclaims update",
                "SandboxReconciler adopts a PVC that carries the Sandbox's labels but no owner (ownerReference)");
        UNUSED_BUT_JUSTIFIED.put(
                "extensions.agents.x-k8s.io sandboxclaims get",
                "ClaimAnnotations reads a claim back when a write of its annotations answers 409: a cold start's "
                        + "commit or its withdrawal (a warm adoption writes none), which the injected 409s hit in "
                        + "some runs only");
        UNUSED_BUT_JUSTIFIED.put(
                "networking.k8s.io networkpolicies update",
                "SandboxTemplateReconciler rewrites its policy when the template's networkPolicy changes");
    }

    private RbacCoverage() {}

    record Rule(Set<String> groups, Set<String> resources, Set<String> verbs, Set<String> names) {

        boolean allows(ApiCalls.Call call) {
            return groups.contains(call.group())
                    && resources.contains(call.resource())
                    && verbs.contains(call.verb())
                    && (names.isEmpty() || names.contains(call.name()));
        }
    }

    @SuppressWarnings("unchecked")
    static List<Rule> controllerRules() throws IOException {
        List<Rule> rules = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(MANIFEST)) {
            for (Object doc : new Yaml().loadAll(reader)) {
                if (!(doc instanceof Map<?, ?> m)) {
                    continue;
                }
                Map<String, Object> metadata = (Map<String, Object>) m.get("metadata");
                String kind = (String) m.get("kind");
                String name = metadata == null ? null : (String) metadata.get("name");
                if (("ClusterRole".equals(kind) || "Role".equals(kind))
                        && name != null
                        && name.startsWith("agent-sandbox-controller")) {
                    for (Map<String, Object> r : (List<Map<String, Object>>) m.get("rules")) {
                        rules.add(new Rule(
                                set(r.get("apiGroups")),
                                set(r.get("resources")),
                                set(r.get("verbs")),
                                set(r.get("resourceNames"))));
                    }
                }
            }
        }
        return rules;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> set(Object list) {
        return list == null ? Set.of() : new TreeSet<>((List<String>) list);
    }

    static void check(ApiCalls recorded) throws IOException {
        List<Rule> rules = controllerRules();
        assertThat(rules).as("controller RBAC rules in " + MANIFEST).isNotEmpty();
        Set<String> used = new TreeSet<>();
        Set<String> denied = new TreeSet<>();
        for (ApiCalls.Call call : recorded.calls) {
            String key = call.group() + " " + call.resource();
            if (TEST_PROFILE_ONLY.contains(key)) {
                continue;
            }
            used.add(call.rule());
            if (rules.stream().noneMatch(r -> r.allows(call))) {
                denied.add(call.rule() + (call.name() == null ? "" : " (" + call.name() + ")"));
            }
        }
        Set<String> granted = new TreeSet<>();
        for (Rule r : rules) {
            for (String g : r.groups()) {
                for (String res : r.resources()) {
                    for (String v : r.verbs()) {
                        granted.add((g.isEmpty() ? "core" : g) + " " + res + " " + v);
                    }
                }
            }
        }
        Set<String> unused = new TreeSet<>(granted);
        unused.removeAll(used);
        Set<String> unjustified = new TreeSet<>(unused);
        unjustified.removeAll(UNUSED_BUT_JUSTIFIED.keySet());
        Set<String> staleJustifications = new TreeSet<>(UNUSED_BUT_JUSTIFIED.keySet());
        staleJustifications.retainAll(used);
        System.out.printf(
                "RELIABILITY rbac calls=%d usedRules=%d granted=%d denied=%d unusedJustified=%d "
                        + "unjustified=%d nonResource=%s%n",
                recorded.calls.size(),
                used.size(),
                granted.size(),
                denied.size(),
                unused.size() - unjustified.size(),
                unjustified.size(),
                recorded.nonResourcePaths);
        System.out.println("RELIABILITY rbac used but listed as unused: " + staleJustifications);
        System.out.println("RELIABILITY rbac used: " + used);
        System.out.println("RELIABILITY rbac unused: " + unused);
        assertThat(denied)
                .as("calls the controller made that its RBAC would refuse")
                .isEmpty();
        assertThat(unjustified)
                .as("grants neither used in this run nor in the allow-list (remove them from " + MANIFEST + ")")
                .isEmpty();
        String doc = Files.readString(RBAC_DOC);
        for (String grant : unused) {
            String resource = grant.split(" ")[1].replaceAll("/.*", "");
            assertThat(doc).as("docs/rbac.md explains the grant " + grant).contains(resource);
        }
    }
}
