package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.MappingIterator;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SIMULATED workloads: the objects {@code kubectl apply} stores, the CNI they make (a DaemonSet mounting hostPath
 * {@code /etc/cni/net.d} puts {@code 10-<name>.conflist} there on every host whose kubelet runs, as a CNI's pod
 * does), and CoreDNS, which runs once a Node is Ready. Flannel's check is modelled: its pods fail, and write no config,
 * when the {@code kube-flannel-cfg} ConfigMap's net-conf.json {@code Network} does not contain the cluster's pod
 * subnet (flannel's kube subnet manager takes each Node's podCIDR, allocated from the podSubnet, and refuses one
 * outside its Network).
 */
public final class Workloads {
    public static final String CNI_DIR = "/etc/cni/net.d";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> CLUSTER_SCOPED = List.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PriorityClass", "StorageClass", "APIService", "PodSecurityPolicy",
            "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration");
    private static final List<String> BUILT_IN_NAMESPACES = List.of("default", "kube-system", "kube-public",
            "kube-node-lease");

    private Workloads() {}

    /** Parses a multi-document manifest into objects (null documents skipped). */
    static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && n.isObject() && !n.isEmpty()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /**
     * Stores the objects and returns kubectl's lines, or an error (second element, "Error from server (...)...").
     * {@code create} ({@code kubectl create -f}) refuses an object that exists; otherwise server-side apply: create or
     * replace. A bootstrap token Secret becomes one of the cluster's tokens ({@link BootstrapTokenSecrets}); any other
     * Secret is stored in etcd encrypted by {@code apiserver}, the API server that serves the request.
     */
    static String[] apply(SimulationState s, String apiserver, List<JsonNode> objects, boolean create, String file) {
        StringBuilder out = new StringBuilder();
        for (JsonNode o : objects) {
            if (BootstrapTokenSecrets.isBootstrapToken(o)) {
                String line = BootstrapTokenSecrets.store(s, o, !create, create ? "created" : "serverside-applied");
                if (line.startsWith("!")) {
                    return new String[] {out.toString(), "Error from server (AlreadyExists): error when creating \""
                            + file + "\": " + line.substring(line.indexOf(' ') + 1)};
                }
                out.append(line).append('\n');
                continue;
            }
            String kind = o.path("kind").asText("");
            String name = o.path("metadata").path("name").asText("");
            if (kind.isEmpty() || name.isEmpty()) {
                return new String[] {null, "error: error validating data: [apiVersion or kind not set, metadata.name "
                        + "not set]"};
            }
            boolean namespaced = !CLUSTER_SCOPED.contains(kind);
            String ns = namespaced ? o.path("metadata").path("namespace").asText("default") : "";
            if (namespaced && !BUILT_IN_NAMESPACES.contains(ns) && !s.kube.objects.containsKey("Namespace//" + ns)) {
                return new String[] {out.toString(), "Error from server (NotFound): namespaces \"" + ns
                        + "\" not found"};
            }
            ObjectNode stored = o.deepCopy();
            if (namespaced) {
                ((ObjectNode) stored.with("metadata")).put("namespace", ns);
            }
            String api = o.path("apiVersion").asText("v1");
            String group = api.contains("/") ? "." + api.substring(0, api.indexOf('/')) : "";
            String key = kind + "/" + ns + "/" + name;
            if (create && s.kube.objects.containsKey(key)) {
                // kubectl names the resource by its lower-case plural (a simple "s" for the kinds the SDK creates)
                return new String[] {out.toString(), "Error from server (AlreadyExists): error when creating \""
                        + file + "\": " + kind.toLowerCase() + "s \"" + name + "\" already exists"};
            }
            if (kind.equals("Secret")) {
                KubectlSecrets.store(s, apiserver, stored); // in etcd, encrypted by the apiserver that serves this
            } else {
                s.kube.objects.put(key, stored.toString());
                s.kube.revision++;
            }
            out.append(kind.toLowerCase()).append(group).append('/').append(name)
                    .append(create ? " created\n" : " serverside-applied\n");
        }
        return new String[] {out.toString(), null};
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored objects of one kind. */
    static List<JsonNode> ofKind(SimulationState s, String kind) {
        List<JsonNode> out = new ArrayList<>();
        if (s.kube != null) {
            s.kube.objects.forEach((k, v) -> {
                if (k.startsWith(kind + "/")) {
                    out.add(read(v));
                }
            });
        }
        return out;
    }

    static List<String> hostPaths(JsonNode ds) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : ds.path("spec").path("template").path("spec").path("volumes")) {
            String p = v.path("hostPath").path("path").asText("");
            if (!p.isEmpty()) {
                out.add(p.replaceFirst("/$", ""));
            }
        }
        return out;
    }

    /** The DaemonSets that install a CNI config and whose pods work (Flannel's Network check passes). */
    public static List<String> workingCniDaemonSets(SimulationState s) {
        List<String> out = new ArrayList<>();
        for (JsonNode ds : ofKind(s, "DaemonSet")) {
            if (hostPaths(ds).contains(CNI_DIR) && flannelProblem(s, ds.path("metadata").path("namespace").asText())
                    .isEmpty()) {
                out.add(ds.path("metadata").path("name").asText());
            }
        }
        return out;
    }

    /** Why a namespace's Flannel pods fail, or empty (also when there is no Flannel config there). */
    static Optional<String> flannelProblem(SimulationState s, String namespace) {
        String cm = s.kube == null ? null : s.kube.objects.get("ConfigMap/" + namespace + "/kube-flannel-cfg");
        if (cm == null) {
            return Optional.empty();
        }
        String podSubnet = podSubnet(s).orElse(null);
        String network;
        try {
            network = JSON.readTree(read(cm).path("data").path("net-conf.json").asText("{}")).path("Network").asText("");
        } catch (IOException e) {
            return Optional.of("failed to parse net-conf.json: " + e.getMessage());
        }
        if (podSubnet == null) {
            return Optional.of("Error registering network: failed to acquire lease: node pod cidr not assigned");
        }
        if (!Cidr.contains(network, podSubnet)) {
            return Optional.of("Error registering network: the node's podCIDR (from podSubnet " + podSubnet
                    + ") is not in flannel's Network " + network);
        }
        return Optional.empty();
    }

    /** The ClusterConfiguration's networking.podSubnet. */
    public static Optional<String> podSubnet(SimulationState s) {
        if (s.kube == null || s.kube.clusterConfiguration == null) {
            return Optional.empty();
        }
        try {
            String v = YAML.readTree(s.kube.clusterConfiguration).path("networking").path("podSubnet").asText("");
            return v.isEmpty() ? Optional.empty() : Optional.of(v);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether a host's kubelet sees a CNI config: one in its /etc/cni/net.d, or a working CNI pod writing it. */
    static boolean networkReady(SimulationState s, SimulationState.Host h) {
        return h.cniConfig || (h.up && h.active.contains("kubelet") && !workingCniDaemonSets(s).isEmpty());
    }

    /**
     * What happens on a host between commands: a working CNI DaemonSet's pod (while the kubelet runs and the host is
     * in the cluster) writes its config into /etc/cni/net.d; the kubelet notices a config there.
     */
    public static void reconcile(HostContext host) {
        try {
            List<String> cnis = host.store().read(s -> {
                SimulationState.Host h = s.hosts.get(host.hostname());
                boolean member = s.kube != null && s.kube.nodes.values().stream()
                        .anyMatch(n -> n.host.equals(host.hostname()));
                return h != null && h.up && h.active.contains("kubelet") && member ? workingCniDaemonSets(s)
                        : List.<String>of();
            });
            for (String name : cnis) {
                String file = CNI_DIR + "/10-" + name + ".conflist";
                if (!host.files().exists(file)) {
                    host.files().write(file, "{\n  \"name\": \"" + name + "\",\n  \"cniVersion\": \"1.0.0\",\n"
                            + "  \"plugins\": [{\"type\": \"bridge\", \"comment\": \"SIMULATED\"}]\n}\n", 0644);
                }
            }
            boolean present = !host.files().list(CNI_DIR).isEmpty();
            if (host.store().read(s -> s.hosts.get(host.hostname()) != null
                    && s.hosts.get(host.hostname()).cniConfig != present)) {
                host.store().update(s -> {
                    s.hosts.get(host.hostname()).cniConfig = present;
                    return null;
                });
            }
        } catch (IOException e) {
            // a full disk: the CNI pod fails to write, the node stays NotReady
        }
    }

    /** {@code kubectl get daemonsets -A -o json}. */
    static String daemonSetsJson(SimulationState s) throws IOException {
        List<Object> items = new ArrayList<>();
        long nodes = s.kube.nodes.size();
        List<String> working = workingCniDaemonSets(s);
        for (JsonNode ds : ofKind(s, "DaemonSet")) {
            ObjectNode o = ds.deepCopy();
            ObjectNode status = o.putObject("status");
            status.put("desiredNumberScheduled", nodes);
            boolean ok = !hostPaths(ds).contains(CNI_DIR) || working.contains(ds.path("metadata").path("name").asText());
            status.put("numberReady", ok ? nodes : 0);
            items.add(o);
        }
        return listJson(items);
    }

    /** {@code kubectl get deployment coredns -n kube-system -o json}: 2 replicas, ready once a Node is Ready. */
    static String corednsJson(SimulationState s) throws IOException {
        boolean someReady = s.kube.nodes.values().stream().anyMatch(n -> Nodes.ready(s, n));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("labels", Map.of("k8s-app", "kube-dns"));
        metadata.put("name", "coredns");
        metadata.put("namespace", "kube-system");
        Map<String, Object> status = new LinkedHashMap<>();
        if (someReady) {
            status.put("availableReplicas", 2);
            status.put("readyReplicas", 2);
            status.put("replicas", 2);
        } else {
            status.put("replicas", 2);
            status.put("unavailableReplicas", 2);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("apiVersion", "apps/v1");
        d.put("kind", "Deployment");
        d.put("metadata", metadata);
        d.put("spec", Map.of("replicas", 2));
        d.put("status", status);
        return JSON.writeValueAsString(d);
    }

    private static String listJson(List<Object> items) throws IOException {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("items", items);
        list.put("kind", "List");
        list.put("metadata", Map.of("resourceVersion", ""));
        return JSON.writeValueAsString(list);
    }

    /** IPv4 CIDR containment. */
    static final class Cidr {
        private Cidr() {}

        static boolean contains(String outer, String inner) {
            try {
                String[] o = outer.split("/");
                String[] i = inner.split("/");
                int ob = Integer.parseInt(o[1]);
                int ib = Integer.parseInt(i[1]);
                long mask = ob == 0 ? 0 : (0xffffffffL << (32 - ob)) & 0xffffffffL;
                return ib >= ob && (ip(o[0]) & mask) == (ip(i[0]) & mask);
            } catch (RuntimeException e) {
                return false;
            }
        }

        private static long ip(String a) {
            long v = 0;
            for (String p : a.split("\\.")) {
                v = (v << 8) | Integer.parseInt(p);
            }
            return v;
        }
    }
}
