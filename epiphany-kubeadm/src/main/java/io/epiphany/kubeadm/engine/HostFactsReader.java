package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.haproxy.HaproxyServerState;
import io.epiphany.haproxy.HaproxyService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One machine's {@link HostFacts}: its read-only queries in one exec ({@link FactsScript}), parsed here. */
final class HostFactsReader {
    /** Binaries whose presence the engine checks; the package managers decide how HAProxy is installed. */
    static final List<String> BINARIES = List.of("kubeadm", "kubelet", "kubectl", "containerd", "crictl", "haproxy",
            "socat", "curl", "sysctl", "apt-get", "dnf", "apt-mark", "swapoff", "modprobe");
    static final List<String> UNITS = List.of("haproxy", "kubelet", "containerd");
    /** Certificates kubeadm writes on a master, relative to certificatesDir: expiry and names are facts. */
    static final List<String> CERTIFICATES = List.of("ca.crt", "apiserver.crt", "apiserver-kubelet-client.crt",
            "apiserver-etcd-client.crt", "front-proxy-ca.crt", "front-proxy-client.crt", "etcd/ca.crt",
            "etcd/server.crt", "etcd/peer.crt", "etcd/healthcheck-client.crt");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cluster cluster;
    private final java.time.Clock clock;

    HostFactsReader(Cluster cluster) {
        this(cluster, java.time.Clock.systemUTC());
    }

    /** {@code clock}: the controller's, which each host's clock skew is measured against. */
    HostFactsReader(Cluster cluster, java.time.Clock clock) {
        this.cluster = cluster;
        this.clock = clock;
    }

    /**
     * Every fact of one machine from one exec ({@link FactsScript}); on a master whose encryption config exists, one
     * file read more (that file holds the keys, which never travel in the script's output).
     */
    HostFacts read(Machine m, RemoteHost h, boolean master) {
        FactsScript s = new FactsScript();
        for (String b : BINARIES) {
            s.command(binaryName(b), HostCommands.exists(b));
        }
        for (String u : UNITS) {
            s.command(unitName(u), HostCommands.isActive(u));
        }
        s.exists(KubePaths.KUBELET_CONF);
        if (master) {
            s.exists(KubePaths.ADMIN_CONF);
        }
        s.command("kubeadm version", KUBEADM_VERSION);
        s.command("kubelet version", KUBELET_VERSION);
        s.command("kubectl version", KUBECTL_VERSION);
        if (master) {
            s.command("etcd container", Etcd.containerQuery(cluster));
        }
        s.command("haproxy servers", HaproxyService.serversCommand());
        if (!cluster.loadBalancer().isExternal()) {
            s.command("balancer readyz", Verification.readyz(cluster));
        }
        s.cat(HaproxyService.CONFIG_PATH);
        s.cat(KubePaths.MACHINE_ID);
        if (master) {
            controlPlaneQueries(s);
        }
        // a member's kernel was prepared before it joined, and its running kubelet shows it still holds
        SetupFactsReader.queries(cluster, s);
        // last, so the host's clock is read as close as possible to the answer's arrival (slow hosts: false skew)
        s.command("date", HostCommands.epochSeconds());
        FactsScript.Result r = s.run(h);
        long now = clock.millis() / 1000;
        Set<String> binaries = new HashSet<>();
        for (String b : BINARIES) {
            if (r.ok(binaryName(b))) {
                binaries.add(b);
            }
        }
        Set<String> active = new HashSet<>();
        for (String u : UNITS) {
            CommandResult c = r.get(unitName(u));
            if (c.ok() && c.stdout().trim().equals("active")) {
                active.add(u);
            }
        }
        Map<String, String> versions = new LinkedHashMap<>();
        version(r.get("kubeadm version"), String::trim).ifPresent(v -> versions.put("kubeadm", v));
        version(r.get("kubelet version"), v -> v.trim().replaceFirst("^Kubernetes ", "")).ifPresent(
                v -> versions.put("kubelet", v));
        version(r.get("kubectl version"), HostFactsReader::clientVersion).ifPresent(v -> versions.put("kubectl", v));
        CommandResult d = r.get("date");
        long skew = d.ok() && d.stdout().trim().matches("\\d{1,12}") ? Long.parseLong(d.stdout().trim()) - now : 0;
        Optional<String> config = r.file(HaproxyService.CONFIG_PATH).map(b -> new String(b, StandardCharsets.UTF_8));
        Optional<String> machineId = r.file(KubePaths.MACHINE_ID)
                .map(b -> new String(b, StandardCharsets.UTF_8).trim()).filter(s2 -> !s2.isEmpty());
        boolean member = r.exists(KubePaths.KUBELET_CONF);
        return new HostFacts(m.hostname(), Optional.empty(), Set.copyOf(binaries), config, Set.copyOf(active),
                member, master && r.exists(KubePaths.ADMIN_CONF), skew, machineId, Map.copyOf(versions),
                master ? controlPlane(h, r) : Optional.empty(), SetupFactsReader.read(r, !member),
                balancerServers(m, r.get("haproxy servers")), Verification.readyzOk(r.get("balancer readyz")));
    }

    private static final Command KUBEADM_VERSION = Command.of("kubeadm", "version", "-o", "short").readOnly();
    private static final Command KUBELET_VERSION = Command.of("kubelet", "--version").readOnly();
    private static final Command KUBECTL_VERSION = Command.of("kubectl", "version", "--client", "-o", "json")
            .readOnly();

    private static String binaryName(String binary) {
        return "command -v " + binary;
    }

    private static String unitName(String unit) {
        return "is-active " + unit;
    }

    /** What the host's HAProxy reports, or nothing where it (or socat, or its socket) is not there yet. */
    private static List<HaproxyServerState> balancerServers(Machine m, CommandResult r) {
        try {
            return List.copyOf(HaproxyService.servers(m.hostname(), r));
        } catch (IllegalStateException notRunning) {
            return List.of();
        }
    }

    private static Optional<String> version(CommandResult r, java.util.function.Function<String, String> parse) {
        if (!r.ok()) {
            return Optional.empty();
        }
        String v = parse.apply(r.stdout());
        return v != null && v.matches("v?\\d+\\.\\d+\\.\\d+[-+.\\w]*") ? Optional.of(v) : Optional.empty();
    }

    /** The static pods' manifests, the certificates, the shared files' hashes, the key-rotation marker. */
    private void controlPlaneQueries(FactsScript s) {
        for (String component : ControlPlaneFacts.COMPONENTS) {
            s.cat(Manifests.path(component));
        }
        CertificateFiles.queries(cluster, s);
        for (String path : KubePaths.sharedConfigFiles(cluster)) {
            s.sha256(path);
        }
        if (cluster.encryption().enabled()) {
            s.exists(EncryptionKeys.restartMarker(cluster));
        }
    }

    private Optional<ControlPlaneFacts> controlPlane(RemoteHost h, FactsScript.Result r) {
        Map<String, Map<String, String>> flags = new LinkedHashMap<>();
        Map<String, String> images = new LinkedHashMap<>();
        for (String component : ControlPlaneFacts.COMPONENTS) {
            r.file(Manifests.path(component)).flatMap(Manifests::imageAndFlags).ifPresent(e -> {
                images.put(component, e.getKey());
                flags.put(component, Map.copyOf(e.getValue()));
            });
        }
        Map<String, ControlPlaneFacts.Certificate> certs = CertificateFiles.master(cluster, r);
        Map<String, String> shared = new LinkedHashMap<>();
        Optional<String> provider = Optional.empty();
        List<String> keys = List.of();
        for (String path : KubePaths.sharedConfigFiles(cluster)) {
            Optional<String> hash = r.sha256(path);
            if (hash.isEmpty()) {
                continue;
            }
            shared.put(path, hash.get());
            if (path.equals(cluster.encryption().configFile())) {
                // the keys themselves: read over SFTP (never in the script's output), parsed here, never kept
                Optional<byte[]> content = h.read(path);
                if (content.isPresent()) {
                    shared.put(path, FactsGatherer.sha256(content.get()));
                    provider = Manifests.encryptionProvider(content.get());
                    keys = List.copyOf(EncryptionKeys.names(content.get()));
                    java.util.Arrays.fill(content.get(), (byte) 0);
                } else {
                    shared.remove(path);
                }
            }
        }
        Optional<String> etcd = Etcd.containerId(r.get("etcd container"));
        if (flags.isEmpty() && certs.isEmpty() && etcd.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ControlPlaneFacts(Map.copyOf(flags), Map.copyOf(images), Map.copyOf(certs),
                Map.copyOf(shared), provider, keys, cluster.encryption().enabled()
                && r.exists(EncryptionKeys.restartMarker(cluster)), etcd));
    }

    static String clientVersion(String json) {
        try {
            return JSON.readTree(json).path("clientVersion").path("gitVersion").asText(null);
        } catch (IOException e) {
            return null;
        }
    }
}
