package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the protobuf request bodies kubectl's {@code create namespace|configmap|secret} send (kubectl does not retry
 * with JSON after a 415) into JSON: the envelope, the metadata (name, namespace, labels, annotations) and the data
 * maps of ConfigMap and Secret. Other kinds sent as protobuf are refused with 415.
 */
final class ProtobufBody {

    static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final java.util.Set<String> KINDS = java.util.Set.of("Namespace", "ConfigMap", "Secret");

    private ProtobufBody() {}

    static ObjectNode toJson(byte[] body) {
        if (body.length < 4 || !Arrays.equals(Arrays.copyOf(body, 4), MAGIC)) {
            throw new ApiException(400, "BadRequest", "protobuf body without the k8s envelope");
        }
        Reader unknown = new Reader(body, 4, body.length);
        String apiVersion = "";
        String kind = "";
        byte[] raw = new byte[0];
        while (unknown.more()) {
            int tag = unknown.varint32();
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                Reader typeMeta = unknown.message();
                while (typeMeta.more()) {
                    int t = typeMeta.varint32();
                    if (t >>> 3 == 1) {
                        apiVersion = typeMeta.string();
                    } else if (t >>> 3 == 2) {
                        kind = typeMeta.string();
                    } else {
                        typeMeta.skip(t);
                    }
                }
            } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
                raw = unknown.bytes();
            } else {
                unknown.skip(tag);
            }
        }
        if (!KINDS.contains(kind)) {
            throw new ApiException(
                    415,
                    "UnsupportedMediaType",
                    "the embedded API server reads protobuf only for " + KINDS + ", not " + kind
                            + "; send JSON (for example kubectl apply -f or create -f)");
        }
        ObjectNode object =
                ApiStatus.JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode metadata = object.putObject("metadata");
        Reader content = new Reader(raw, 0, raw.length);
        while (content.more()) {
            int tag = content.varint32();
            int field = tag >>> 3;
            if (field == 1 && (tag & 7) == 2) {
                readMetadata(content.message(), metadata);
            } else if (kind.equals("ConfigMap") && field == 2) {
                readEntry(content.message(), object, "data", false);
            } else if (kind.equals("ConfigMap") && field == 3) {
                readEntry(content.message(), object, "binaryData", true);
            } else if (kind.equals("Secret") && field == 2) {
                readEntry(content.message(), object, "data", true);
            } else if (kind.equals("Secret") && field == 3) {
                object.put("type", content.string());
            } else if (kind.equals("Secret") && field == 4) {
                readEntry(content.message(), object, "stringData", false);
            } else {
                content.skip(tag);
            }
        }
        return object;
    }

    /** One map entry (key = 1, value = 2); bytes values are base64-encoded as in JSON. */
    private static void readEntry(Reader entry, ObjectNode object, String mapName, boolean binary) {
        String key = "";
        String value = "";
        while (entry.more()) {
            int t = entry.varint32();
            if (t >>> 3 == 1) {
                key = entry.string();
            } else if (t >>> 3 == 2) {
                value = binary ? java.util.Base64.getEncoder().encodeToString(entry.bytes()) : entry.string();
            } else {
                entry.skip(t);
            }
        }
        ((ObjectNode) object.with(mapName)).put(key, value);
    }

    private static void readMetadata(Reader meta, ObjectNode metadata) {
        while (meta.more()) {
            int tag = meta.varint32();
            switch (tag >>> 3) {
                case 1 -> metadata.put("name", meta.string());
                case 2 -> metadata.put("generateName", meta.string());
                case 3 -> metadata.put("namespace", meta.string());
                case 11, 12 -> {
                    ObjectNode map = metadata.has(tag >>> 3 == 11 ? "labels" : "annotations")
                            ? (ObjectNode) metadata.get(tag >>> 3 == 11 ? "labels" : "annotations")
                            : metadata.putObject(tag >>> 3 == 11 ? "labels" : "annotations");
                    Reader entry = meta.message();
                    String key = "";
                    String value = "";
                    while (entry.more()) {
                        int t = entry.varint32();
                        if (t >>> 3 == 1) {
                            key = entry.string();
                        } else if (t >>> 3 == 2) {
                            value = entry.string();
                        } else {
                            entry.skip(t);
                        }
                    }
                    map.put(key, value);
                }
                default -> meta.skip(tag);
            }
        }
    }

    /** A cursor over protobuf wire format. */
    private static final class Reader {
        private final byte[] data;
        private int pos;
        private final int end;

        Reader(byte[] data, int pos, int end) {
            this.data = data;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long result = 0;
            int shift = 0;
            while (true) {
                if (pos >= end) {
                    throw new ApiException(400, "BadRequest", "truncated protobuf body");
                }
                byte b = data[pos++];
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
                shift += 7;
            }
        }

        int varint32() {
            return (int) varint();
        }

        byte[] bytes() {
            int len = varint32();
            if (len < 0 || pos + len > end) {
                throw new ApiException(400, "BadRequest", "truncated protobuf body");
            }
            byte[] out = Arrays.copyOfRange(data, pos, pos + len);
            pos += len;
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Reader message() {
            byte[] b = bytes();
            return new Reader(b, 0, b.length);
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> bytes();
                case 5 -> pos += 4;
                default -> throw new ApiException(400, "BadRequest", "unsupported protobuf wire type " + (tag & 7));
            }
        }
    }
}
