package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.Program;
import io.epiphany.testkit.sim.RealEtcd;
import io.epiphany.testkit.sim.RealOsMode;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SIMULATED {@code kubeadm}: {@code version -o short}, {@code init --config}, {@code join --config},
 * {@code reset -f}, {@code token create}, {@code config validate --config}. Follows kubeadm's documented behaviour
 * and messages (preflight errors, discovery, shared-certificate check, learner etcd members, reset skipping the etcd
 * member when the Node is gone); waits are instantaneous.
 */
public final class Kubeadm implements Program {
    private static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");
    private static final Pattern DURATION = Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$");
    private static final String STACK_HINT = "To see the stack trace of this error execute with --v=5 or higher";

    @Override
    public boolean changesState(List<String> args) {
        return !args.isEmpty() && !args.get(0).equals("version")
                && !(args.size() > 1 && args.get(0).equals("config") && args.get(1).equals("validate"))
                && !(args.size() > 2 && args.get(0).equals("config") && args.get(2).equals("list"));
    }

    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        String sub = a.isEmpty() ? "" : a.get(0);
        switch (sub) {
            case "version":
                if (!a.equals(List.of("version", "-o", "short"))) {
                    return inv.fail(1, "only 'kubeadm version -o short' is supported by the SIMULATED kubeadm");
                }
                String version = inv.host().host(h -> h.kubeadmVersion);
                inv.out().println(version);
                return 0;
            case "init":
                return a.size() > 1 && a.get(1).equals("phase") ? KubeadmPhases.run(inv) : new Init(inv).run();
            case "join":
                return new Join(inv).run();
            case "reset":
                return new Reset(inv).run();
            case "token":
                return a.size() > 1 && a.get(1).equals("delete") ? KubeadmTokens.delete(inv) : tokenCreate(inv);
            case "upgrade":
                return KubeadmUpgrade.run(inv);
            case "config":
                if (a.size() > 2 && a.get(1).equals("images")) {
                    return a.get(2).equals("pull") ? ImagePull.run(inv)
                            : a.get(2).equals("list") ? ImagePull.list(inv) : configValidate(inv);
                }
                return configValidate(inv);
            case "certs":
                return KubeadmCerts.run(inv);
            default:
                return inv.fail(1, "unknown command \"" + sub + "\" for \"kubeadm\" (SIMULATED kubeadm supports "
                        + "version, init, join, reset, token create, config validate)");
        }
    }

    // ---- shared helpers -------------------------------------------------------------------------------------

    static int preflightErrors(Invocation inv, List<String> errors) {
        inv.err().println("error execution phase preflight: [preflight] Some fatal errors occurred:");
        errors.forEach(e -> inv.err().println("\t[ERROR " + e));
        inv.err().println("[preflight] If you know what you are doing, you can make a check non-fatal with "
                + "`--ignore-preflight-errors=...`");
        inv.err().println(STACK_HINT);
        return 1;
    }

    /**
     * The preflight errors {@code --ignore-preflight-errors} (comma-separated check names, case-insensitive, or
     * {@code all}) does not name; the ignored ones are printed as warnings, as kubeadm does.
     */
    static List<String> ignored(Invocation inv, List<String> errors) {
        List<String> names = new ArrayList<>();
        for (String arg : inv.args()) {
            if (arg.startsWith("--ignore-preflight-errors=")) {
                names.addAll(List.of(arg.substring(arg.indexOf('=') + 1).toLowerCase(java.util.Locale.ROOT)
                        .split(",")));
            }
        }
        List<String> left = new ArrayList<>();
        for (String e : errors) {
            String check = e.substring(0, Math.max(0, e.indexOf(']'))).toLowerCase(java.util.Locale.ROOT);
            if (names.contains("all") || names.contains(check)) {
                inv.out().println("\t[WARNING " + e);
            } else {
                left.add(e);
            }
        }
        return left;
    }

    static int phaseError(Invocation inv, String phase, String message) {
        inv.err().println("error execution phase " + phase + ": " + message);
        inv.err().println(STACK_HINT);
        return 1;
    }

    static Optional<String> option(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(name) && i + 1 < args.size()) {
                return Optional.of(args.get(i + 1));
            }
            if (args.get(i).startsWith(name + "=")) {
                return Optional.of(args.get(i).substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** Reads {@code --config}; prints kubeadm's error and returns null when it cannot. */
    static KubeadmConfig readConfig(Invocation inv) throws IOException {
        Optional<String> path = option(inv.args(), "--config");
        if (path.isEmpty()) {
            inv.fail(1, "the SIMULATED kubeadm needs --config <file>");
            return null;
        }
        if (!inv.host().files().exists(path.get())) {
            inv.err().println("unable to read config from \"" + path.get() + "\" : open " + path.get()
                    + ": no such file or directory");
            inv.err().println(STACK_HINT);
            return null;
        }
        try {
            KubeadmConfig c = KubeadmConfig.parse(inv.host().files().readString(path.get()));
            Optional<String> refused = KubeadmReleases.configError(inv.host().host(h -> h.kubeadmVersion), c);
            if (refused.isPresent()) {
                inv.err().println(refused.get());
                inv.err().println(STACK_HINT);
                return null;
            }
            c.unknownFields().forEach(w -> inv.err().println("W0101 00:00:00.000000       1 strict.go:54] " + w));
            return c;
        } catch (RuntimeException | IOException e) {
            inv.err().println("unable to read config from \"" + path.get() + "\": " + e.getMessage());
            inv.err().println(STACK_HINT);
            return null;
        }
    }

    static long durationSeconds(String text) {
        Matcher m = DURATION.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        long h = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long min = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
        long s = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
        return h * 3600 + min * 60 + s;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static SimulationState.Token token(String token, long ttlSeconds, Instant now) {
        SimulationState.Token t = new SimulationState.Token();
        t.id = token.substring(0, 6);
        t.sha256 = sha256(token);
        t.expires = ttlSeconds == 0 ? 0 : now.getEpochSecond() + ttlSeconds;
        return t;
    }

    /** The cluster's unexpired token that is {@code token} (expired tokens are rejected and never signed). */
    static Optional<SimulationState.Token> liveToken(SimulationState s, String token, Instant now) {
        String sha = sha256(token);
        return s.kube.tokens.stream().filter(t -> t.sha256.equals(sha)
                && (t.expires == 0 || t.expires > now.getEpochSecond())).findFirst();
    }

    /** Whether discovery works with it: the bootstrap signer signs cluster-info only for signing tokens. */
    static boolean tokenValid(SimulationState s, String token, Instant now) {
        return liveToken(s, token, now).map(t -> t.signing).orElse(false);
    }

    /**
     * Why join's own requests with the token (reading the kubeadm-config ConfigMap, then the kubelet's TLS
     * bootstrap) fail, or null: an authentication-usage token is needed (else 401), and kubeadm's node group, which
     * {@code kubeadm init} grants reading that ConfigMap (the Role kubeadm:nodes-kubeadm-config), else 403.
     */
    static String tokenRefused(SimulationState s, String token, Instant now) {
        Optional<SimulationState.Token> t = liveToken(s, token, now);
        if (t.isEmpty() || !t.get().authentication) {
            return "failed to get config map: Unauthorized";
        }
        if (!t.get().groups.contains("system:bootstrappers:kubeadm:default-node-token")) {
            return "failed to get config map: configmaps \"kubeadm-config\" is forbidden: User \"system:bootstrap:"
                    + t.get().id + "\" cannot get resource \"configmaps\" in API group \"\" in the namespace "
                    + "\"kube-system\"";
        }
        return null;
    }

    /** A new member ID for {@code m} in cluster {@code k} (see {@link EtcdIds#newId}). */
    static String newMemberId(SimulationState.Kube k, SimulationState.Member m) {
        return EtcdIds.newId(k.clusterName + " " + m.name + " " + m.peerUrl + " " + k.history.size(),
                k.members.size(), k.members.stream().map(x -> x.id).toList());
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

    /** The host's ip_forward: the kernel's when the root holds a real /proc (CLI transport), else the state's. */
    static void ipForward(Invocation inv, List<String> errors) throws IOException {
        String proc = "/proc/sys/net/ipv4/ip_forward";
        String value = inv.host().files().exists(proc) ? inv.host().files().readString(proc).strip()
                : inv.host().host(h -> h.ipForward);
        if (!"1".equals(value)) {
            errors.add("FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not "
                    + "set to 1");
        }
    }

    /** Preflight checks of ports and files shared by init and a control-plane join. */
    static void controlPlanePreflight(Invocation inv, List<String> errors) throws IOException {
        SimulationState.Host h = inv.host().host(x -> x);
        if (h.controlPlaneRunning) {
            errors.add("Port-6443]: Port 6443 is in use");
            errors.add("Port-10259]: Port 10259 is in use");
            errors.add("Port-10257]: Port 10257 is in use");
        }
        HostFiles f = inv.host().files();
        for (String m : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")) {
            String path = ControlPlane.MANIFESTS + "/" + m + ".yaml";
            if (f.exists(path)) {
                errors.add("FileAvailable--etc-kubernetes-manifests-" + m + ".yaml]: " + path + " already exists");
            }
        }
        if (h.active.contains("kubelet")) {
            errors.add("Port-10250]: Port 10250 is in use");
        }
        if (h.controlPlaneRunning) {
            errors.add("Port-2379]: Port 2379 is in use");
            errors.add("Port-2380]: Port 2380 is in use");
        }
        if (!f.list("/var/lib/etcd").isEmpty()) {
            errors.add("DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty");
        }
    }

    // ---- init ---------------------------------------------------------------------------------------------

    private static final class Init {
        private final Invocation inv;
        private final HostContext host;

        Init(Invocation inv) {
            this.inv = inv;
            this.host = inv.host();
        }

        int run() throws IOException {
            inv.out().println("[init] Using Kubernetes version: " + host.host(h -> h.kubeadmVersion));
            inv.out().println("[preflight] Running pre-flight checks");
            if (!inv.root()) {
                return preflightErrors(inv, List.of("IsPrivilegedUser]: user is not running as root"));
            }
            KubeadmConfig config = readConfig(inv);
            if (config == null) {
                return 1;
            }
            String kubeadmVersion = host.host(h -> h.kubeadmVersion);
            String wanted = config.cluster("kubernetesVersion").orElse(kubeadmVersion);
            Optional<String> tooOld = KubeadmReleases.refusal(kubeadmVersion, wanted);
            if (tooOld.isPresent()) {
                inv.err().println(tooOld.get());
                inv.err().println(STACK_HINT);
                return 1;
            }
            KubeadmReleases.warning(kubeadmVersion, wanted)
                    .ifPresent(w -> inv.out().println("\t[WARNING KubernetesVersion]: " + w));
            List<String> errors = new ArrayList<>();
            HostPreflight.check(inv, errors);
            ipForward(inv, errors);
            controlPlanePreflight(inv, errors);
            errors = ignored(inv, errors);
            if (!errors.isEmpty()) {
                return preflightErrors(inv, errors);
            }
            Optional<String> notPulled = ImagePull.duringPreflight(inv, config, wanted, true);
            if (notPulled.isPresent()) {
                return phaseError(inv, "preflight", "[preflight] Some fatal errors occurred:\n\t[ERROR ImagePull]: "
                        + notPulled.get());
            }
            Optional<String> kubeletDown = HostPreflight.kubeletWillNotStart(inv);
            if (kubeletDown.isPresent()) {
                return phaseError(inv, "wait-control-plane", kubeletDown.get());
            }
            boolean otherCluster = host.store().read(s -> s.kube != null
                    && s.hosts.values().stream().anyMatch(h -> h.controlPlaneRunning));
            if (otherCluster) {
                return phaseError(inv, "preflight", "the SIMULATED fleet holds one cluster and it already exists "
                        + "(initialised on " + host.store().read(s -> s.kube.initHost) + ")");
            }
            JsonNode init = config.doc("InitConfiguration");
            String ip = host.host(h -> h.ip);
            String advertise = KubeadmConfig.text(init.path("localAPIEndpoint").path("advertiseAddress")).orElse(ip);
            String name = config.nodeName("InitConfiguration", host.hostname());
            String endpoint = config.cluster("controlPlaneEndpoint").orElse(null);
            String version = wanted;
            String algorithm = config.cluster("encryptionAlgorithm").orElse("RSA-2048");
            String clusterName = config.cluster("clusterName").orElse("kubernetes");
            List<String[]> tokens = new ArrayList<>();
            for (JsonNode t : init.path("bootstrapTokens")) {
                String token = t.path("token").asText("");
                if (!TOKEN.matcher(token).matches()) {
                    return phaseError(inv, "preflight", "bootstrapTokens[0].token: Invalid value: the bootstrap "
                            + "token is not of the form \"^([a-z0-9]{6})\\.([a-z0-9]{16})$\"");
                }
                tokens.add(new String[] {token, t.path("ttl").asText("24h0m0s")});
            }
            if (tokens.isEmpty()) {
                tokens.add(new String[] {io.epiphany.api.Secret.bootstrapToken().reveal(), "24h0m0s"});
            }
            Instant now = host.store().read(host::now);
            HostFiles f = host.files();
            ControlPlane.NodeSpec spec = new ControlPlane.NodeSpec(name, advertise, config.apiServerCertSans(),
                    endpoint, clusterName, algorithm);
            // etcd started on a data dir that holds a member (a restored snapshot) serves its keyspace and membership
            JsonNode restored = EtcdSnapshots.restoredData(f, "/var/lib/etcd");
            inv.out().println("[certs] Using certificateDir folder \"/etc/kubernetes/pki\"");
            ControlPlane.ensureSharedPki(f, algorithm, now);
            ControlPlane.writeNodePki(f, spec, now);
            inv.out().println("[kubeconfig] Writing \"admin.conf\" kubeconfig file");
            ControlPlane.writeKubeconfigs(f, spec, true, now);
            inv.out().println("[etcd] Creating static Pod manifest for local etcd in \"/etc/kubernetes/manifests\"");
            ControlPlane.writeManifests(f, spec, config, version, List.of(name + "=https://" + advertise + ":2380"),
                    false, host.store().read(s -> s.etcdVersion));
            f.write("/var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                    + "kind: KubeletConfiguration\n", 0644);
            X509Certificate ca = ControlPlane.loadCa(f, "ca").certificate();
            String etcdCa = f.readString(ControlPlane.PKI + "/etcd/ca.crt");
            String clusterYaml = config.clusterConfigurationYaml(host.host(h -> h.kubeadmVersion));
            host.store().update(s -> {
                SimulationState.Kube k = new SimulationState.Kube();
                k.clusterName = clusterName;
                k.controlPlaneEndpoint = endpoint;
                k.kubernetesVersion = version;
                k.initHost = host.hostname();
                k.caCertPem = Pki.pem(ca);
                k.etcdCaCertPem = etcdCa;
                k.clusterConfiguration = clusterYaml;
                k.etcdClusterId = EtcdIds.newId("cluster " + clusterName + " " + advertise, 1, List.of());
                SimulationState.Member m = new SimulationState.Member();
                m.name = name;
                m.host = host.hostname();
                m.peerUrl = "https://" + advertise + ":2380";
                m.clientUrl = "https://" + advertise + ":2379";
                if (restored != null) {
                    EtcdSnapshots.seed(k, restored);
                    m.name = restored.path("member").path("name").asText(name);
                    m.peerUrl = restored.path("member").path("peerUrl").asText(m.peerUrl);
                }
                m.id = newMemberId(k, m);
                k.members.add(m);
                k.leaderId = m.id;
                k.history.add("member add " + m.name + " (initial cluster)");
                s.kube = k;
                SimulationState.Host h = s.hosts.get(host.hostname());
                h.active.add("kubelet");
                h.enabled.add("kubelet");
                return null;
            });
            inv.out().println("[kubelet-start] Starting the kubelet");
            RealOsMode.kubeletActive(true);
            ControlPlane.startStaticPods(host);
            List<String> missing = ControlPlane.missingApiserverFiles(f);
            if (!missing.isEmpty()) {
                return phaseError(inv, "wait-control-plane", "failed while waiting for the control plane to start: "
                        + "kube-apiserver check failed at https://" + advertise + ":6443/livez: Get \"https://"
                        + advertise + ":6443/livez?timeout=10s\": dial tcp " + advertise
                        + ":6443: connect: connection refused");
            }
            host.store().update(s -> {
                s.kube.nodes.put(name, node(name, host.hostname(), advertise, true,
                        config.taints("InitConfiguration", true), s.hosts.get(host.hostname()).installedKubelet(),
                        now));
                return null;
            });
            String apiUrl = "https://" + (endpoint == null ? advertise + ":6443" : endpoint);
            Optional<String> apiError = host.store().read(s -> ClusterAccess.apiError(s,
                    ClusterAccess.route(s, host.hostname(), apiUrl),
                    apiUrl + "/api/v1/namespaces/kube-system/configmaps/kubeadm-config?timeout=10s"));
            if (apiError.isPresent()) {
                return phaseError(inv, "upload-config/kubeadm", "could not upload the kubeadm-config ConfigMap: "
                        + apiError.get());
            }
            host.store().update(s -> {
                for (String[] t : tokens) {
                    s.kube.tokens.add(token(t[0], durationSeconds(t[1]), now));
                }
                return null;
            });
            KubeletPki.issue(host, name, now);
            printInitDone(endpoint == null ? advertise + ":6443" : endpoint, tokens.get(0)[0], Pki.caCertHash(ca));
            return 0;
        }

        private void printInitDone(String endpoint, String token, String hash) {
            inv.out().println("\nYour Kubernetes control-plane has initialized successfully!\n");
            inv.out().println("You can now join any number of control-plane nodes by copying certificate authorities");
            inv.out().println("and service account keys on each node and then running the following as root:\n");
            inv.out().println("  kubeadm join " + endpoint + " --token " + token + " \\");
            inv.out().println("\t--discovery-token-ca-cert-hash " + hash + " \\");
            inv.out().println("\t--control-plane\n");
            inv.out().println("Then you can join any number of worker nodes by running the following on each as root:\n");
            inv.out().println("kubeadm join " + endpoint + " --token " + token + " \\");
            inv.out().println("\t--discovery-token-ca-cert-hash " + hash);
        }
    }

    // ---- join ---------------------------------------------------------------------------------------------

    private static final class Join {
        private final Invocation inv;
        private final HostContext host;

        Join(Invocation inv) {
            this.inv = inv;
            this.host = inv.host();
        }

        int run() throws IOException {
            inv.out().println("[preflight] Running pre-flight checks");
            if (!inv.root()) {
                return preflightErrors(inv, List.of("IsPrivilegedUser]: user is not running as root"));
            }
            KubeadmConfig config = readConfig(inv);
            if (config == null) {
                return 1;
            }
            if (!config.has("JoinConfiguration")) {
                return phaseError(inv, "preflight", "the config file has no JoinConfiguration");
            }
            JsonNode join = config.doc("JoinConfiguration");
            boolean controlPlane = !join.path("controlPlane").isMissingNode() || inv.args().contains("--control-plane");
            HostFiles f = host.files();
            List<String> errors = new ArrayList<>();
            HostPreflight.check(inv, errors);
            ipForward(inv, errors);
            if (f.exists("/etc/kubernetes/kubelet.conf")) {
                errors.add("FileAvailable--etc-kubernetes-kubelet.conf]: /etc/kubernetes/kubelet.conf already exists");
            }
            if (controlPlane) {
                controlPlanePreflight(inv, errors);
            } else {
                if (host.host(h -> h.active.contains("kubelet"))) {
                    errors.add("Port-10250]: Port 10250 is in use");
                }
                if (f.exists(ControlPlane.PKI + "/ca.crt")) {
                    errors.add("FileAvailable--etc-kubernetes-pki-ca.crt]: /etc/kubernetes/pki/ca.crt already exists");
                }
            }
            if (!errors.isEmpty()) {
                return preflightErrors(inv, errors);
            }
            String cluster = host.store().read(s -> s.kube == null ? null : s.kube.clusterConfiguration);
            if (cluster != null) {
                Optional<String> notPulled = ImagePull.duringPreflight(inv, KubeadmConfig.clusterOnly(cluster),
                        host.store().read(s -> s.kube.kubernetesVersion), controlPlane);
                if (notPulled.isPresent()) {
                    return phaseError(inv, "preflight", "[preflight] Some fatal errors occurred:\n\t[ERROR "
                            + "ImagePull]: " + notPulled.get());
                }
            }
            Optional<String> kubeletDown = HostPreflight.kubeletWillNotStart(inv);
            if (kubeletDown.isPresent()) {
                return phaseError(inv, "kubelet-start", kubeletDown.get());
            }
            JsonNode bootstrap = join.path("discovery").path("bootstrapToken");
            String endpoint = bootstrap.path("apiServerEndpoint").asText("");
            String token = bootstrap.path("token").asText("");
            boolean unsafe = bootstrap.path("unsafeSkipCAVerification").asBoolean(false);
            List<String> pins = new ArrayList<>();
            bootstrap.path("caCertHashes").forEach(n -> pins.add(n.asText()));
            if (!TOKEN.matcher(token).matches()) {
                return phaseError(inv, "preflight", "discovery.bootstrapToken.token: Invalid value: the bootstrap "
                        + "token is not of the form \"^([a-z0-9]{6})\\.([a-z0-9]{16})$\"");
            }
            if (pins.isEmpty() && !unsafe) {
                return phaseError(inv, "preflight", "discovery.bootstrapToken: Invalid value: \"\": using token-based "
                        + "discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in "
                        + "your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to "
                        + "continue");
            }
            String url = "https://" + endpoint + "/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s";
            Instant now = host.store().read(host::now);
            String identity = host.store().read(s -> {
                if (s.kube == null) {
                    return "Get \"" + url + "\": dial tcp " + endpoint.replace("localhost", "127.0.0.1")
                            + ": connect: connection refused";
                }
                Optional<String> apiError = ClusterAccess.apiError(s, ClusterAccess.route(s, host.hostname(),
                        "https://" + endpoint), url);
                if (apiError.isPresent()) {
                    return apiError.get();
                }
                if (!tokenValid(s, token, now)) {
                    return "could not find a JWS signature in the cluster-info ConfigMap for token ID \""
                            + token.substring(0, 6) + "\"";
                }
                return null;
            });
            if (identity != null) {
                return phaseError(inv, "preflight", "couldn't validate the identity of the API Server: " + identity);
            }
            String caPem = host.store().read(s -> s.kube.caCertPem);
            String actual = Pki.caCertHash(Pki.readCertificate(caPem));
            if (!unsafe && !pins.contains(actual)) {
                return phaseError(inv, "preflight", "couldn't validate the identity of the API Server: cluster CA "
                        + "found in cluster-info ConfigMap is invalid: none of the public keys \"" + actual
                        + "\" are pinned");
            }
            inv.out().println("[preflight] Reading configuration from the cluster...");
            String refused = host.store().read(s -> tokenRefused(s, token, now));
            if (refused != null) {
                return phaseError(inv, "preflight", "unable to fetch the kubeadm-config ConfigMap: " + refused);
            }
            // kubeadm join loads the cluster's ClusterConfiguration and normalises its version like init does
            // (cmd/kubeadm/app/cmd/join.go wraps the error as below).
            Optional<String> clusterTooOld = KubeadmReleases.refusal(host.host(h -> h.kubeadmVersion),
                    host.store().read(s -> s.kube.kubernetesVersion));
            if (clusterTooOld.isPresent()) {
                return phaseError(inv, "preflight", "unable to fetch the kubeadm-config ConfigMap: "
                        + clusterTooOld.get());
            }
            String name = config.nodeName("JoinConfiguration", host.hostname());
            if (controlPlane) {
                Optional<String> notReady = controlPlaneNotReady(f, caPem);
                if (notReady.isPresent()) {
                    return phaseError(inv, "preflight", "\nOne or more conditions for hosting a new control plane "
                            + "instance is not satisfied.\n\n" + notReady.get() + "\n\nPlease ensure that:\n"
                            + "* The cluster has a stable controlPlaneEndpoint address.\n"
                            + "* The certificates that must be shared among control plane instances are provided.\n");
                }
            }
            // only a Ready Node of that name stops the join; the message names the condition type, not its status
            // (cmd/kubeadm/app/cmd/phases/join/kubelet.go: cond.Type == NodeReady && cond.Status == True); a
            // NotReady one is taken over by the joining kubelet
            boolean readyNodeExists = host.store().read(s -> s.kube.nodes.containsKey(name)
                    && Nodes.ready(s, s.kube.nodes.get(name)));
            if (readyNodeExists) {
                return phaseError(inv, "kubelet-start", "a Node with name \"" + name + "\" and status \"Ready\" "
                        + "already exists in the cluster. You must delete the existing Node or change the name "
                        + "of this new joining Node");
            }
            String version = host.store().read(s -> s.kube.kubernetesVersion);
            String ip = host.host(h -> h.ip);
            if (controlPlane) {
                String advertise = KubeadmConfig.text(join.path("controlPlane").path("localAPIEndpoint")
                        .path("advertiseAddress")).orElse(ip);
                return joinControlPlane(config, name, advertise, version, now);
            }
            String clusterName = host.store().read(s -> s.kube.clusterName);
            ControlPlane.writeWorkerKubeconfig(f, clusterName, endpoint, caPem, name);
            KubeletPki.issue(host, name, now);
            f.write("/var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                    + "kind: KubeletConfiguration\n", 0644);
            host.store().update(s -> {
                SimulationState.Host h = s.hosts.get(host.hostname());
                h.active.add("kubelet");
                h.enabled.add("kubelet");
                s.kube.nodes.put(name, node(name, host.hostname(), ip, false, config.taints("JoinConfiguration",
                        false), h.installedKubelet(), now));
                return null;
            });
            RealOsMode.kubeletActive(true);
            inv.out().println("\nThis node has joined the cluster:");
            inv.out().println("* Certificate signing request was sent to apiserver and a response was received.");
            inv.out().println("* The Kubelet was informed of the new secure connection details.\n");
            inv.out().println("Run 'kubectl get nodes' on the control-plane to see this node join the cluster.");
            return 0;
        }

        private Optional<String> controlPlaneNotReady(HostFiles f, String clusterCaPem) throws IOException {
            String endpoint = host.store().read(s -> s.kube.controlPlaneEndpoint);
            if (endpoint == null || endpoint.isEmpty()) {
                return Optional.of("unable to add a new control plane instance a cluster that doesn't have a stable "
                        + "controlPlaneEndpoint address");
            }
            List<String> failures = new ArrayList<>();
            String[][] groups = {{"ca", "CA"}, {"sa", "service account"}, {"front-proxy-ca", "front-proxy CA"},
                {"etcd/ca", "etcd CA"}};
            for (String[] g : groups) {
                boolean sa = g[0].equals("sa");
                String first = ControlPlane.PKI + "/" + g[0] + (sa ? ".key" : ".crt");
                String second = ControlPlane.PKI + "/" + g[0] + (sa ? ".pub" : ".key");
                if (!f.exists(first)) {
                    failures.add("failure loading " + (sa ? "key" : "certificate") + " for " + g[1] + ": couldn't "
                            + "load the " + (sa ? "private key" : "certificate") + " file " + first + ": open "
                            + first + ": no such file or directory");
                } else if (!f.exists(second)) {
                    failures.add("failure loading " + (sa ? "key" : "key") + " for " + g[1] + ": couldn't load the "
                            + (sa ? "public key" : "private key") + " file " + second + ": open " + second
                            + ": no such file or directory");
                }
            }
            if (failures.isEmpty() && !f.readString(ControlPlane.PKI + "/ca.crt").equals(clusterCaPem)) {
                failures.add("failure loading certificate for CA: /etc/kubernetes/pki/ca.crt is not the CA of "
                        + "this cluster (SIMULATED check)");
            }
            if (failures.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(failures.size() == 1 ? failures.get(0) : "[" + String.join(", ", failures) + "]");
        }

        private int joinControlPlane(KubeadmConfig joinConfig, String name, String advertise, String version,
                Instant now) throws IOException {
            HostFiles f = host.files();
            KubeadmConfig cluster = KubeadmConfig.clusterOnly(host.store().read(s -> s.kube.clusterConfiguration));
            String endpoint = host.store().read(s -> s.kube.controlPlaneEndpoint);
            ControlPlane.NodeSpec spec = new ControlPlane.NodeSpec(name, advertise, cluster.apiServerCertSans(),
                    endpoint, host.store().read(s -> s.kube.clusterName),
                    cluster.cluster("encryptionAlgorithm").orElse("RSA-2048"));
            inv.out().println("[certs] Using certificateDir folder \"/etc/kubernetes/pki\"");
            ControlPlane.writeNodePki(f, spec, now);
            ControlPlane.writeKubeconfigs(f, spec, false, now);
            KubeletPki.issue(host, name, now);
            inv.out().println("[check-etcd] Checking that the etcd cluster is healthy");
            Optional<String> unhealthy = host.store().read(s -> s.kube.members.stream()
                    .filter(m -> !m.learner || ClusterAccess.memberRunning(s, m))
                    .filter(m -> !ClusterAccess.memberRunning(s, m)).map(m -> m.clientUrl).findFirst());
            if (unhealthy.isEmpty() && RealOsMode.enabled()) {
                // real-OS fleet only: the members are REAL etcd processes, ask them (one may have been stopped)
                unhealthy = RealEtcd.firstUnanswered(host.store().read(s -> s.kube.members.stream()
                        .filter(m -> !m.learner).map(m -> m.clientUrl).toList()));
            }
            if (unhealthy.isPresent()) {
                // kubeadm's check-etcd phase asks every member for its status (etcdutil getClusterStatus)
                return phaseError(inv, "check-etcd", "etcd cluster is not healthy: failed to get etcd status for "
                        + unhealthy.get() + ": failed to dial endpoint " + unhealthy.get() + " with maintenance "
                        + "client: context deadline exceeded");
            }
            List<String> initial = host.store().read(s -> s.kube.members.stream()
                    .map(m -> m.name + "=" + m.peerUrl).toList());
            List<String> withSelf = new ArrayList<>(initial);
            withSelf.add(name + "=https://" + advertise + ":2380");
            RealEtcd.Added real = null;
            if (RealOsMode.enabled()) {
                // real-OS fleet only: as kubeadm, add the member to the REAL etcd first and start it with the
                // cluster that etcd answers (the member list it must find when it starts with state "existing")
                List<String> others = host.store().read(s -> s.kube.members.stream().map(m -> m.clientUrl).toList());
                try {
                    real = RealEtcd.addLearner(others, name, "https://" + advertise + ":2380");
                } catch (IllegalStateException e) {
                    return phaseError(inv, "etcd-join", "error creating local etcd static pod manifest file: "
                            + e.getMessage());
                }
                withSelf = real.initialCluster();
            }
            ControlPlane.writeManifests(f, spec, cluster, version, withSelf, true,
                    host.store().read(s -> s.etcdVersion));
            boolean added = host.store().update(s -> {
                if (!ClusterAccess.quorum(s)) {
                    return false;
                }
                SimulationState.Member m = new SimulationState.Member();
                m.name = name;
                m.host = host.hostname();
                m.peerUrl = "https://" + advertise + ":2380";
                m.clientUrl = "https://" + advertise + ":2379";
                m.id = newMemberId(s.kube, m);
                m.learner = true;
                s.kube.members.add(m);
                s.kube.history.add("member add --learner " + name);
                SimulationState.Host h = s.hosts.get(host.hostname());
                h.active.add("kubelet");
                h.enabled.add("kubelet");
                return true;
            });
            if (!added) {
                return phaseError(inv, "etcd-join", "error creating local etcd static pod manifest file: "
                        + "etcdserver: unhealthy cluster");
            }
            inv.out().println("[etcd] Announced new etcd member joining to the existing etcd cluster");
            RealOsMode.kubeletActive(true);
            ControlPlane.startStaticPods(host);
            if (real != null) {
                List<String> others = host.store().read(s -> s.kube.members.stream()
                        .filter(m -> !m.host.equals(host.hostname())).map(m -> m.clientUrl).toList());
                try {
                    RealEtcd.promote(others, real.idHex());
                } catch (IllegalStateException e) {
                    return phaseError(inv, "etcd-join", e.getMessage());
                }
            }
            host.store().update(s -> {
                s.kube.members.stream().filter(m -> m.host.equals(host.hostname()) && m.learner).forEach(m -> {
                    m.learner = false;
                    s.kube.history.add("member promote " + name);
                });
                return null;
            });
            inv.out().println("[etcd] Waiting for the new etcd member to join the cluster. This can take up to 40s");
            List<String> missing = ControlPlane.missingApiserverFiles(f);
            if (!missing.isEmpty()) {
                return phaseError(inv, "wait-control-plane", "failed while waiting for the control plane to start: "
                        + "kube-apiserver check failed at https://" + advertise + ":6443/livez: Get \"https://"
                        + advertise + ":6443/livez?timeout=10s\": dial tcp " + advertise
                        + ":6443: connect: connection refused");
            }
            String ip = host.host(h -> h.ip);
            host.store().update(s -> {
                s.kube.nodes.put(name, node(name, host.hostname(), ip, true,
                        joinConfig.taints("JoinConfiguration", true), s.hosts.get(host.hostname()).installedKubelet(),
                        now));
                return null;
            });
            inv.out().println("\nThis node has joined the cluster and a new control plane instance was created:\n");
            inv.out().println("* Certificate signing request was sent to apiserver and approval was received.");
            inv.out().println("* The Kubelet was informed of the new secure connection details.");
            inv.out().println("* Control plane label and taint were applied to the new node.");
            inv.out().println("* The Kubernetes control plane instances scaled up.");
            inv.out().println("* A new etcd member was added to the local/stacked etcd cluster.");
            return 0;
        }
    }

    // ---- reset --------------------------------------------------------------------------------------------

    private static final class Reset {
        private final Invocation inv;
        private final HostContext host;

        Reset(Invocation inv) {
            this.inv = inv;
            this.host = inv.host();
        }

        int run() throws IOException {
            if (!inv.args().contains("-f") && !inv.args().contains("--force")) {
                return inv.fail(1, "the SIMULATED kubeadm only supports 'kubeadm reset -f' (no prompt)");
            }
            if (!inv.root()) {
                return preflightErrors(inv, List.of("IsPrivilegedUser]: user is not running as root"));
            }
            HostFiles f = host.files();
            inv.out().println("[preflight] Running pre-flight checks");
            boolean etcdHere = f.exists(ControlPlane.MANIFESTS + "/etcd.yaml");
            if (f.exists("/etc/kubernetes/admin.conf")) {
                removeEtcdMember(f, etcdHere);
            } else {
                inv.err().println("W0101 00:00:00.000000       1 reset.go:141] [reset] Unable to fetch the "
                        + "kubeadm-config ConfigMap from cluster: failed to get config map: open "
                        + "/etc/kubernetes/admin.conf: no such file or directory");
            }
            inv.out().println("[reset] Stopping the kubelet service");
            RealOsMode.kubeletActive(false);
            if (etcdHere && RealOsMode.enabled()) {
                // real-OS fleet only: the etcd container goes before its data directory is deleted
                RealEtcd.stopped(host.hostname());
            }
            inv.out().println("[reset] Unmounting mounted directories in \"/var/lib/kubelet\"");
            f.clearDirectory("/var/lib/etcd");
            inv.out().println("[reset] Deleting contents of directories: [/etc/kubernetes/manifests "
                    + "/var/lib/kubelet /etc/kubernetes/pki]");
            f.clearDirectory(ControlPlane.MANIFESTS);
            f.clearDirectory("/var/lib/kubelet");
            f.clearDirectory(ControlPlane.PKI);
            for (String conf : ControlPlane.KUBECONFIGS) {
                f.delete("/etc/kubernetes/" + conf);
            }
            host.store().update(s -> {
                SimulationState.Host h = s.hosts.get(host.hostname());
                h.active.remove("kubelet");
                h.controlPlaneRunning = false;
                h.apiserverHealthy = false;
                if (s.kube != null && s.hosts.values().stream().noneMatch(x -> x.controlPlaneRunning)) {
                    s.kube = null; // the last control plane is gone with its etcd data: no cluster remains
                } else if (s.kube != null) {
                    ClusterAccess.electLeader(s);
                }
                return null;
            });
            if (etcdHere) {
                // real-OS fleet only: the apiserver pod is gone, so is the real process standing in for it
                RealOsMode.staticPodsStopped(host.hostname());
            }
            inv.out().println("\nThe reset process does not clean CNI configuration. To do so, you must remove "
                    + "/etc/cni/net.d\n");
            inv.out().println("The reset process does not reset or clean up iptables rules or IPVS tables.");
            return 0;
        }

        /**
         * As kubeadm: the node's registration comes from its Node object; without it the config cannot be fetched
         * and the member removal is skipped without a removal warning.
         */
        private void removeEtcdMember(HostFiles f, boolean etcdHere) throws IOException {
            String server = ControlPlane.kubeconfigServer(f.readString("/etc/kubernetes/admin.conf"));
            String url = server + "/api/v1/namespaces/kube-system/configmaps/kubeadm-config?timeout=10s";
            String warning = host.store().update(s -> {
                if (s.kube == null) {
                    return "failed to get config map: Get \"" + url + "\": dial tcp: connect: connection refused";
                }
                Optional<String> apiError = ClusterAccess.apiError(s, ClusterAccess.route(s, host.hostname(), server),
                        url);
                if (apiError.isPresent()) {
                    return "failed to get config map: " + apiError.get();
                }
                Optional<SimulationState.Node> node = s.kube.nodes.values().stream()
                        .filter(n -> n.host.equals(host.hostname())).findFirst();
                if (node.isEmpty()) {
                    return "failed to get node registration: failed to get corresponding node: nodes \""
                            + host.hostname() + "\" not found";
                }
                if (!etcdHere) {
                    return null;
                }
                String peer = "https://" + node.get().ip + ":2380";
                Optional<SimulationState.Member> member = s.kube.members.stream()
                        .filter(m -> m.peerUrl.equals(peer)).findFirst();
                if (member.isEmpty() || s.kube.members.size() == 1) {
                    return null;
                }
                if (!ClusterAccess.quorum(s)) {
                    return "REMOVE:etcdserver: unhealthy cluster";
                }
                s.kube.members.remove(member.get());
                s.kube.history.add("member remove " + member.get().name + " (kubeadm reset)");
                return "REMOVED";
            });
            if (warning == null) {
                return;
            }
            if (warning.equals("REMOVED") && RealOsMode.enabled()) {
                // real-OS fleet only: the member goes from the REAL etcd, through the other members' client URLs
                String self = host.host(h -> h.ip);
                List<String> others = host.store().read(s -> s.kube == null ? List.<String>of()
                        : s.kube.members.stream().filter(m -> !m.host.equals(host.hostname()))
                                .map(m -> m.clientUrl).toList());
                Optional<String> failed = RealEtcd.remove(others, "https://" + self + ":2380");
                if (failed.isPresent()) {
                    warning = "REMOVE:" + failed.get();
                }
            }
            if (warning.equals("REMOVED")) {
                inv.out().println("[reset] Removing info for node from the ConfigMap \"kubeadm-config\" in the "
                        + "\"kube-system\" Namespace");
                inv.out().println("[reset] Removed the etcd member of this node from the etcd cluster");
            } else if (warning.startsWith("REMOVE:")) {
                inv.err().println("[reset] Failed to remove etcd member: " + warning.substring(7) + ", please "
                        + "manually remove this etcd member using etcdctl");
            } else {
                inv.err().println("W0101 00:00:00.000000       1 reset.go:141] [reset] Unable to fetch the "
                        + "kubeadm-config ConfigMap from cluster: " + warning);
                inv.out().println("[reset] No kubeadm config, using etcd pod spec to get data directory");
            }
        }
    }

    // ---- token create, config validate ----------------------------------------------------------------------

    private static int tokenCreate(Invocation inv) throws IOException {
        List<String> a = inv.args();
        if (a.size() < 2 || !a.get(1).equals("create")) {
            return inv.fail(1, "only 'kubeadm token create [token] [--ttl d]' is supported by the SIMULATED kubeadm");
        }
        if (!inv.root()) {
            return inv.fail(1, "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: permission denied");
        }
        String token = a.size() > 2 && !a.get(2).startsWith("-") ? a.get(2) : io.epiphany.api.Secret.bootstrapToken()
                .reveal();
        if (!TOKEN.matcher(token).matches()) {
            return inv.fail(1, "the bootstrap token is not of the form \"^([a-z0-9]{6})\\.([a-z0-9]{16})$\"");
        }
        long ttl;
        try {
            ttl = durationSeconds(option(a, "--ttl").orElse("24h0m0s"));
        } catch (IllegalArgumentException e) {
            return inv.fail(1, e.getMessage());
        }
        String kubeconfig = option(a, "--kubeconfig").orElse("/etc/kubernetes/admin.conf");
        HostContext host = inv.host();
        if (!host.files().exists(kubeconfig)) {
            return inv.fail(1, "failed to load admin kubeconfig: open " + kubeconfig + ": no such file or directory");
        }
        String server = ControlPlane.kubeconfigServer(host.files().readString(kubeconfig));
        String error = host.store().update(s -> {
            Optional<String> e = s.kube == null ? Optional.of("connection refused")
                    : ClusterAccess.apiError(s, ClusterAccess.route(s, host.hostname(), server),
                            server + "/api/v1/namespaces/kube-system/secrets?timeout=10s");
            if (e.isPresent()) {
                return e.get();
            }
            String id = token.substring(0, 6);
            if (s.kube.tokens.stream().anyMatch(t -> t.id.equals(id))) {
                return "secrets \"bootstrap-token-" + id + "\" already exists";
            }
            s.kube.tokens.add(token(token, ttl, host.now(s)));
            return null;
        });
        if (error != null) {
            inv.err().println("failed to create or update bootstrap token with name bootstrap-token-"
                    + token.substring(0, 6) + ": " + error);
            return 1;
        }
        inv.out().println(token);
        return 0;
    }

    private static int configValidate(Invocation inv) throws IOException {
        if (inv.args().size() < 2 || !inv.args().get(1).equals("validate")) {
            return inv.fail(1, "only 'kubeadm config validate --config <file>' is supported by the SIMULATED kubeadm");
        }
        KubeadmConfig config = readConfig(inv);
        if (config == null) {
            return 1;
        }
        if (!config.unknownFields().isEmpty()) {
            config.unknownFields().forEach(inv.err()::println);
            return 1;
        }
        inv.out().println("ok");
        return 0;
    }
}
