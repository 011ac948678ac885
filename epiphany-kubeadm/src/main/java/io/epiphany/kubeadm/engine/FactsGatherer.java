package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.haproxy.HaproxyService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Gathers {@link Facts} from every machine in parallel, with read-only commands only. */
final class FactsGatherer {
    static final String PHASE = "Gather facts";
    /** Binaries whose presence the engine checks; the package managers decide how HAProxy is installed. */
    static final List<String> BINARIES = List.of("kubeadm", "kubelet", "kubectl", "containerd", "haproxy", "curl",
            "etcdctl", "sysctl", "apt-get", "dnf");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cluster cluster;
    private final Hosts hosts;
    private final List<Machine> knownMachines;

    FactsGatherer(Cluster cluster, Hosts hosts, List<Machine> knownMachines) {
        this.cluster = cluster;
        this.hosts = hosts;
        this.knownMachines = knownMachines;
    }

    /** A machine the cluster reports but the description dropped: as the caller knows it, else by its address. */
    private Machine retiredMachine(String name, String ip) {
        return knownMachines.stream().filter(m -> m.hostname().equals(name) || m.ip().equals(ip)).findFirst()
                .orElseGet(() -> Machine.of(name, ip));
    }

    Facts gather() {
        Map<String, HostFacts> byHost = new LinkedHashMap<>();
        List<Machine> machines = cluster.machines();
        for (var outcome : Parallel.map(machines, cluster.ssh().concurrency(), this::hostFacts)) {
            byHost.put(outcome.item().hostname(), outcome.ok() ? outcome.value()
                    : HostFacts.unreachable(outcome.item().hostname(), outcome.error().getMessage()));
        }
        Optional<Machine> api = cluster.masters().stream()
                .filter(m -> byHost.get(m.hostname()).reachable() && byHost.get(m.hostname()).adminConf())
                .findFirst();
        if (api.isEmpty()) {
            return new Facts(byHost, Optional.empty(), List.of(), List.of(), List.of());
        }
        RemoteHost h = hosts.get(api.get());
        List<NodeInfo> nodes = parseNodes(api.get(), run(api.get(), h, HostCommands.kubectl("get", "nodes", "-o", "json")));
        List<EtcdMember> members = parseMembers(api.get(),
                run(api.get(), h, HostCommands.etcdctl("member", "list", "-w", "json", "--hex")));
        List<EtcdMember> withHealth = EtcdHealth.withHealth(members, h);
        List<Machine> retired = retired(nodes, withHealth);
        for (var outcome : Parallel.map(retired, cluster.ssh().concurrency(), this::hostFacts)) {
            byHost.put(outcome.item().hostname(), outcome.ok() ? outcome.value()
                    : HostFacts.unreachable(outcome.item().hostname(), outcome.error().getMessage()));
        }
        return new Facts(byHost, Optional.of(api.get().hostname()), nodes, withHealth, retired);
    }

    /** Nodes and etcd members the description does not have any more, as machines the engine can reach. */
    private List<Machine> retired(List<NodeInfo> nodes, List<EtcdMember> members) {
        List<Machine> out = new ArrayList<>();
        Set<String> described = new HashSet<>();
        Set<String> describedIps = new HashSet<>();
        for (Machine m : cluster.machines()) {
            described.add(m.hostname());
            describedIps.add(m.ip());
        }
        for (NodeInfo n : nodes) {
            if (!described.contains(n.name()) && !n.internalIp().isEmpty()) {
                out.add(retiredMachine(n.name(), n.internalIp()));
            }
        }
        for (EtcdMember e : members) {
            String ip = e.peerUrls().isEmpty() ? "" : hostOf(e.peerUrls().get(0));
            boolean known = describedIps.contains(ip) || out.stream().anyMatch(m -> m.ip().equals(ip));
            if (!known && !ip.isEmpty()) {
                out.add(retiredMachine(e.name().isEmpty() ? "etcd-member-" + e.idHex() : e.name(), ip));
            }
        }
        return out;
    }

    private HostFacts hostFacts(Machine m) {
        RemoteHost h = hosts.get(m);
        boolean master = cluster.isMaster(m) || !cluster.machine(m.hostname()).isPresent();
        try {
            Map<String, CompletableFuture<CommandResult>> present = new LinkedHashMap<>();
            for (String b : BINARIES) {
                present.put(b, h.runAsync(HostCommands.exists(b)));
            }
            CompletableFuture<CommandResult> date = h.runAsync(HostCommands.epochSeconds());
            CompletableFuture<CommandResult> haproxyActive = h.runAsync(HostCommands.isActive("haproxy"));
            CompletableFuture<CommandResult> kubelet = h.runAsync(HostCommands.fileExists(KubePaths.KUBELET_CONF));
            CompletableFuture<CommandResult> admin = master
                    ? h.runAsync(HostCommands.fileExists(KubePaths.ADMIN_CONF)) : null;
            CompletableFuture<CommandResult> forward = h.runAsync(HostCommands.ipForward());
            Optional<String> cfgSha = h.read(HaproxyService.CONFIG_PATH).map(FactsGatherer::sha256);
            Optional<String> machineId = h.read(KubePaths.MACHINE_ID)
                    .map(b -> new String(b, StandardCharsets.UTF_8).trim()).filter(s -> !s.isEmpty());
            Set<String> binaries = new HashSet<>();
            for (var e : present.entrySet()) {
                if (e.getValue().join().ok()) {
                    binaries.add(e.getKey());
                }
            }
            long now = System.currentTimeMillis() / 1000;
            CommandResult d = date.join();
            long skew = d.ok() && d.stdout().trim().matches("\\d{1,12}") ? Long.parseLong(d.stdout().trim()) - now : 0;
            return new HostFacts(m.hostname(), Optional.empty(), Set.copyOf(binaries), cfgSha,
                    haproxyActive.join().ok() && haproxyActive.join().stdout().trim().equals("active"),
                    kubelet.join().ok(), admin != null && admin.join().ok(), skew, machineId,
                    forward.join().ok() && forward.join().stdout().trim().equals("1"));
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    private CommandResult run(Machine m, RemoteHost h, io.epiphany.api.remote.Command c) {
        CommandResult r = h.run(c);
        if (!r.ok()) {
            throw new ApplyException(PHASE, m.hostname(), "the cluster's API or etcd did not answer: `" + r.command()
                    + "` exited " + r.exitCode() + " " + r.stderrTail(3) + "; with admin.conf present the SDK will not "
                    + "guess the cluster state (is etcd quorum lost? are the masters' API servers up?)",
                    List.of(), List.of("everything"), new RemoteException(m.hostname(), r.toString()));
        }
        return r;
    }

    static List<NodeInfo> parseNodes(Machine from, CommandResult r) {
        try {
            List<NodeInfo> out = new ArrayList<>();
            for (JsonNode item : JSON.readTree(r.stdout()).path("items")) {
                Map<String, String> labels = new LinkedHashMap<>();
                item.path("metadata").path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                Set<String> taints = new LinkedHashSet<>();
                for (JsonNode t : item.path("spec").path("taints")) {
                    String value = t.path("value").asText("");
                    taints.add(t.path("key").asText() + (value.isEmpty() ? "" : "=" + value) + ":" + t.path("effect").asText());
                }
                boolean ready = false;
                for (JsonNode c : item.path("status").path("conditions")) {
                    if (c.path("type").asText().equals("Ready")) {
                        ready = c.path("status").asText().equals("True");
                    }
                }
                String internalIp = "";
                for (JsonNode a : item.path("status").path("addresses")) {
                    if (a.path("type").asText().equals("InternalIP")) {
                        internalIp = a.path("address").asText();
                    }
                }
                out.add(new NodeInfo(item.path("metadata").path("name").asText(), ready, labels, taints, internalIp));
            }
            return out;
        } catch (java.io.IOException e) {
            throw new ApplyException(PHASE, from.hostname(), "`kubectl get nodes -o json` printed something that is not "
                    + "JSON: " + e.getMessage(), List.of(), List.of("everything"), e);
        }
    }

    static List<EtcdMember> parseMembers(Machine from, CommandResult r) {
        try {
            List<EtcdMember> out = new ArrayList<>();
            for (JsonNode m : JSON.readTree(r.stdout()).path("members")) {
                List<String> peers = new ArrayList<>();
                m.path("peerURLs").forEach(u -> peers.add(u.asText()));
                out.add(new EtcdMember(m.path("ID").asText(), m.path("name").asText(""), peers,
                        m.path("isLearner").asBoolean(false), false));
            }
            return out;
        } catch (java.io.IOException e) {
            throw new ApplyException(PHASE, from.hostname(), "`etcdctl member list` printed something that is not JSON: "
                    + e.getMessage(), List.of(), List.of("everything"), e);
        }
    }

    /** {@code https://10.0.0.1:2379} → {@code 10.0.0.1}. */
    static String hostOf(String url) {
        String rest = url.replaceFirst("^[a-z]+://", "");
        if (rest.startsWith("[")) {
            return rest.substring(1, rest.indexOf(']'));
        }
        int colon = rest.lastIndexOf(':');
        return colon < 0 ? rest : rest.substring(0, colon);
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
