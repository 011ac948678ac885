package io.epiphany.kubeadm.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.epiphany.api.ApiServer;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every key of every rendered kubeadm document exists in kubeadm's v1beta4 types (the field list in
 * {@code src/test/resources/kubeadm-fields/v1beta4.txt}, copied from the team's kubeadm-fields.md), every flag value
 * is a YAML string, as kubeadm's Go types require, and every feature gate is one that minor's kubeadm lets you set
 * ({@code feature-gates.txt}, from kubernetes-2026.md).
 */
class KubeadmFieldsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A cluster that switches on everything the renderer can write: taints, user flags, both masters and nodes. */
    static Cluster everything(String version) {
        Cluster seed = Fixtures.seed();
        return seed.toBuilder().kubernetesVersion(version)
                .masters(seed.masters().get(0).withTaint("dedicated=control:NoExecute"), seed.masters().get(1),
                        seed.masters().get(2))
                .nodes(seed.nodes().get(0).withTaint("gpu:NoSchedule"), seed.nodes().get(1))
                .apiServer(ApiServer.builder().putExtraArg("request-timeout", "90s").build())
                .putControllerManagerExtraArg("node-monitor-grace-period", "50s")
                .putSchedulerExtraArg("v", "2")
                .build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.35.0", "1.35.7", "1.36.0", "1.36.4", "1.37.0", "1.37.2"})
    void everyRenderedKeyExistsForThatApiVersion(String version) throws IOException {
        Cluster cluster = everything(version);
        KubeadmApi api = KubeadmApi.of(cluster.version());
        assertThat(api).isEqualTo(KubeadmApi.V1BETA4);
        Set<String> allowed = allowed();
        RenderContext context = Fixtures.context(cluster).withCaCertHash(Fixtures.caHash());
        List<String> files = new ArrayList<>();
        files.add(InitConfig.render(cluster, context));
        for (Machine m : cluster.machines().subList(1, cluster.machines().size())) {
            files.add(JoinConfig.render(cluster, m, context));
        }
        Set<String> rendered = new TreeSet<>();
        for (String file : files) {
            for (JsonNode doc : documents(file)) {
                assertThat(doc.path("apiVersion").asText()).isIn(api.apiVersion(), "kubelet.config.k8s.io/v1beta1");
                walk(doc, doc.path("kind").asText(), rendered);
                assertThat(gatesKubeadmRefuses(doc, cluster.version().minor())).as("feature gates").isEmpty();
            }
        }
        assertThat(rendered).as("kinds rendered").anyMatch(p -> p.startsWith("InitConfiguration."))
                .anyMatch(p -> p.startsWith("ClusterConfiguration.")).anyMatch(p -> p.startsWith("JoinConfiguration."))
                .anyMatch(p -> p.contains(".taints[]."));
        assertThat(rendered.stream().filter(p -> !isAllowed(p, allowed)).collect(Collectors.toList()))
                .as("keys not in kubeadm %s", api.apiVersion()).isEmpty();
    }

    @Test
    void theCheckRejectsV1beta3Keys() throws IOException {
        // The walk must be able to fail: v1beta3's timeoutForControlPlane is gone in v1beta4, and its map-shaped
        // extraArgs are a list there.
        String foreign = "kind: ClusterConfiguration\napiServer:\n  timeoutForControlPlane: 4m0s\n"
                + "  extraArgs:\n    profiling: \"false\"\n";
        Set<String> rendered = new TreeSet<>();
        walk(documents(foreign).get(0), "ClusterConfiguration", rendered);
        assertThat(rendered.stream().filter(p -> !isAllowed(p, allowed()))).containsExactlyInAnyOrder(
                "ClusterConfiguration.apiServer.timeoutForControlPlane", "ClusterConfiguration.apiServer.extraArgs.profiling");
    }

    @Test
    void theGateCheckRejectsLockedRemovedUnknownAndDefaultGates() throws IOException {
        JsonNode doc = documents("kind: ClusterConfiguration\nfeatureGates:\n  ControlPlaneKubeletLocalMode: true\n"
                + "  NodeLocalCRISocket: true\n  EtcdLearnerMode: true\n  NoSuchGate: true\n").get(0);
        assertThat(gatesKubeadmRefuses(doc, 36)).containsExactlyInAnyOrder("ControlPlaneKubeletLocalMode removed",
                "NodeLocalCRISocket GA", "EtcdLearnerMode removed", "NoSuchGate unknown");
        assertThat(gatesKubeadmRefuses(doc, 35)).contains("ControlPlaneKubeletLocalMode GA",
                "NodeLocalCRISocket default");
    }

    @Test
    void theRenderersGateTableIsTheReferenceTable() {
        Map<String, String> expected = new TreeMap<>();
        gateTable().forEach((name, stages) -> expected.put(name, String.join(" ", stages)));
        Map<String, String> actual = new TreeMap<>();
        for (FeatureGates.Gate g : FeatureGates.KUBEADM) {
            actual.put(g.name(), stage(g.alpha()) + " " + stage(g.beta()) + " " + g.ga() + " " + g.removed());
        }
        assertThat(actual).isEqualTo(expected);
    }

    private static String stage(int minor) {
        return minor == 0 ? "-" : Integer.toString(minor);
    }

    /**
     * The gates of a ClusterConfiguration that kubeadm 1.{@code minor} refuses or that only restate its default, as
     * {@code "name reason"}: unknown, not yet, GA (locked), removed, or default (beta set true, alpha set false).
     */
    static List<String> gatesKubeadmRefuses(JsonNode doc, int minor) {
        Map<String, String[]> table = gateTable();
        List<String> bad = new ArrayList<>();
        doc.path("featureGates").fields().forEachRemaining(e -> {
            String reason = refusal(table.get(e.getKey()), minor, e.getValue().asBoolean());
            if (reason != null) {
                bad.add(e.getKey() + " " + reason);
            }
        });
        return bad;
    }

    /** Why kubeadm 1.{@code minor} refuses (or does not need) a gate set to {@code on}; null when it is fine. */
    private static String refusal(String[] stages, int minor, boolean on) {
        if (stages == null) {
            return "unknown";
        } else if (minor >= Integer.parseInt(stages[3])) {
            return "removed";
        } else if (minor >= Integer.parseInt(stages[2])) {
            return "GA";
        } else if (reached(stages[1], minor)) {
            return on ? "default" : null;
        } else if (reached(stages[0], minor)) {
            return on ? null : "default";
        }
        return "not yet";
    }

    private static boolean reached(String stage, int minor) {
        return !stage.equals("-") && minor >= Integer.parseInt(stage);
    }

    /** {@code feature-gates.txt}: gate → {alpha, beta, ga, removed}. */
    static Map<String, String[]> gateTable() {
        Map<String, String[]> table = new TreeMap<>();
        resourceLines("/kubeadm-fields/feature-gates.txt").forEach(l -> {
            String[] f = l.split("\\s+");
            table.put(f[0], new String[] {f[1], f[2], f[3], f[4]});
        });
        return table;
    }

    static boolean isAllowed(String path, Set<String> allowed) {
        if (allowed.contains(path)) {
            return true;
        }
        // A free-keyed map (featureGates) allows any key below it.
        for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
            if (allowed.contains(path.substring(0, dot) + ".*")) {
                return true;
            }
        }
        return false;
    }

    /** Collects {@code Kind.key[].key} paths of scalars and checks flag values are strings. */
    static void walk(JsonNode node, String path, Set<String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                walk(e.getValue(), path + "." + e.getKey(), out);
            }
            if (node.isEmpty()) {
                out.add(path);
            }
        } else if (node.isArray()) {
            node.forEach(item -> walk(item, path + "[]", out));
        } else {
            out.add(path);
            boolean flag = path.endsWith("xtraArgs[].value") || path.endsWith("xtraArgs[].name");
            if (flag) {
                assertThat(node.isTextual()).as("%s must be a YAML string, is %s", path, node.getNodeType()).isTrue();
            }
        }
    }

    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (JsonParser parser = YAML.getFactory().createParser(yaml)) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
        }
        return docs;
    }

    static Set<String> allowed() {
        return Set.copyOf(resourceLines("/kubeadm-fields/v1beta4.txt"));
    }

    /** A resource's lines without blanks and {@code #} comments. */
    static List<String> resourceLines(String name) {
        try (InputStream in = KubeadmFieldsTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
        } catch (IOException e) {
            throw new IllegalStateException(name, e);
        }
    }
}
