package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.RealEtcd;
import io.epiphany.testkit.sim.RealOsMode;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What kubeadm puts on a SIMULATED control-plane host: the PKI under {@code /etc/kubernetes/pki}, the kubeconfig
 * files and the static pod manifests; and what "the kubelet starts the static pods" means in the simulation.
 */
public final class ControlPlane {
    public static final String PKI = "/etc/kubernetes/pki";
    public static final String MANIFESTS = "/etc/kubernetes/manifests";
    /** The 8 files every master must share (kubeadm's {@code certsToTransfer}, local etcd). */
    public static final List<String> SHARED_FILES = List.of("ca.crt", "ca.key", "sa.key", "sa.pub",
            "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key");
    public static final List<String> KUBECONFIGS = List.of("admin.conf", "super-admin.conf", "kubelet.conf",
            "bootstrap-kubelet.conf", "controller-manager.conf", "scheduler.conf");
    private static final List<String> FILE_FLAGS = List.of("encryption-provider-config", "audit-policy-file",
            "admission-control-config-file", "authentication-config", "authorization-config",
            "tls-cert-file", "tls-private-key-file", "client-ca-file", "service-account-key-file");
    private static final YAMLMapper YAML = new YAMLMapper();

    /** The node a control plane is made for. */
    public record NodeSpec(String name, String advertiseAddress, List<String> extraSans, String endpoint,
            String clusterName, String algorithm) {}

    private ControlPlane() {}

    /** Creates the CAs and service-account keys that are missing (kubeadm uses existing ones). */
    static void ensureSharedPki(HostFiles f, String algorithm, Instant now) throws IOException {
        ensureCa(f, "ca", "kubernetes", algorithm, now);
        ensureCa(f, "front-proxy-ca", "front-proxy-ca", algorithm, now);
        ensureCa(f, "etcd/ca", "etcd-ca", algorithm, now);
        if (!f.exists(PKI + "/sa.key")) {
            KeyPair sa = Pki.newKey(algorithm);
            f.write(PKI + "/sa.key", Pki.pem(sa.getPrivate()), 0600);
            f.write(PKI + "/sa.pub", Pki.pem(sa.getPublic()), 0644);
        }
    }

    private static void ensureCa(HostFiles f, String file, String cn, String algorithm, Instant now)
            throws IOException {
        if (f.exists(PKI + "/" + file + ".crt") && f.exists(PKI + "/" + file + ".key")) {
            return;
        }
        Pki.Issued ca = Pki.ca(cn, algorithm, now);
        write(f, file, ca);
    }

    static Pki.Issued loadCa(HostFiles f, String file) throws IOException {
        X509Certificate cert = Pki.readCertificate(f.readString(PKI + "/" + file + ".crt"));
        return new Pki.Issued(cert, Pki.readKeyPair(f.readString(PKI + "/" + file + ".key"), cert));
    }

    /** The leaf certificates of one control-plane node, signed by the CAs on its disk. */
    static void writeNodePki(HostFiles f, NodeSpec n, Instant now) throws IOException {
        Pki.Issued ca = loadCa(f, "ca");
        Pki.Issued frontProxy = loadCa(f, "front-proxy-ca");
        Pki.Issued etcd = loadCa(f, "etcd/ca");
        String alg = n.algorithm();
        writeApiserverCertificate(f, n, now);
        write(f, "apiserver-kubelet-client", Pki.leaf("kube-apiserver-kubelet-client",
                List.of("kubeadm:cluster-admins"), ca, List.of(), List.of(), List.of("client"), alg, now));
        write(f, "front-proxy-client", Pki.leaf("front-proxy-client", List.of(), frontProxy, List.of(), List.of(),
                List.of("client"), alg, now));
        List<String> etcdDns = List.of(n.name(), "localhost");
        List<String> etcdIps = dedupe(List.of(n.advertiseAddress(), "127.0.0.1", "0:0:0:0:0:0:0:1"));
        write(f, "etcd/server", Pki.leaf(n.name(), List.of(), etcd, etcdDns, etcdIps, List.of("server", "client"),
                alg, now));
        write(f, "etcd/peer", Pki.leaf(n.name(), List.of(), etcd, etcdDns, etcdIps, List.of("server", "client"),
                alg, now));
        write(f, "etcd/healthcheck-client", Pki.leaf("kube-etcd-healthcheck-client", List.of(), etcd, List.of(),
                List.of(), List.of("client"), alg, now));
        write(f, "apiserver-etcd-client", Pki.leaf("kube-apiserver-etcd-client", List.of(), etcd, List.of(),
                List.of(), List.of("client"), alg, now));
    }

    /**
     * The apiserver's serving certificate, signed by the cluster CA on disk, for kubeadm's names: the node name, the
     * kubernetes service names, the first service IP, the advertise address, the controlPlaneEndpoint host and the
     * config's certSANs. Returns the DNS names and IPs, as kubeadm prints them.
     */
    static List<List<String>> writeApiserverCertificate(HostFiles f, NodeSpec n, Instant now) throws IOException {
        Pki.Issued ca = loadCa(f, "ca");
        List<String> dns = new ArrayList<>(List.of(n.name(), "kubernetes", "kubernetes.default",
                "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"));
        List<String> ips = new ArrayList<>(List.of("10.96.0.1", n.advertiseAddress()));
        String endpointHost = n.endpoint() == null ? null : n.endpoint().replaceFirst(":\\d+$", "");
        if (endpointHost != null) {
            (isIp(endpointHost) ? ips : dns).add(endpointHost);
        }
        for (String san : n.extraSans()) {
            (isIp(san) ? ips : dns).add(san);
        }
        write(f, "apiserver", Pki.leaf("kube-apiserver", List.of(), ca, dedupe(dns), dedupe(ips),
                List.of("server"), n.algorithm(), now));
        return List.of(dedupe(dns), dedupe(ips));
    }

    /** admin.conf (and super-admin.conf on the init node), controller-manager, scheduler and kubelet kubeconfigs. */
    static void writeKubeconfigs(HostFiles f, NodeSpec n, boolean superAdmin, Instant now) throws IOException {
        Pki.Issued ca = loadCa(f, "ca");
        String endpoint = "https://" + (n.endpoint() == null ? n.advertiseAddress() + ":6443" : n.endpoint());
        String local = "https://" + n.advertiseAddress() + ":6443";
        String alg = n.algorithm();
        writeKubeconfig(f, "admin.conf", n.clusterName(), endpoint, ca, Pki.leaf("kubernetes-admin",
                List.of("kubeadm:cluster-admins"), ca, List.of(), List.of(), List.of("client"), alg, now));
        if (superAdmin) {
            writeKubeconfig(f, "super-admin.conf", n.clusterName(), endpoint, ca, Pki.leaf("kubernetes-super-admin",
                    List.of("system:masters"), ca, List.of(), List.of(), List.of("client"), alg, now));
        }
        writeKubeconfig(f, "controller-manager.conf", n.clusterName(), local, ca, Pki.leaf(
                "system:kube-controller-manager", List.of(), ca, List.of(), List.of(), List.of("client"), alg, now));
        writeKubeconfig(f, "scheduler.conf", n.clusterName(), local, ca, Pki.leaf("system:kube-scheduler",
                List.of(), ca, List.of(), List.of(), List.of("client"), alg, now));
        // ControlPlaneKubeletLocalMode: a master's kubelet talks to its own apiserver
        writeKubeconfig(f, "kubelet.conf", n.clusterName(), local, ca, Pki.leaf("system:node:" + n.name(),
                List.of("system:nodes"), ca, List.of(), List.of(), List.of("client"), alg, now));
    }

    /** A worker's kubelet.conf: the cluster CA and the endpoint; its client certificate comes from TLS bootstrap. */
    static void writeWorkerKubeconfig(HostFiles f, String clusterName, String endpoint, String caPem, String node)
            throws IOException {
        f.write(PKI + "/ca.crt", caPem, 0644);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("client-certificate", "/var/lib/kubelet/pki/kubelet-client-current.pem");
        user.put("client-key", "/var/lib/kubelet/pki/kubelet-client-current.pem");
        f.write("/etc/kubernetes/kubelet.conf", YAML.writeValueAsString(kubeconfig(clusterName,
                "https://" + endpoint, caPem, "system:node:" + node, user)), 0600);
    }

    private static void writeKubeconfig(HostFiles f, String file, String clusterName, String server, Pki.Issued ca,
            Pki.Issued client) throws IOException {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("client-certificate-data", b64(Pki.pem(client.certificate())));
        user.put("client-key-data", b64(Pki.pem(client.key().getPrivate())));
        String userName = client.certificate().getSubjectX500Principal().getName().replaceFirst("^CN=([^,]*).*",
                "$1");
        f.write("/etc/kubernetes/" + file, YAML.writeValueAsString(kubeconfig(clusterName, server,
                Pki.pem(ca.certificate()), userName, user)), 0600);
    }

    private static Map<String, Object> kubeconfig(String clusterName, String server, String caPem, String userName,
            Map<String, Object> user) {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("certificate-authority-data", b64(caPem));
        cluster.put("server", server);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", "v1");
        doc.put("clusters", List.of(Map.of("cluster", cluster, "name", clusterName)));
        doc.put("contexts", List.of(Map.of("context", Map.of("cluster", clusterName, "user", userName),
                "name", userName + "@" + clusterName)));
        doc.put("current-context", userName + "@" + clusterName);
        doc.put("kind", "Config");
        doc.put("preferences", Map.of());
        doc.put("users", List.of(Map.of("name", userName, "user", user)));
        return doc;
    }

    /** The {@code server} of a kubeconfig file. */
    public static String kubeconfigServer(String yaml) throws IOException {
        JsonNode doc = YAML.readTree(yaml);
        return doc.path("clusters").path(0).path("cluster").path("server").asText();
    }

    /** Static pod manifests for etcd and the control-plane components. */
    static void writeManifests(HostFiles f, NodeSpec n, KubeadmConfig cluster, String version,
            List<String> initialCluster, boolean joining, String etcdVersion) throws IOException {
        for (String component : StaticPods.COMPONENTS) {
            StaticPods.writeComponent(f, component, n, cluster, version);
        }
        String dataDir = cluster.doc("ClusterConfiguration").path("etcd").path("local").path("dataDir")
                .asText("/var/lib/etcd");
        String ip = n.advertiseAddress().contains(":") ? "[" + n.advertiseAddress() + "]" : n.advertiseAddress();
        List<String> etcd = new ArrayList<>(List.of("etcd",
                "--name=" + n.name(), "--data-dir=" + dataDir,
                "--advertise-client-urls=https://" + ip + ":2379",
                "--initial-advertise-peer-urls=https://" + ip + ":2380",
                "--initial-cluster=" + String.join(",", initialCluster),
                "--listen-client-urls=https://127.0.0.1:2379,https://" + ip + ":2379",
                "--listen-peer-urls=https://" + ip + ":2380", "--listen-metrics-urls=http://127.0.0.1:2381",
                "--client-cert-auth=true", "--peer-client-cert-auth=true",
                "--cert-file=" + PKI + "/etcd/server.crt", "--key-file=" + PKI + "/etcd/server.key",
                "--peer-cert-file=" + PKI + "/etcd/peer.crt", "--peer-key-file=" + PKI + "/etcd/peer.key",
                "--peer-trusted-ca-file=" + PKI + "/etcd/ca.crt", "--snapshot-count=10000",
                "--trusted-ca-file=" + PKI + "/etcd/ca.crt"));
        if (joining) {
            etcd.add("--initial-cluster-state=existing"); // as kubeadm writes it for a joining member
        }
        StaticPods.writeEtcd(f, etcd, ip, dataDir, etcdVersion);
        if (!RealOsMode.enabled() && !f.exists(dataDir + "/member/snap/db")) {
            // on a real-OS fleet host the real etcd writes its own data directory; a restored one is kept
            f.write(dataDir + "/member/snap/db", "SIMULATED etcd data of " + n.name() + "\n", 0600);
        }
    }

    /**
     * The kubelet (re)started: it posts its Node's status again with its own version, and starts the static pods
     * whose containers do not run (a stopped etcd container comes back with a new ID).
     */
    public static void kubeletStarted(HostContext host) {
        host.store().update(s -> {
            String version = s.hosts.get(host.hostname()).installedKubelet();
            if (s.kube != null) {
                s.kube.nodes.values().stream().filter(n -> n.host.equals(host.hostname()))
                        .forEach(n -> n.kubeletVersion = version);
            }
            return null;
        });
        startStaticPods(host);
    }

    /**
     * What the kubelet does at start on a control-plane host: runs the static pods. The apiserver only becomes
     * healthy when every file its flags name exists (a missing encryption config makes it crash-loop).
     */
    public static void startStaticPods(HostContext host) {
        HostFiles f = host.files();
        boolean manifests = f.exists(MANIFESTS + "/kube-apiserver.yaml") && f.exists(MANIFESTS + "/etcd.yaml");
        boolean healthy = manifests && missingApiserverFiles(f).isEmpty();
        boolean[] apiserverWasRunning = new boolean[1];
        boolean serving = host.store().update(s -> {
            SimulationState.Host h = s.hosts.get(host.hostname());
            apiserverWasRunning[0] = ClusterAccess.apiserverRunning(s, host.hostname());
            boolean etcdWasRunning = ClusterAccess.etcdContainerRunning(s, host.hostname());
            h.controlPlaneRunning = manifests && s.kube != null;
            h.apiserverHealthy = healthy;
            h.etcdStopped = false; // the kubelet restarts a stopped static pod's container
            if (!etcdWasRunning && ClusterAccess.etcdContainerRunning(s, host.hostname())) {
                h.etcdStarts++; // a new container, with a new ID
            }
            if (s.kube != null) {
                ClusterAccess.electLeader(s);
            }
            return h.controlPlaneRunning && healthy;
        });
        if (manifests && RealOsMode.enabled() && host.store().read(s -> s.kube != null)) {
            // real-OS fleet only: the etcd static pod's command runs as a real process (REAL etcd)
            RealEtcd.started(host.hostname(), etcdCommand(f));
        }
        if (serving && !apiserverWasRunning[0]) {
            EncryptionAtRest.apiserverStarted(host);
        }
        if (serving) {
            // real-OS fleet only: a real process takes the apiserver's :6443, as the kube-apiserver pod would
            RealOsMode.staticPodsStarted(host.hostname());
        }
    }

    /**
     * The flags of a static pod manifest's command ({@code --name=value}, in order; a repeated flag's last value),
     * empty when the manifest is missing.
     */
    /** The container image of a control-plane component's static pod manifest, or empty. */
    public static java.util.Optional<String> manifestImage(HostFiles f, String component) {
        return StaticPods.image(f, component);
    }

    public static Map<String, String> manifestFlags(HostFiles f, String component) {
        Map<String, String> flags = new LinkedHashMap<>();
        StaticPods.command(f, component).orElse(List.of()).stream().filter(a -> a.startsWith("--")).forEach(a -> {
            int eq = a.indexOf('=');
            flags.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "" : a.substring(eq + 1));
        });
        return flags;
    }

    /**
     * The kubelet noticed a rewritten control-plane manifest and restarted that pod: for the apiserver, it is healthy
     * again only if every file its new flags name can be opened. Nothing runs while the kubelet is stopped (it reads
     * the manifests when it starts).
     */
    static void componentRestarted(HostContext host, String component) {
        if (!component.equals("kube-apiserver")) {
            return; // controller-manager and scheduler hold no state the simulation models
        }
        boolean healthy = missingApiserverFiles(host.files()).isEmpty();
        Boolean[] change = host.store().update(s -> {
            SimulationState.Host h = s.hosts.get(host.hostname());
            if (!h.active.contains("kubelet") || !h.controlPlaneRunning) {
                return new Boolean[] {false, false, false};
            }
            boolean was = h.apiserverHealthy;
            h.apiserverHealthy = healthy;
            return new Boolean[] {was && !healthy, !was && healthy, true};
        });
        if (change[2]) {
            EncryptionAtRest.apiserverStarted(host); // a new apiserver process reads its encryption config
        }
        if (change[0]) {
            RealOsMode.staticPodsStopped(host.hostname()); // real-OS fleet only: the stand-in crash-loops too
        } else if (change[1]) {
            RealOsMode.staticPodsStarted(host.hostname());
        } else if (healthy && running(host)) {
            // real-OS fleet only: the new pod replaces the old one, so the stand-in goes away and comes back; a
            // request still open to it then fails, as one open to a replaced kube-apiserver would
            RealOsMode.staticPodsStopped(host.hostname());
            RealOsMode.staticPodsStarted(host.hostname());
        }
    }

    private static boolean running(HostContext host) {
        return host.store().read(s -> {
            SimulationState.Host h = s.hosts.get(host.hostname());
            return h.active.contains("kubelet") && h.controlPlaneRunning && h.apiserverHealthy;
        });
    }

    private static List<String> etcdCommand(HostFiles f) {
        return StaticPods.command(f, "etcd").orElseThrow(() -> new IllegalStateException("cannot read " + MANIFESTS
                + "/etcd.yaml"));
    }

    /**
     * Files named by the apiserver manifest's flags that the apiserver cannot open: missing on the host, or not
     * visible in its container (no hostPath volume shows them, e.g. an encryption config without extraVolumes).
     */
    static List<String> missingApiserverFiles(HostFiles f) {
        List<String> missing = new ArrayList<>();
        Optional<List<String>> command = StaticPods.command(f, "kube-apiserver");
        if (command.isEmpty()) {
            return List.of(MANIFESTS + "/kube-apiserver.yaml");
        }
        List<StaticPods.Volume> volumes = StaticPods.volumes(f, "kube-apiserver");
        for (String a : command.get()) {
            for (String flag : FILE_FLAGS) {
                if (a.startsWith("--" + flag + "=")) {
                    String path = a.substring(flag.length() + 3);
                    Optional<String> onHost = StaticPods.hostPathOf(volumes, path);
                    if (onHost.isEmpty() || !f.exists(onHost.get())) {
                        missing.add(path);
                    }
                }
            }
        }
        return missing;
    }

    private static void write(HostFiles f, String file, Pki.Issued issued) throws IOException {
        f.write(PKI + "/" + file + ".crt", Pki.pem(issued.certificate()), 0644);
        f.write(PKI + "/" + file + ".key", Pki.pem(issued.key().getPrivate()), 0600);
    }

    private static String b64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    }

    static boolean isIp(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || s.contains(":");
    }

    private static List<String> dedupe(List<String> in) {
        return in.stream().distinct().toList();
    }
}
