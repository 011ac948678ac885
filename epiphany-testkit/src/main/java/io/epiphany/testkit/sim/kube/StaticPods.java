package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.epiphany.testkit.sim.HostFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The static pod manifests the SIMULATED kubeadm writes to {@code /etc/kubernetes/manifests}: kubeadm's default flags
 * for kube-apiserver, kube-controller-manager and kube-scheduler with the ClusterConfiguration's {@code extraArgs}
 * overriding them (command sorted by flag name, as kubeadm's ArgumentsToCommand does), its hostPath volumes plus
 * {@code apiServer.extraVolumes}; and the etcd pod.
 */
final class StaticPods {
    static final List<String> COMPONENTS = List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler");
    private static final String PKI = ControlPlane.PKI;
    private static final YAMLMapper YAML = new YAMLMapper();

    /** A hostPath volume: the host's {@code hostPath} seen in the container at {@code mountPath}. */
    record Volume(String name, String hostPath, String mountPath, boolean readOnly) {}

    private StaticPods() {}

    /** Writes one control-plane component's manifest for node {@code n} from the cluster configuration. */
    static void writeComponent(HostFiles f, String component, ControlPlane.NodeSpec n, KubeadmConfig cluster,
            String version) throws IOException {
        JsonNode cc = cluster.doc("ClusterConfiguration");
        Map<String, String> flags = new TreeMap<>();
        List<Volume> volumes = new ArrayList<>(List.of(
                new Volume("ca-certs", "/etc/ssl/certs", "/etc/ssl/certs", true),
                new Volume("etc-ca-certificates", "/etc/ca-certificates", "/etc/ca-certificates", true),
                new Volume("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates",
                        "/usr/local/share/ca-certificates", true),
                new Volume("usr-share-ca-certificates", "/usr/share/ca-certificates", "/usr/share/ca-certificates",
                        true)));
        Map<String, String> annotations = new LinkedHashMap<>();
        String serviceSubnet = cc.path("networking").path("serviceSubnet").asText("10.96.0.0/12");
        String extraArgsOf;
        switch (component) {
            case "kube-apiserver" -> {
                apiserverDefaults(flags, n, serviceSubnet);
                volumes.add(new Volume("k8s-certs", PKI, PKI, true));
                cc.path("apiServer").path("extraVolumes").forEach(v -> volumes.add(new Volume(v.path("name").asText(),
                        v.path("hostPath").asText(), v.path("mountPath").asText(), v.path("readOnly").asBoolean())));
                annotations.put("kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint",
                        n.advertiseAddress() + ":6443");
                extraArgsOf = "apiServer";
            }
            case "kube-controller-manager" -> {
                String conf = "/etc/kubernetes/controller-manager.conf";
                flags.put("authentication-kubeconfig", conf);
                flags.put("authorization-kubeconfig", conf);
                flags.put("bind-address", "127.0.0.1");
                flags.put("client-ca-file", PKI + "/ca.crt");
                flags.put("cluster-name", n.clusterName());
                flags.put("cluster-signing-cert-file", PKI + "/ca.crt");
                flags.put("cluster-signing-key-file", PKI + "/ca.key");
                flags.put("controllers", "*,bootstrapsigner,tokencleaner");
                flags.put("kubeconfig", conf);
                flags.put("leader-elect", "true");
                flags.put("requestheader-client-ca-file", PKI + "/front-proxy-ca.crt");
                flags.put("root-ca-file", PKI + "/ca.crt");
                flags.put("service-account-private-key-file", PKI + "/sa.key");
                flags.put("service-cluster-ip-range", serviceSubnet);
                flags.put("use-service-account-credentials", "true");
                KubeadmConfig.text(cc.path("networking").path("podSubnet")).ifPresent(pods -> {
                    flags.put("allocate-node-cidrs", "true");
                    flags.put("cluster-cidr", pods);
                });
                volumes.add(new Volume("k8s-certs", PKI, PKI, true));
                volumes.add(new Volume("kubeconfig", conf, conf, true));
                extraArgsOf = "controllerManager";
            }
            case "kube-scheduler" -> {
                String conf = "/etc/kubernetes/scheduler.conf";
                flags.put("authentication-kubeconfig", conf);
                flags.put("authorization-kubeconfig", conf);
                flags.put("bind-address", "127.0.0.1");
                flags.put("kubeconfig", conf);
                flags.put("leader-elect", "true");
                volumes.clear();
                volumes.add(new Volume("kubeconfig", conf, conf, true));
                extraArgsOf = "scheduler";
            }
            default -> throw new IllegalArgumentException("unknown control-plane component " + component);
        }
        flags.putAll(cluster.extraArgs(extraArgsOf));
        List<String> command = new ArrayList<>(List.of(component));
        flags.forEach((k, v) -> command.add("--" + k + "=" + v));
        f.write(ControlPlane.MANIFESTS + "/" + component + ".yaml", pod(component, "registry.k8s.io/" + component
                + ":" + version, command, annotations, volumes), 0600);
    }

    private static void apiserverDefaults(Map<String, String> flags, ControlPlane.NodeSpec n, String serviceSubnet) {
        flags.put("advertise-address", n.advertiseAddress());
        flags.put("allow-privileged", "true");
        flags.put("authorization-mode", "Node,RBAC");
        flags.put("client-ca-file", PKI + "/ca.crt");
        flags.put("enable-admission-plugins", "NodeRestriction");
        flags.put("enable-bootstrap-token-auth", "true");
        flags.put("etcd-cafile", PKI + "/etcd/ca.crt");
        flags.put("etcd-certfile", PKI + "/apiserver-etcd-client.crt");
        flags.put("etcd-keyfile", PKI + "/apiserver-etcd-client.key");
        flags.put("etcd-servers", "https://127.0.0.1:2379");
        flags.put("kubelet-client-certificate", PKI + "/apiserver-kubelet-client.crt");
        flags.put("kubelet-client-key", PKI + "/apiserver-kubelet-client.key");
        flags.put("kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname");
        flags.put("proxy-client-cert-file", PKI + "/front-proxy-client.crt");
        flags.put("proxy-client-key-file", PKI + "/front-proxy-client.key");
        flags.put("requestheader-allowed-names", "front-proxy-client");
        flags.put("requestheader-client-ca-file", PKI + "/front-proxy-ca.crt");
        flags.put("requestheader-extra-headers-prefix", "X-Remote-Extra-");
        flags.put("requestheader-group-headers", "X-Remote-Group");
        flags.put("requestheader-username-headers", "X-Remote-User");
        flags.put("secure-port", "6443");
        flags.put("service-account-issuer", "https://kubernetes.default.svc.cluster.local");
        flags.put("service-account-key-file", PKI + "/sa.pub");
        flags.put("service-account-signing-key-file", PKI + "/sa.key");
        flags.put("service-cluster-ip-range", serviceSubnet);
        flags.put("tls-cert-file", PKI + "/apiserver.crt");
        flags.put("tls-private-key-file", PKI + "/apiserver.key");
    }

    /** The etcd static pod; it mounts the etcd PKI directory and its data directory. */
    static void writeEtcd(HostFiles f, List<String> command, String ip, String dataDir, String etcdVersion)
            throws IOException {
        f.write(ControlPlane.MANIFESTS + "/etcd.yaml", pod("etcd", "registry.k8s.io/etcd:" + etcdVersion + "-0",
                command, Map.of("kubeadm.kubernetes.io/etcd.advertise-client-urls", "https://" + ip + ":2379"),
                List.of(new Volume("etcd-certs", PKI + "/etcd", PKI + "/etcd", false),
                        new Volume("etcd-data", dataDir, dataDir, false))), 0600);
    }

    private static String pod(String name, String image, List<String> command, Map<String, String> annotations,
            List<Volume> volumes) throws IOException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("annotations", annotations);
        metadata.put("labels", Map.of("component", name, "tier", "control-plane"));
        metadata.put("name", name);
        metadata.put("namespace", "kube-system");
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("command", command);
        container.put("image", image);
        container.put("name", name);
        List<Object> mounts = new ArrayList<>();
        List<Object> hostPaths = new ArrayList<>();
        for (Volume v : volumes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mountPath", v.mountPath());
            m.put("name", v.name());
            if (v.readOnly()) {
                m.put("readOnly", true);
            }
            mounts.add(m);
            hostPaths.add(Map.of("hostPath", Map.of("path", v.hostPath(), "type", "DirectoryOrCreate"),
                    "name", v.name()));
        }
        container.put("volumeMounts", mounts);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("containers", List.of(container));
        spec.put("hostNetwork", true);
        spec.put("priorityClassName", "system-node-critical");
        spec.put("volumes", hostPaths);
        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.put("metadata", metadata);
        pod.put("spec", spec);
        return "# SIMULATED static pod written by the test fleet's kubeadm\n" + YAML.writeValueAsString(pod);
    }

    /** A manifest's container command, or empty when the manifest is missing or unreadable. */
    static Optional<String> image(HostFiles f, String component) {
        try {
            if (!f.exists(ControlPlane.MANIFESTS + "/" + component + ".yaml")) {
                return Optional.empty();
            }
            return Optional.of(pod(f, component).path("spec").path("containers").path(0).path("image").asText());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<List<String>> command(HostFiles f, String component) {
        try {
            List<String> command = new ArrayList<>();
            pod(f, component).path("spec").path("containers").path(0).path("command")
                    .forEach(c -> command.add(c.asText()));
            return Optional.of(command);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A manifest's volumes: the hostPath of each volume with its container mountPath. */
    static List<Volume> volumes(HostFiles f, String component) {
        List<Volume> out = new ArrayList<>();
        try {
            JsonNode pod = pod(f, component);
            Map<String, String> hostPaths = new LinkedHashMap<>();
            pod.path("spec").path("volumes").forEach(v -> hostPaths.put(v.path("name").asText(),
                    v.path("hostPath").path("path").asText()));
            pod.path("spec").path("containers").path(0).path("volumeMounts").forEach(m -> out.add(new Volume(
                    m.path("name").asText(), hostPaths.getOrDefault(m.path("name").asText(), ""),
                    m.path("mountPath").asText(), m.path("readOnly").asBoolean())));
        } catch (IOException e) {
            // no manifest: no volumes
        }
        return out;
    }

    /** The host path behind a path inside the container, or empty when no volume shows it. */
    static Optional<String> hostPathOf(List<Volume> volumes, String containerPath) {
        for (Volume v : volumes) {
            String m = v.mountPath();
            if (containerPath.equals(m) || containerPath.startsWith(m.endsWith("/") ? m : m + "/")) {
                return Optional.of(v.hostPath() + containerPath.substring(m.length()));
            }
        }
        return Optional.empty();
    }

    private static JsonNode pod(HostFiles f, String component) throws IOException {
        return YAML.readTree(f.readString(ControlPlane.MANIFESTS + "/" + component + ".yaml"));
    }
}
