package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.epiphany.testkit.sim.SimulationState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SIMULATED Node objects as {@code kubectl get nodes -o json} prints them (a v1 List of v1 Node). */
public final class Nodes {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Nodes() {}

    /** The Ready condition's message of a kubelet whose node has no CNI config yet. */
    public static final String CNI_NOT_READY = "container runtime network not ready: NetworkReady=false "
            + "reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized";

    /** A Node is Ready while its machine is up, its kubelet runs and its container runtime too. */
    static boolean ready(SimulationState s, SimulationState.Node n) {
        return condition(s, n).status().equals("True");
    }

    /** The Ready condition: status, reason and message as the kubelet or kube-controller-manager sets them. */
    public record Ready(String status, String reason, String message) {}

    /** The Node's Ready condition now. */
    public static Ready condition(SimulationState s, SimulationState.Node n) {
        SimulationState.Host h = s.hosts.get(n.host);
        if (h == null || !h.up || !h.active.contains("kubelet")) {
            // node lifecycle controller (kube-controller-manager) once the kubelet's heartbeats stop
            return new Ready("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.");
        }
        if (!h.active.contains("containerd")) {
            return new Ready("False", "KubeletNotReady", "container runtime is down");
        }
        if (!Workloads.networkReady(s, h)) {
            // the kubelet's runtime-network condition until a config is in /etc/cni/net.d (kubernetes-2026.md)
            return new Ready("False", "KubeletNotReady", CNI_NOT_READY);
        }
        return new Ready("True", "KubeletReady", "kubelet is posting ready status");
    }

    static String listJson(SimulationState s, Instant now) {
        List<Object> items = new ArrayList<>();
        for (SimulationState.Node n : s.kube.nodes.values()) {
            items.add(node(s, n, now));
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("items", items);
        list.put("kind", "List");
        list.put("metadata", Map.of("resourceVersion", ""));
        try {
            return JSON.writeValueAsString(list);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A v1 ConfigMap as {@code kubectl get configmap -o json} prints it. */
    static String configMapJson(SimulationState s, String name, String namespace, Map<String, String> data) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        metadata.put("resourceVersion", String.valueOf(s.kube.revision));
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("apiVersion", "v1");
        cm.put("data", data);
        cm.put("kind", "ConfigMap");
        cm.put("metadata", metadata);
        try {
            return JSON.writeValueAsString(cm);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> node(SimulationState s, SimulationState.Node n, Instant now) {
        String created = Instant.ofEpochSecond(n.created).toString();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("annotations", new java.util.TreeMap<>(n.annotations));
        metadata.put("creationTimestamp", created);
        metadata.put("labels", n.labels);
        metadata.put("name", n.name);
        metadata.put("resourceVersion", String.valueOf(s.kube.revision));
        metadata.put("uid", n.uid);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("podCIDR", "10.244.0.0/24");
        spec.put("podCIDRs", List.of("10.244.0.0/24"));
        List<Object> taints = new ArrayList<>();
        if (n.unschedulable) {
            taints.add(taint("node.kubernetes.io/unschedulable", null, "NoSchedule", now));
        }
        n.taints.forEach(t -> taints.add(taint(t.key, t.value, t.effect, null)));
        Ready ready = condition(s, n);
        if (ready.status().equals("Unknown")) {
            taints.add(taint("node.kubernetes.io/unreachable", null, "NoSchedule", now));
        } else if (ready.status().equals("False")) {
            taints.add(taint("node.kubernetes.io/not-ready", null, "NoSchedule", now));
        }
        if (!taints.isEmpty()) {
            spec.put("taints", taints);
        }
        if (n.unschedulable) {
            spec.put("unschedulable", true);
        }
        Map<String, Object> readyCondition = new LinkedHashMap<>();
        readyCondition.put("lastHeartbeatTime", now.toString());
        readyCondition.put("lastTransitionTime", created);
        readyCondition.put("message", ready.message());
        readyCondition.put("reason", ready.reason());
        readyCondition.put("status", ready.status());
        readyCondition.put("type", "Ready");
        Map<String, Object> nodeInfo = new LinkedHashMap<>();
        nodeInfo.put("architecture", "amd64");
        String runtime = s.hosts.get(n.host) == null ? null : s.hosts.get(n.host).containerdVersion;
        nodeInfo.put("containerRuntimeVersion", "containerd://" + (runtime == null ? "2.1.4" : runtime));
        nodeInfo.put("kernelVersion", "6.1.0-SIMULATED");
        nodeInfo.put("kubeProxyVersion", n.kubeletVersion);
        nodeInfo.put("kubeletVersion", n.kubeletVersion);
        nodeInfo.put("operatingSystem", "linux");
        nodeInfo.put("osImage", "SIMULATED Linux");
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("addresses", List.of(Map.of("address", n.ip, "type", "InternalIP"),
                Map.of("address", n.name, "type", "Hostname")));
        status.put("conditions", List.of(readyCondition));
        status.put("nodeInfo", nodeInfo);
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("apiVersion", "v1");
        node.put("kind", "Node");
        node.put("metadata", metadata);
        node.put("spec", spec);
        node.put("status", status);
        return node;
    }

    private static Map<String, Object> taint(String key, String value, String effect, Instant added) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("effect", effect);
        t.put("key", key);
        if (added != null) {
            t.put("timeAdded", added.toString());
        }
        if (value != null) {
            t.put("value", value);
        }
        return t;
    }

    /** A new Node as its kubelet registers it ({@code kubeletVersion}: the kubelet's own version). */
    static SimulationState.Node node(String name, String host, String ip, boolean controlPlane,
            List<KubeadmConfig.SimTaint> taints, String kubeletVersion, Instant now) {
        SimulationState.Node n = new SimulationState.Node();
        n.name = name;
        n.host = host;
        n.ip = ip;
        n.controlPlane = controlPlane;
        n.uid = java.util.UUID.randomUUID().toString();
        n.created = now.getEpochSecond();
        n.kubeletVersion = kubeletVersion;
        // what kubeadm (cri-socket, before NodeLocalCRISocket), the node controller and the kubelet annotate
        n.annotations.put("kubeadm.alpha.kubernetes.io/cri-socket", "unix:///run/containerd/containerd.sock");
        n.annotations.put("node.alpha.kubernetes.io/ttl", "0");
        n.annotations.put("volumes.kubernetes.io/controller-managed-attach-detach", "true");
        n.labels.put("beta.kubernetes.io/arch", "amd64");
        n.labels.put("beta.kubernetes.io/os", "linux");
        n.labels.put("kubernetes.io/arch", "amd64");
        n.labels.put("kubernetes.io/hostname", name);
        n.labels.put("kubernetes.io/os", "linux");
        if (controlPlane) {
            n.labels.put("node-role.kubernetes.io/control-plane", "");
            n.labels.put("node.kubernetes.io/exclude-from-external-load-balancers", "");
        }
        for (KubeadmConfig.SimTaint t : taints) {
            SimulationState.Taint st = new SimulationState.Taint();
            st.key = t.key();
            st.value = t.value();
            st.effect = t.effect();
            n.taints.add(st);
        }
        return n;
    }
}
