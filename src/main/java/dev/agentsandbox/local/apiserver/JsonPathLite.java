package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSONPath subset printer columns use: {@code .a.b}, {@code .a[0]} and filters such as
 * {@code .status.conditions[?(@.type=='Ready')].status}; a filter takes the first match.
 */
final class JsonPathLite {

    private static final Pattern STEP = Pattern.compile(
            "\\.([A-Za-z0-9_-]+)|\\[(\\d+)\\]|\\[\\?\\(@\\.([A-Za-z0-9_.-]+)\\s*==\\s*['\"]([^'\"]*)['\"]\\)\\]");

    private JsonPathLite() {}

    static JsonNode read(JsonNode root, String path) {
        String p = path.trim();
        if (p.startsWith("{") && p.endsWith("}")) {
            p = p.substring(1, p.length() - 1);
        }
        if (p.startsWith("$")) {
            p = p.substring(1);
        }
        Matcher m = STEP.matcher(p);
        JsonNode node = root;
        int at = 0;
        while (at < p.length()) {
            if (!m.find(at) || m.start() != at) {
                return MissingNode.getInstance();
            }
            if (m.group(1) != null) {
                node = node.path(m.group(1));
            } else if (m.group(2) != null) {
                node = node.path(Integer.parseInt(m.group(2)));
            } else {
                JsonNode match = MissingNode.getInstance();
                for (JsonNode element : node) {
                    JsonNode field = element;
                    for (String part : m.group(3).split("\\.")) {
                        field = field.path(part);
                    }
                    if (field.asText().equals(m.group(4))) {
                        match = element;
                        break;
                    }
                }
                node = match;
            }
            at = m.end();
        }
        return node;
    }
}
