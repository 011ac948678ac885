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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** One machine's {@link HostFacts}: read-only commands sent at once over its one SSH session, and file reads. */
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

    HostFacts read(Machine m, RemoteHost h, boolean master) {
        try {
            Map<String, CompletableFuture<CommandResult>> present = new LinkedHashMap<>();
            for (String b : BINARIES) {
                present.put(b, h.runAsync(HostCommands.exists(b)));
            }
            Map<String, CompletableFuture<CommandResult>> units = new LinkedHashMap<>();
            for (String u : UNITS) {
                units.put(u, h.runAsync(HostCommands.isActive(u)));
            }
            CompletableFuture<CommandResult> date = h.runAsync(HostCommands.epochSeconds());
            // this machine's clock when the host's answer arrived, not after every other fact (slow hosts: false skew)
            CompletableFuture<Long> dateArrived = date.thenApply(r -> clock.millis() / 1000);
            CompletableFuture<CommandResult> kubelet = h.runAsync(HostCommands.fileExists(KubePaths.KUBELET_CONF));
            CompletableFuture<CommandResult> admin = master
                    ? h.runAsync(HostCommands.fileExists(KubePaths.ADMIN_CONF)) : null;
            // a member's kernel was prepared before it joined, and its running kubelet shows it still holds
            SetupFactsReader.Pending setup = SetupFactsReader.start(cluster, h, kubelet.join().ok());
            CompletableFuture<CommandResult> kubeadmVersion = h.runAsync(
                    Command.of("kubeadm", "version", "-o", "short").readOnly());
            CompletableFuture<CommandResult> kubeletVersion = h.runAsync(Command.of("kubelet", "--version").readOnly());
            CompletableFuture<CommandResult> kubectlVersion = h.runAsync(
                    Command.of("kubectl", "version", "--client", "-o", "json").readOnly());
            CompletableFuture<CommandResult> etcd = master ? h.runAsync(Etcd.containerQuery(cluster)) : null;
            CompletableFuture<CommandResult> balancer = h.runAsync(HaproxyService.serversCommand());
            Optional<String> config = h.read(HaproxyService.CONFIG_PATH).map(b -> new String(b, StandardCharsets.UTF_8));
            Optional<String> machineId = h.read(KubePaths.MACHINE_ID)
                    .map(b -> new String(b, StandardCharsets.UTF_8).trim()).filter(s -> !s.isEmpty());
            Optional<ControlPlaneFacts> controlPlane = master ? controlPlane(h, etcd) : Optional.empty();
            Set<String> binaries = new HashSet<>();
            present.forEach((b, r) -> {
                if (r.join().ok()) {
                    binaries.add(b);
                }
            });
            Set<String> active = new HashSet<>();
            units.forEach((u, r) -> {
                if (r.join().ok() && r.join().stdout().trim().equals("active")) {
                    active.add(u);
                }
            });
            Map<String, String> versions = new LinkedHashMap<>();
            version(kubeadmVersion.join(), s -> s.trim()).ifPresent(v -> versions.put("kubeadm", v));
            version(kubeletVersion.join(), s -> s.trim().replaceFirst("^Kubernetes ", "")).ifPresent(
                    v -> versions.put("kubelet", v));
            version(kubectlVersion.join(), HostFactsReader::clientVersion).ifPresent(v -> versions.put("kubectl", v));
            long now = dateArrived.join();
            CommandResult d = date.join();
            long skew = d.ok() && d.stdout().trim().matches("\\d{1,12}") ? Long.parseLong(d.stdout().trim()) - now : 0;
            return new HostFacts(m.hostname(), Optional.empty(), Set.copyOf(binaries), config, Set.copyOf(active),
                    kubelet.join().ok(), admin != null && admin.join().ok(), skew, machineId, Map.copyOf(versions),
                    controlPlane, setup.finish(), balancerServers(m, balancer.join()));
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
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

    private Optional<ControlPlaneFacts> controlPlane(RemoteHost h, CompletableFuture<CommandResult> etcd) {
        Map<String, Map<String, String>> flags = new LinkedHashMap<>();
        Map<String, String> images = new LinkedHashMap<>();
        for (String component : ControlPlaneFacts.COMPONENTS) {
            h.read(Manifests.path(component)).flatMap(Manifests::imageAndFlags).ifPresent(e -> {
                images.put(component, e.getKey());
                flags.put(component, Map.copyOf(e.getValue()));
            });
        }
        Map<String, ControlPlaneFacts.Certificate> certs = CertificateFiles.master(cluster, h);
        Map<String, String> shared = new LinkedHashMap<>();
        Optional<String> provider = Optional.empty();
        List<String> keys = List.of();
        for (String path : KubePaths.sharedConfigFiles(cluster)) {
            Optional<byte[]> content = h.read(path);
            if (content.isPresent()) {
                shared.put(path, FactsGatherer.sha256(content.get()));
                if (path.equals(cluster.encryption().configFile())) {
                    provider = Manifests.encryptionProvider(content.get());
                    keys = List.copyOf(EncryptionKeys.names(content.get()));
                }
            }
        }
        CommandResult e = etcd.join();
        boolean etcdRunning = e.ok() && e.stdout().lines().anyMatch(l -> l.trim().matches("[0-9a-f]{6,64}"));
        if (flags.isEmpty() && certs.isEmpty() && !etcdRunning) {
            return Optional.empty();
        }
        return Optional.of(new ControlPlaneFacts(Map.copyOf(flags), Map.copyOf(images), Map.copyOf(certs),
                Map.copyOf(shared), provider, keys, cluster.encryption().enabled()
                && h.read(EncryptionKeys.restartMarker(cluster)).isPresent(), etcdRunning));
    }

    static String clientVersion(String json) {
        try {
            return JSON.readTree(json).path("clientVersion").path("gitVersion").asText(null);
        } catch (IOException e) {
            return null;
        }
    }
}
