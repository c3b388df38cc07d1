package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Label selectors (equality and set-based: {@code =, ==, !=, in, notin, key, !key}) and field selectors on any
 * dotted field ({@code involvedObject.name}, {@code status.phase}), which the CRUD mock either ignores or cannot
 * match. Lists are filtered with these after the store returns them.
 */
final class Selectors {

    private static final Pattern SET = Pattern.compile("\\s*(\\S+?)\\s+(in|notin)\\s*\\((.*)\\)\\s*");
    private static final Pattern EQUALITY = Pattern.compile("\\s*([^!=\\s]+)\\s*(==|=|!=)\\s*(\\S*)\\s*");

    private Selectors() {}

    /** What the {@code labelSelector} and {@code fieldSelector} of a list or watch request select. */
    static Predicate<JsonNode> of(ResourcePath rp) {
        return labels(rp.query().get("labelSelector")).and(fields(rp.query().get("fieldSelector")));
    }

    static Predicate<JsonNode> labels(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) {
            return all;
        }
        for (String requirement : split(selector)) {
            all = all.and(labelRequirement(requirement));
        }
        return all;
    }

    static Predicate<JsonNode> fields(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) {
            return all;
        }
        for (String requirement : split(selector)) {
            Matcher m = EQUALITY.matcher(requirement);
            if (!m.matches()) {
                throw new ApiException(400, "BadRequest", "invalid field selector requirement \"" + requirement + "\"");
            }
            String[] path = m.group(1).split("\\.");
            String value = m.group(3);
            boolean negate = m.group(2).equals("!=");
            all = all.and(o -> {
                JsonNode n = o;
                for (String p : path) {
                    n = n.path(p);
                }
                String actual = n.isMissingNode() || n.isNull() ? "" : n.asText();
                return negate != actual.equals(value);
            });
        }
        return all;
    }

    private static Predicate<JsonNode> labelRequirement(String requirement) {
        Matcher set = SET.matcher(requirement);
        if (set.matches()) {
            String key = set.group(1);
            Set<String> values =
                    Arrays.stream(set.group(3).split(",")).map(String::trim).collect(Collectors.toSet());
            boolean in = set.group(2).equals("in");
            return o -> {
                JsonNode v = o.path("metadata").path("labels").get(key);
                return in ? v != null && values.contains(v.asText()) : v == null || !values.contains(v.asText());
            };
        }
        Matcher eq = EQUALITY.matcher(requirement);
        if (eq.matches()) {
            String key = eq.group(1);
            String value = eq.group(3);
            boolean negate = eq.group(2).equals("!=");
            return o -> {
                JsonNode v = o.path("metadata").path("labels").get(key);
                return negate
                        ? v == null || !v.asText().equals(value)
                        : v != null && v.asText().equals(value);
            };
        }
        String r = requirement.trim();
        if (r.startsWith("!")) {
            String key = r.substring(1).trim();
            return o -> !o.path("metadata").path("labels").has(key);
        }
        if (!r.isEmpty() && !r.contains(" ")) {
            return o -> o.path("metadata").path("labels").has(r);
        }
        throw new ApiException(400, "BadRequest", "unable to parse label selector requirement \"" + requirement + "\"");
    }

    /** Splits at commas outside parentheses. */
    private static List<String> split(String selector) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (char c : selector.toCharArray()) {
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            parts.add(current.toString());
        }
        return parts;
    }
}
