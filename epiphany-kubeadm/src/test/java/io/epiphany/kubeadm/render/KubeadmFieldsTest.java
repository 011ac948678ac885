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
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every key of every rendered kubeadm document exists in kubeadm's types for that API version (the field lists in
 * {@code src/test/resources/kubeadm-fields}, copied from the team's kubeadm-fields.md), and every flag value is a
 * YAML string, as kubeadm's Go types require.
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
    @ValueSource(strings = {"1.30.9", "1.31.4", "1.32.1", "1.33.5", "1.34.2", "1.35.0", "1.36.0"})
    void everyRenderedKeyExistsForThatApiVersion(String version) throws IOException {
        Cluster cluster = everything(version);
        KubeadmApi api = KubeadmApi.of(cluster.version());
        Set<String> allowed = allowed(api);
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
                walk(doc, doc.path("kind").asText(), rendered, api);
            }
        }
        assertThat(rendered).as("kinds rendered").anyMatch(p -> p.startsWith("InitConfiguration."))
                .anyMatch(p -> p.startsWith("ClusterConfiguration.")).anyMatch(p -> p.startsWith("JoinConfiguration."))
                .anyMatch(p -> p.contains(".taints[]."));
        assertThat(rendered.stream().filter(p -> !isAllowed(p, allowed)).collect(Collectors.toList()))
                .as("keys not in kubeadm %s", api.apiVersion()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.30.9", "1.34.2"})
    void theCheckRejectsAKeyOfTheOtherVersion(String version) throws IOException {
        // The walk must be able to fail: v1beta3's timeoutForControlPlane is gone in v1beta4, v1beta4's list-shaped
        // extraArgs are a map in v1beta3.
        KubeadmApi api = KubeadmApi.of(Fixtures.seed().toBuilder().kubernetesVersion(version).build().version());
        String foreign = api == KubeadmApi.V1BETA4
                ? "kind: ClusterConfiguration\napiServer:\n  timeoutForControlPlane: 4m0s\n"
                : "kind: ClusterConfiguration\napiServer:\n  extraArgs:\n  - name: x\n    value: y\n";
        Set<String> rendered = new TreeSet<>();
        walk(documents(foreign).get(0), "ClusterConfiguration", rendered, api);
        assertThat(rendered.stream().filter(p -> !isAllowed(p, allowed(api)))).isNotEmpty();
    }

    static boolean isAllowed(String path, Set<String> allowed) {
        if (allowed.contains(path)) {
            return true;
        }
        // A free-keyed map (featureGates, v1beta3 extraArgs) allows any key below it.
        for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
            if (allowed.contains(path.substring(0, dot) + ".*")) {
                return true;
            }
        }
        return false;
    }

    /** Collects {@code Kind.key[].key} paths of scalars and checks flag values are strings. */
    static void walk(JsonNode node, String path, Set<String> out, KubeadmApi api) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                walk(e.getValue(), path + "." + e.getKey(), out, api);
            }
            if (node.isEmpty()) {
                out.add(path);
            }
        } else if (node.isArray()) {
            node.forEach(item -> walk(item, path + "[]", out, api));
        } else {
            out.add(path);
            boolean flag = path.endsWith("xtraArgs[].value") || path.endsWith("xtraArgs[].name")
                    || (api == KubeadmApi.V1BETA3 && path.matches(".*[eE]xtraArgs\\.[^.]+"));
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

    static Set<String> allowed(KubeadmApi api) {
        String name = "/kubeadm-fields/" + api.apiVersion().substring(api.apiVersion().indexOf('/') + 1) + ".txt";
        try (InputStream in = KubeadmFieldsTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new IllegalStateException(name, e);
        }
    }
}
