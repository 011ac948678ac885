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

    /**
     * The ClusterConfiguration as kubeadm stores it in the kubeadm-config ConfigMap: converted to v1beta4
     * (v1beta3's extraArgs maps become lists of name/value), with kubeadm's defaults filled in (certificatesDir,
     * etcd.local.dataDir, networking, imageRepository, validity periods, ...), keys sorted as sigs.k8s.io/yaml
     * writes them.
     *
     * @param kubeadmVersion kubeadm's own version: the default kubernetesVersion
     */
    public String clusterConfigurationYaml(String kubeadmVersion) throws IOException {
        JsonNode doc = doc("ClusterConfiguration");
        ObjectNode c = doc.isObject() ? ((ObjectNode) doc).deepCopy() : YAML.createObjectNode();
        c.put("apiVersion", "kubeadm.k8s.io/v1beta4");
        c.put("kind", "ClusterConfiguration");
        for (String component : List.of("apiServer", "controllerManager", "scheduler", "dns", "proxy")) {
            JsonNode section = c.path(component);
            ObjectNode o = section.isObject() ? (ObjectNode) section : c.putObject(component);
            if (o.path("extraArgs").isObject()) {
                com.fasterxml.jackson.databind.node.ArrayNode list = YAML.createArrayNode();
                new java.util.TreeMap<>(extraArgs(component)).forEach((k, v) -> list.addObject().put("name", k)
                        .put("value", v));
                o.set("extraArgs", list);
            }
        }
        defaults(c, "caCertificateValidityPeriod", "87600h0m0s");
        defaults(c, "certificateValidityPeriod", "8760h0m0s");
        defaults(c, "certificatesDir", "/etc/kubernetes/pki");
        defaults(c, "clusterName", "kubernetes");
        defaults(c, "encryptionAlgorithm", "RSA-2048");
        defaults(c, "imageRepository", "registry.k8s.io");
        defaults(c, "kubernetesVersion", kubeadmVersion);
        if (c.path("kubernetesVersion").asText().matches("\\d.*")) {
            c.put("kubernetesVersion", "v" + c.path("kubernetesVersion").asText()); // kubeadm normalises 1.33.4
        }
        ObjectNode etcd = c.path("etcd").isObject() ? (ObjectNode) c.path("etcd") : c.putObject("etcd");
        if (!etcd.has("external")) {
            ObjectNode local = etcd.path("local").isObject() ? (ObjectNode) etcd.path("local") : etcd.putObject("local");
            defaults(local, "dataDir", "/var/lib/etcd");
        }
        ObjectNode net = c.path("networking").isObject() ? (ObjectNode) c.path("networking")
                : c.putObject("networking");
        defaults(net, "dnsDomain", "cluster.local");
        defaults(net, "serviceSubnet", "10.96.0.0/12");
        return YAML.writeValueAsString(sorted(c));
    }

    private static void defaults(ObjectNode o, String field, String value) {
        if (text(o.path(field)).isEmpty()) {
            o.put(field, value);
        }
    }

    private static JsonNode sorted(JsonNode n) {
        if (!n.isObject()) {
            return n;
        }
        ObjectNode out = YAML.createObjectNode();
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        names.stream().sorted().forEach(k -> out.set(k, sorted(n.get(k))));
        return out;
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
        return extraArgs("apiServer");
    }

    /** {@code <section>.extraArgs} (apiServer, controllerManager, scheduler) as name → value; the last one wins. */
    public Map<String, String> extraArgs(String section) {
        JsonNode args = doc("ClusterConfiguration").path(section).path("extraArgs");
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
