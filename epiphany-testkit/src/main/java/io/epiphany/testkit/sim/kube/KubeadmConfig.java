package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kubeadm configuration documents ({@code InitConfiguration}, {@code ClusterConfiguration},
 * {@code JoinConfiguration}) read by the SIMULATED kubeadm from the YAML it is given, v1beta3 or v1beta4.
 */
public final class KubeadmConfig {
    private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory());
    private static final Set<String> VERSIONS = Set.of("kubeadm.k8s.io/v1beta3", "kubeadm.k8s.io/v1beta4");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "InitConfiguration", Set.of("apiVersion", "kind", "bootstrapTokens", "nodeRegistration",
                    "localAPIEndpoint", "certificateKey", "skipPhases", "patches", "timeouts", "dryRun"),
            "ClusterConfiguration", Set.of("apiVersion", "kind", "etcd", "networking", "kubernetesVersion",
                    "controlPlaneEndpoint", "apiServer", "controllerManager", "scheduler", "dns", "proxy",
                    "certificatesDir", "imageRepository", "featureGates", "clusterName", "encryptionAlgorithm",
                    "certificateValidityPeriod", "caCertificateValidityPeriod", "upgrade"),
            "JoinConfiguration", Set.of("apiVersion", "kind", "nodeRegistration", "caCertPath", "discovery",
                    "controlPlane", "skipPhases", "patches", "timeouts", "dryRun"),
            "KubeletConfiguration", Set.of(),
            "KubeProxyConfiguration", Set.of());

    private final Map<String, JsonNode> documents;
    private final List<String> unknownFields;

    private KubeadmConfig(Map<String, JsonNode> documents, List<String> unknownFields) {
        this.documents = documents;
        this.unknownFields = unknownFields;
    }

    /**
     * Reads the documents of a kubeadm config file.
     *
     * @throws IllegalArgumentException with kubeadm's message for an unknown version or kind
     */
    public static KubeadmConfig parse(String yaml) throws IOException {
        Map<String, JsonNode> docs = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue;
                }
                String kind = doc.path("kind").asText("");
                String version = doc.path("apiVersion").asText("");
                if (!FIELDS.containsKey(kind)) {
                    throw new IllegalArgumentException("no kind \"" + kind + "\" is registered for version \""
                            + version + "\"");
                }
                boolean kubeadmKind = !FIELDS.get(kind).isEmpty();
                if (kubeadmKind && !VERSIONS.contains(version)) {
                    throw new IllegalArgumentException("no kind \"" + kind + "\" is registered for version \""
                            + version + "\" in scheme \"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme/scheme.go:31\"");
                }
                if (kubeadmKind) {
                    for (Iterator<String> f = doc.fieldNames(); f.hasNext();) {
                        String field = f.next();
                        if (!FIELDS.get(kind).contains(field)) {
                            unknown.add(kind + ": strict decoding error: unknown field \"" + field + "\"");
                        }
                    }
                }
                docs.put(kind, doc);
            }
        }
        return new KubeadmConfig(docs, unknown);
    }

    /** Unknown fields: warnings for init/join, errors for {@code kubeadm config validate}. */
    public List<String> unknownFields() {
        return unknownFields;
    }

    public boolean has(String kind) {
        return documents.containsKey(kind);
    }

    public JsonNode doc(String kind) {
        return documents.getOrDefault(kind, YAML.createObjectNode());
    }

    /** The ClusterConfiguration as YAML, as kubeadm stores it in the kubeadm-config ConfigMap. */
    public String clusterConfigurationYaml() throws IOException {
        JsonNode doc = doc("ClusterConfiguration");
        ObjectNode copy = doc.isObject() ? ((ObjectNode) doc).deepCopy() : YAML.createObjectNode();
        copy.put("apiVersion", doc.path("apiVersion").asText("kubeadm.k8s.io/v1beta4"));
        copy.put("kind", "ClusterConfiguration");
        return YAML.writeValueAsString(copy);
    }

    public static KubeadmConfig clusterOnly(String clusterConfigurationYaml) throws IOException {
        return parse(clusterConfigurationYaml);
    }

    public String nodeName(String kind, String fallback) {
        return text(doc(kind).path("nodeRegistration").path("name")).orElse(fallback);
    }

    /** The control-plane taints: kubeadm's default when {@code taints} is absent, none when it is {@code []}. */
    public List<SimTaint> taints(String kind, boolean controlPlane) {
        JsonNode t = doc(kind).path("nodeRegistration").path("taints");
        if (t.isMissingNode() || t.isNull()) {
            return controlPlane ? List.of(new SimTaint("node-role.kubernetes.io/control-plane", null, "NoSchedule"))
                    : List.of();
        }
        List<SimTaint> out = new ArrayList<>();
        t.forEach(n -> out.add(new SimTaint(n.path("key").asText(), text(n.path("value")).orElse(null),
                n.path("effect").asText("NoSchedule"))));
        return out;
    }

    /** A taint as kubeadm's nodeRegistration carries it. */
    public record SimTaint(String key, String value, String effect) {}

    /** apiServer.extraArgs as name → value, from the v1beta4 list or the v1beta3 map. */
    public Map<String, String> apiServerExtraArgs() {
        JsonNode args = doc("ClusterConfiguration").path("apiServer").path("extraArgs");
        Map<String, String> out = new LinkedHashMap<>();
        if (args.isArray()) {
            args.forEach(a -> out.put(a.path("name").asText(), a.path("value").asText()));
        } else if (args.isObject()) {
            args.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    public List<String> apiServerCertSans() {
        List<String> out = new ArrayList<>();
        doc("ClusterConfiguration").path("apiServer").path("certSANs").forEach(n -> out.add(n.asText()));
        return out;
    }

    public Optional<String> cluster(String field) {
        return text(doc("ClusterConfiguration").path(field));
    }

    public static Optional<String> text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() || n.asText().isEmpty() ? Optional.empty()
                : Optional.of(n.asText());
    }
}
