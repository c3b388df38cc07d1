package dev.agentsandbox.controller.blueprint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.PodTemplate;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a template makes: the Sandbox spec copied from it (with the secure Pod defaults) and the hash that tells a
 * pool member built from an older version of the template apart.
 * <p>
 * The hash is taken over canonical JSON of the built spec only: keys sorted, nulls left out. The template's own
 * metadata (labels, annotations, resourceVersion) and its network policy rules are not part of the spec, so changing
 * them never makes a member stale; switching between the default policy and custom rules does, because it changes
 * the Pod's DNS settings.
 */
public final class TemplateBlueprint {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            .build();

    private final String templateName;
    private final SandboxSpec spec;
    private final String hash;

    private TemplateBlueprint(String templateName, SandboxSpec spec, String hash) {
        this.templateName = templateName;
        this.spec = spec;
        this.hash = hash;
    }

    /** The last blueprint built per template uid, with the resourceVersion it was built from. */
    private static final Map<String, Built> BUILT = new ConcurrentHashMap<>();

    private static final int BUILT_LIMIT = 10_000;

    private record Built(String resourceVersion, TemplateBlueprint blueprint) {}

    /**
     * The blueprint of {@code template}; the template itself is not modified. Built once per version of the template
     * (by uid and resourceVersion): every claim and every pool pass asks for it, and building it is three JSON
     * conversions on a claim's way to its Sandbox.
     */
    public static TemplateBlueprint of(SandboxTemplate template) {
        String uid = template.getMetadata().getUid();
        String version = template.getMetadata().getResourceVersion();
        if (uid == null || version == null) {
            return build(template);
        }
        Built built = BUILT.get(uid);
        if (built != null && built.resourceVersion().equals(version)) {
            return built.blueprint();
        }
        TemplateBlueprint blueprint = build(template);
        if (BUILT.size() >= BUILT_LIMIT) {
            BUILT.clear(); // templates deleted long ago: forgotten, rebuilt on demand
        }
        BUILT.put(uid, new Built(version, blueprint));
        return blueprint;
    }

    private static TemplateBlueprint build(SandboxTemplate template) {
        SandboxTemplateSpec source = template.getSpec();
        if (source == null
                || source.getPodTemplate() == null
                || source.getPodTemplate().getSpec() == null) {
            throw new IllegalArgumentException(
                    "template " + template.getMetadata().getNamespace() + "/"
                            + template.getMetadata().getName() + ": spec.podTemplate.spec is required");
        }
        SandboxSpec spec = new SandboxSpec();
        PodTemplate podTemplate = Serialization.clone(source.getPodTemplate());
        SecurePodDefaults.apply(podTemplate.getSpec(), SecurePodDefaults.defaultNetworkPolicyApplies(source));
        spec.setPodTemplate(podTemplate);
        if (source.getVolumeClaimTemplates() != null) {
            spec.setVolumeClaimTemplates(
                    new ArrayList<>(Serialization.clone(source).getVolumeClaimTemplates()));
        }
        spec.setService(source.getService());
        return new TemplateBlueprint(template.getMetadata().getName(), spec, NameHash.of(canonicalJson(spec)));
    }

    /** Canonical JSON: sorted keys, no nulls, so equal specs hash equally whatever order their maps were built in. */
    static String canonicalJson(SandboxSpec spec) {
        try {
            Object tree = CANONICAL.readValue(Serialization.asJson(spec), Object.class);
            return CANONICAL.writeValueAsString(withoutEmpty(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a sandbox spec", e);
        }
    }

    /** Drops nulls, empty maps and empty lists: the API server and a builder may differ only in those. */
    private static Object withoutEmpty(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> result = new TreeMap<>();
            map.forEach((k, v) -> {
                Object value = withoutEmpty(v);
                if (value != null) {
                    result.put(String.valueOf(k), value);
                }
            });
            return result.isEmpty() ? null : result;
        }
        if (node instanceof List<?> list) {
            List<Object> result = new ArrayList<>();
            list.forEach(v -> {
                Object value = withoutEmpty(v);
                result.add(value == null ? Map.of() : value);
            });
            return result.isEmpty() ? null : result;
        }
        return node;
    }

    public String templateName() {
        return templateName;
    }

    /** The value of the {@code sandbox-template-hash} label. */
    public String hash() {
        return hash;
    }

    /** The value of the {@code sandbox-template-ref-hash} label. */
    public String refHash() {
        return NameHash.of(templateName);
    }

    /** A fresh copy of the spec, free to modify. */
    public SandboxSpec spec() {
        return Serialization.clone(spec);
    }

    /** Names of the template's volume claim templates, in order. */
    public List<String> volumeClaimTemplateNames() {
        List<String> names = new ArrayList<>();
        if (spec.getVolumeClaimTemplates() != null) {
            spec.getVolumeClaimTemplates()
                    .forEach(v -> names.add(v.getMetadata().getName()));
        }
        return names;
    }
}
