package io.epiphany.api;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Every rule a cluster description must satisfy, checked together so all problems are reported at once. */
final class ClusterValidator {
    /** Admission plugins Kubernetes removed, with the release that removed them. */
    private static final Map<String, String> REMOVED_ADMISSION_PLUGINS = Map.of(
            "DenyEscalatingExec", "1.21",
            "DenyExecOnPrivileged", "1.21",
            "PodSecurityPolicy", "1.25",
            "SecurityContextDeny", "1.30");
    /** Ports the control plane listens on; the load balancer's loopback port must not take one. */
    private static final Map<Integer, String> CONTROL_PLANE_PORTS = Map.of(
            6443, "kube-apiserver", 2379, "etcd client", 2380, "etcd peer", 10250, "kubelet",
            10257, "kube-controller-manager", 10259, "kube-scheduler", 10256, "kube-proxy health");
    private static final Pattern FLAG_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern SSH_USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");
    private static final Duration MAX_CHECK_INTERVAL = Duration.ofMinutes(5);
    private static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    /** Enough for a host that is slow to come up; more only delays a clear failure. */
    static final int MAX_CONNECT_ATTEMPTS = 20;
    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}=?");

    private final Cluster c;
    private final List<Problem> problems = new ArrayList<>();

    private ClusterValidator(Cluster cluster) {
        this.c = cluster;
    }

    static List<Problem> problems(Cluster cluster) {
        ClusterValidator v = new ClusterValidator(cluster);
        v.validate();
        return v.problems;
    }

    static List<String> warnings(Cluster cluster) {
        List<String> warnings = new ArrayList<>();
        if (cluster.encryption().enabled() && cluster.encryption().provider() == Encryption.Provider.AESCBC) {
            warnings.add("encryption.provider = 'aescbc': Kubernetes rates aescbc as weak (padding-oracle attacks); "
                    + "prefer secretbox");
        }
        if (!cluster.encryption().enabled()) {
            warnings.add("encryption.enabled = false: Secrets are stored in etcd unencrypted");
        }
        for (ManagedFlags.Component component : ManagedFlags.Component.values()) {
            ManagedFlags.overrides(component, extraArgs(cluster, component), allowOverride(cluster, component))
                    .forEach((flag, value) -> warnings.add(component.field + "." + flag + " = '"
                            + Problem.brief(value) + "' replaces a flag the SDK sets for safety (allowed by "
                            + component.overrideField + "); the SDK's own setting for it no longer applies"));
        }
        return warnings;
    }

    private void add(String field, Object value, String message) {
        problems.add(new Problem(field, value, message));
    }

    private void validate() {
        if (!Addresses.isHostname(c.name())) {
            add("name", c.name(), "cluster name must be a lowercase RFC 1123 name (letters, digits, '-', '.')");
        }
        machines();
        masterCount();
        version();
        networking();
        imageRepository();
        apiServer();
        guarded(ManagedFlags.Component.CONTROLLER_MANAGER_FLAGS);
        guarded(ManagedFlags.Component.SCHEDULER_FLAGS);
        loadBalancer();
        ssh();
        encryption();
        absolute("certificatesDir", c.certificatesDir());
        InputRules.criSocket(c.criSocket()).ifPresent(problem -> add("criSocket", c.criSocket(), problem));
    }

    private void machines() {
        Map<String, String> hostnames = new HashMap<>();
        Map<String, String> ips = new HashMap<>();
        List<Machine> masters = c.masters();
        List<Machine> nodes = c.nodes();
        for (int i = 0; i < masters.size() + nodes.size(); i++) {
            boolean master = i < masters.size();
            Machine m = master ? masters.get(i) : nodes.get(i - masters.size());
            String at = master ? "masters[" + i + "]" : "nodes[" + (i - masters.size()) + "]";
            if (!Addresses.isHostname(m.hostname())) {
                add(at + ".hostname", m.hostname(), "not a valid hostname: Kubernetes node names are lowercase "
                        + "RFC 1123 names (a-z, 0-9, '-', dot-separated labels of at most 63 characters)");
            } else if (hostnames.putIfAbsent(m.hostname(), at) != null) {
                add(at + ".hostname", m.hostname(), "the same hostname is already used by " + hostnames.get(m.hostname())
                        + "; every machine needs its own");
            }
            Optional<InetAddress> ip = Addresses.parseIp(m.ip());
            if (ip.isEmpty()) {
                add(at + ".ip", m.ip(), "not an IP address; write an IPv4 (10.10.1.148) or IPv6 literal");
            } else if (ip.get().isLoopbackAddress() || ip.get().isAnyLocalAddress() || ip.get().isMulticastAddress()) {
                add(at + ".ip", m.ip(), "a loopback, wildcard or multicast address cannot be reached by the other "
                        + "machines; use the machine's own address (set sshAddress to connect elsewhere)");
            } else if (ips.putIfAbsent(ip.get().getHostAddress(), at) != null) {
                add(at + ".ip", m.ip(), "the same IP is already used by " + ips.get(ip.get().getHostAddress()));
            }
            m.sshPort().ifPresent(p -> port(at + ".sshPort", p));
            m.sshUser().ifPresent(u -> sshUser(at + ".sshUser", u));
            m.sshAddress().filter(a -> Addresses.parseIp(a).isEmpty() && !Addresses.isHostname(a))
                    .ifPresent(a -> add(at + ".sshAddress", a, "not an IP address or hostname"));
            m.hostKeyFingerprint().filter(f -> !FINGERPRINT.matcher(f).matches()).ifPresent(f -> add(
                    at + ".hostKeyFingerprint", f, "not an OpenSSH SHA256 fingerprint; copy it from "
                            + "`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` (SHA256:<43 base64 characters>)"));
            m.zone().filter(z -> !InputRules.labelValue(z) || z.isEmpty()).ifPresent(z -> add(at + ".zone", z,
                    "not a valid label value (letters, digits, '-', '_', '.', at most 63 characters)"));
            m.labels().forEach((k, v) -> {
                InputRules.qualifiedName(k).ifPresent(problem -> add(at + ".labels", k, "not a valid label key: "
                        + problem));
                if (!InputRules.labelValue(v)) {
                    add(at + ".labels." + k, v, "not a valid label value (letters, digits, '-', '_', '.', at most 63)");
                }
            });
            for (Taint t : m.taints()) {
                InputRules.qualifiedName(t.key()).ifPresent(problem -> add(at + ".taints", t,
                        "taint key is not a valid label key: " + problem));
                t.value().filter(v -> !InputRules.labelValue(v))
                        .ifPresent(v -> add(at + ".taints", t, "taint value is not a valid label value (letters, "
                                + "digits, '-', '_', '.', at most 63)"));
            }
        }
    }

    private void masterCount() {
        int n = c.masters().size();
        if (n == 0) {
            add("masters", "[]", "at least one master is required");
        } else if (n % 2 == 0 && !c.allowEvenMasters()) {
            int quorum = n / 2 + 1;
            add("masters", n + " masters", "an even number of masters adds no fault tolerance with stacked etcd: " + n
                    + " members need a quorum of " + quorum + " and tolerate " + (n - quorum) + " failure(s), the same as "
                    + (n - 1) + "; use " + (n - 1) + " or " + (n + 1) + " masters, or set allowEvenMasters(true)");
        }
    }

    private void version() {
        Optional<KubernetesVersion> v = KubernetesVersion.parse(c.kubernetesVersion());
        if (v.isEmpty()) {
            add("kubernetesVersion", c.kubernetesVersion(), "not a Kubernetes version; write it as "
                    + KubernetesVersion.DEFAULT);
        } else {
            v.get().whyUnsupported().ifPresent(why -> add("kubernetesVersion", c.kubernetesVersion(), why));
        }
    }

    private void imageRepository() {
        c.imageRepository().ifPresent(r -> {
            if (!r.matches("[a-z0-9]([a-z0-9.-]{0,252})(:[0-9]{1,5})?(/[a-z0-9][a-z0-9._-]{0,127}){0,8}")) {
                add("imageRepository", r, "not a registry path such as registry.example.com:5000/k8s (lower case, "
                        + "no scheme, no trailing slash)");
            }
        });
    }

    private void networking() {
        Networking n = c.networking();
        Optional<Addresses.Cidr> pods = cidr("networking.podSubnet", n.podSubnet());
        Optional<Addresses.Cidr> services = cidr("networking.serviceSubnet", n.serviceSubnet());
        if (pods.isPresent() && services.isPresent() && pods.get().overlaps(services.get())) {
            add("networking.serviceSubnet", n.serviceSubnet(), "overlaps the pod subnet " + n.podSubnet()
                    + "; choose disjoint ranges");
        }
        for (Machine m : c.machines()) {
            Addresses.parseIp(m.ip()).ifPresent(ip -> {
                pods.filter(p -> p.contains(ip)).ifPresent(p -> add("networking.podSubnet", n.podSubnet(),
                        "contains the IP " + m.ip() + " of machine " + m.hostname() + "; choose a range the machines do not use"));
                services.filter(s -> s.contains(ip)).ifPresent(s -> add("networking.serviceSubnet", n.serviceSubnet(),
                        "contains the IP " + m.ip() + " of machine " + m.hostname() + "; choose a range the machines do not use"));
            });
        }
        if (!Addresses.isHostname(n.dnsDomain())) {
            add("networking.dnsDomain", n.dnsDomain(), "not a valid DNS domain such as cluster.local");
        }
    }

    private Optional<Addresses.Cidr> cidr(String field, String text) {
        Optional<Addresses.Cidr> cidr = Addresses.parseCidr(text);
        if (cidr.isEmpty()) {
            add(field, text, "not a CIDR block with its host bits zero, such as 10.244.0.0/16");
        }
        return cidr;
    }

    private void apiServer() {
        List<String> plugins = c.apiServer().admissionPlugins();
        for (String p : plugins) {
            String removedIn = REMOVED_ADMISSION_PLUGINS.get(p);
            if (removedIn != null) {
                add("apiServer.admissionPlugins", p, "admission plugin " + p + " was removed in Kubernetes " + removedIn
                        + " and the API server refuses to start with it; remove it"
                        + (p.startsWith("Deny") || p.equals("PodSecurityPolicy") || p.equals("SecurityContextDeny")
                                ? " (Pod Security Admission, on by default, replaces it)" : ""));
            } else if (!p.matches("[A-Z][A-Za-z]+")) {
                add("apiServer.admissionPlugins", p, "not an admission plugin name (CamelCase, e.g. NodeRestriction)");
            }
        }
        if (!plugins.contains("NodeRestriction")) {
            add("apiServer.admissionPlugins", String.join(",", plugins), "must include NodeRestriction: the list replaces "
                    + "kubeadm's default, and without it a kubelet can modify other nodes' objects");
        }
        Audit a = c.apiServer().audit();
        if (a.enabled()) {
            absolute("apiServer.audit.policyFile", a.policyFile());
            absolute("apiServer.audit.logPath", a.logPath());
            positive("apiServer.audit.maxAge", a.maxAge());
            positive("apiServer.audit.maxBackup", a.maxBackup());
            positive("apiServer.audit.maxSize", a.maxSize());
        }
        guarded(ManagedFlags.Component.API_SERVER_FLAGS);
    }

    private static Map<String, String> extraArgs(Cluster cluster, ManagedFlags.Component component) {
        return switch (component) {
            case API_SERVER_FLAGS -> cluster.apiServer().extraArgs();
            case CONTROLLER_MANAGER_FLAGS -> cluster.controllerManagerExtraArgs();
            case SCHEDULER_FLAGS -> cluster.schedulerExtraArgs();
        };
    }

    private static Set<String> allowOverride(Cluster cluster, ManagedFlags.Component component) {
        return switch (component) {
            case API_SERVER_FLAGS -> cluster.apiServer().allowOverride();
            case CONTROLLER_MANAGER_FLAGS -> cluster.controllerManagerAllowOverride();
            case SCHEDULER_FLAGS -> cluster.schedulerAllowOverride();
        };
    }

    /** A component's extra args, and its override list naming only flags the SDK manages. */
    private void guarded(ManagedFlags.Component component) {
        extraArgs(component, extraArgs(c, component), allowOverride(c, component));
        for (String flag : allowOverride(c, component)) {
            if (component.useInstead(flag).isEmpty()) {
                add(component.overrideField, flag, "not a flag the SDK manages; extra args set other flags "
                        + "without an override, so remove it from the list");
            }
        }
    }

    /** Flag syntax, and no silent replacement of a managed flag: the overridable ones only when {@code allowed}. */
    private void extraArgs(ManagedFlags.Component component, Map<String, String> args, Set<String> allowed) {
        String field = component.field;
        args.forEach((k, v) -> {
            component.useInstead(k).filter(instead -> !allowed.contains(k)).ifPresent(instead -> add(field + "." + k,
                    v, ManagedFlags.refusal(component, k, instead)));
            if (!FLAG_NAME.matcher(k).matches()) {
                add(field, k, "not a flag name: write it without dashes, e.g. 'profiling'");
            }
            InputRules.controlCharacters(v).ifPresent(problem -> add(field + "." + k, v,
                    "flag values cannot contain line breaks or other control characters: " + problem));
        });
    }

    private void loadBalancer() {
        LoadBalancer lb = c.loadBalancer();
        if (lb.externalEndpoint().isPresent()) {
            String e = lb.externalEndpoint().get();
            int colon = e.lastIndexOf(':');
            String host = colon > 0 ? e.substring(0, colon) : "";
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            String port = colon > 0 ? e.substring(colon + 1) : "";
            boolean hostOk = Addresses.parseIp(host).isPresent() || Addresses.isHostname(host);
            if (!hostOk || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                add("loadBalancer.externalEndpoint", e, "not host:port (e.g. api.example.com:6443 or [fd00::1]:6443)");
            }
        } else {
            port("loadBalancer.port", lb.port());
            String owner = CONTROL_PLANE_PORTS.get(lb.port());
            if (owner != null) {
                add("loadBalancer.port", lb.port(), "port " + lb.port() + " is used by " + owner
                        + " on the masters; keep the default 3446 or pick a free port");
            }
            if (lb.checkInterval().compareTo(Duration.ofSeconds(1)) < 0) {
                add("loadBalancer.checkInterval", YamlValues.formatDuration(lb.checkInterval()), "must be at least 1s: every host checks every "
                        + "master, so short intervals multiply TLS handshakes on the masters");
            } else if (lb.checkInterval().compareTo(MAX_CHECK_INTERVAL) > 0) {
                add("loadBalancer.checkInterval", YamlValues.formatDuration(lb.checkInterval()), "must be at most "
                        + YamlValues.formatDuration(MAX_CHECK_INTERVAL) + ": a dead master would stay in rotation that long");
            }
            positive("loadBalancer.fall", lb.fall());
            positive("loadBalancer.rise", lb.rise());
        }
    }

    private void ssh() {
        SshSettings s = c.ssh();
        port("ssh.port", s.port());
        sshUser("ssh.user", s.user());
        positive("ssh.concurrency", s.concurrency());
        if (s.connectAttempts() < 1 || s.connectAttempts() > MAX_CONNECT_ATTEMPTS) {
            add("ssh.connectAttempts", s.connectAttempts(), "must be 1 to " + MAX_CONNECT_ATTEMPTS
                    + " (the backoff between attempts grows to 30s; more attempts only delay a clear failure)");
        }
        s.privateKey().ifPresent(p -> local("ssh.privateKey", p));
        local("ssh.knownHosts", s.knownHosts());
        if (s.keyExchange().isEmpty()) {
            add("ssh.keyExchange", "[]", "needs at least one key exchange, e.g. " + SshSettings.DEFAULT_KEY_EXCHANGE.get(1));
        }
        for (String kex : s.keyExchange()) {
            if (!SshSettings.KNOWN_KEY_EXCHANGE.contains(kex)) {
                add("ssh.keyExchange", kex, "not a key exchange the SDK offers; known: "
                        + String.join(", ", SshSettings.KNOWN_KEY_EXCHANGE));
            }
        }
        for (String jump : s.jumpHosts()) {
            if (!jump.matches("([a-z_][a-z0-9_.-]*@)?[A-Za-z0-9.:\\[\\]-]+(:\\d{1,5})?")) {
                add("ssh.jumpHosts", jump, "not [user@]host[:port]");
            }
        }
        Map.of("ssh.connectTimeout", s.connectTimeout(), "ssh.authTimeout", s.authTimeout(),
                "ssh.commandTimeout", s.commandTimeout(), "ssh.keepAliveInterval", s.keepAliveInterval())
                .forEach((field, d) -> {
                    if (d.isNegative() || d.isZero()) {
                        add(field, d.isNegative() ? d.toString() : YamlValues.formatDuration(d), "must be positive");
                    } else if (d.compareTo(MAX_TIMEOUT) > 0) {
                        add(field, YamlValues.formatDuration(d), "must be at most "
                                + YamlValues.formatDuration(MAX_TIMEOUT) + ", or a hung host would stall the SDK");
                    }
                });
    }

    private void encryption() {
        Encryption e = c.encryption();
        if (e.enabled()) {
            absolute("encryption.configFile", e.configFile());
            e.key().ifPresent(k -> {
                byte[] raw;
                try {
                    raw = java.util.Base64.getDecoder().decode(k.reveal());
                } catch (IllegalArgumentException ex) {
                    raw = new byte[0];
                }
                if (raw.length != 32) {
                    add("encryption.key", "****", "must be 32 random bytes, base64-encoded (e.g. `head -c 32 "
                            + "/dev/urandom | base64`)");
                }
            });
        }
    }

    private void port(String field, int port) {
        if (port < 1 || port > 65535) {
            add(field, port, "port out of range 1-65535");
        }
    }

    private void positive(String field, int value) {
        if (value < 1) {
            add(field, value, "must be at least 1");
        }
    }

    /** A path on the hosts: absolute and normalised, so every derived path (and the PKI kubeadm writes) agrees. */
    private void absolute(String field, String path) {
        InputRules.hostPath(path).ifPresent(problem -> add(field, path, problem));
    }

    private void local(String field, java.nio.file.Path path) {
        InputRules.localPath(path).ifPresent(problem -> add(field, path, problem));
    }

    private void sshUser(String field, String user) {
        if (!SSH_USER.matcher(user).matches()) {
            add(field, user, "not a valid Unix user name");
        }
    }
}
