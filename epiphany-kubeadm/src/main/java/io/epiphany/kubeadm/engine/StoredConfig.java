package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ClusterConfiguration kubeadm stored in the cluster (ConfigMap {@code kube-system/kubeadm-config}), the fields
 * the engine compares with the description. {@code extraArgs} are read in both kubeadm forms: v1beta4's list of
 * {@code {name, value}} and v1beta3's map.
 */
record StoredConfig(String clusterName, String kubernetesVersion, String controlPlaneEndpoint, String podSubnet,
        String serviceSubnet, String dnsDomain, Map<String, Map<String, String>> extraArgs, List<String> certSans) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** From {@code kubectl get configmap kubeadm-config -n kube-system -o json}. */
    static StoredConfig fromConfigMap(String json) throws IOException {
        return parse(JSON.readTree(json).path("data").path("ClusterConfiguration").asText(""));
    }

    static StoredConfig parse(String clusterConfiguration) throws IOException {
        JsonNode c = YAML.readTree(clusterConfiguration);
        if (c == null || !c.isObject()) {
            throw new IOException("ClusterConfiguration is empty");
        }
        Map<String, Map<String, String>> args = new LinkedHashMap<>();
        args.put("kube-apiserver", args(c.path("apiServer").path("extraArgs")));
        args.put("kube-controller-manager", args(c.path("controllerManager").path("extraArgs")));
        args.put("kube-scheduler", args(c.path("scheduler").path("extraArgs")));
        List<String> sans = new ArrayList<>();
        c.path("apiServer").path("certSANs").forEach(s -> sans.add(s.asText()));
        JsonNode net = c.path("networking");
        return new StoredConfig(c.path("clusterName").asText(""), c.path("kubernetesVersion").asText(""),
                c.path("controlPlaneEndpoint").asText(""), net.path("podSubnet").asText(""),
                net.path("serviceSubnet").asText(""), net.path("dnsDomain").asText(""), args, sans);
    }

    private static Map<String, String> args(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isArray()) {
            node.forEach(a -> out.put(a.path("name").asText(), a.path("value").asText()));
        } else {
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }
}
