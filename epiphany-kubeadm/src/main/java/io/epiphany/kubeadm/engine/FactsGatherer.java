package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Gathers {@link Facts} read-only: every machine in parallel ({@link HostFactsReader}), then the cluster through the
 * first master whose API answers and the etcd membership through the first master whose etcd answers, so one broken
 * master never stops a plan.
 */
final class FactsGatherer {
    static final String PHASE = "Gather facts";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cluster cluster;
    private final Hosts hosts;
    private final List<Machine> knownMachines;

    private final java.time.Clock clock;

    FactsGatherer(Cluster cluster, Hosts hosts, List<Machine> knownMachines) {
        this(cluster, hosts, knownMachines, java.time.Clock.systemUTC());
    }

    /** {@code clock}: the controller's ({@link io.epiphany.api.ApplyOptions#clock()}). */
    FactsGatherer(Cluster cluster, Hosts hosts, List<Machine> knownMachines, java.time.Clock clock) {
        this.cluster = cluster;
        this.hosts = hosts;
        this.knownMachines = knownMachines;
        this.clock = clock;
    }

    /** A machine the cluster reports but the description dropped: as the caller knows it, else by its address. */
    private Machine retiredMachine(String name, String ip) {
        return knownMachines.stream().filter(m -> m.hostname().equals(name) || m.ip().equals(ip)).findFirst()
                .orElseGet(() -> Machine.of(name, ip));
    }

    Facts gather() {
        Map<String, HostFacts> byHost = new LinkedHashMap<>();
        // The Nodes through the first master, asked while every host runs its facts script: where a cluster runs,
        // that is the master the loop below picks, and its answer is then one round trip fewer on the critical path.
        // Read-only; where the master has no admin.conf (or no kubectl), the facts say so and it is not used.
        Machine first = cluster.masters().get(0);
        java.util.concurrent.CompletableFuture<CommandResult> earlyNodes = hosts.get(first).runAsync(NODES);
        readHosts(cluster.machines(), byHost);
        List<String> apiTried = new ArrayList<>();
        Optional<Machine> api = Optional.empty();
        CommandResult nodesJson = null;
        for (Machine m : cluster.masters()) {
            HostFacts f = byHost.get(m.hostname());
            if (!f.reachable() || !f.adminConf()) {
                continue;
            }
            CommandResult r = m.equals(first) ? earlyAnswer(earlyNodes, m) : hosts.get(m).run(NODES);
            if (r.ok()) {
                api = Optional.of(m);
                nodesJson = r;
                break;
            }
            apiTried.add(m.hostname() + ": `kubectl get nodes` exited " + r.exitCode() + " " + r.stderrTail(2));
        }
        if (api.isEmpty()) {
            if (byHost.values().stream().anyMatch(HostFacts::adminConf)) {
                CertificatesExpired.of(cluster, byHost, clock.instant(), apiTried).ifPresent(e -> {
                    throw e;
                });
                throw new ApplyException(PHASE, null, "a cluster exists on these machines (admin.conf is present) but "
                        + "its API did not answer on any master: " + apiTried + "; the SDK will not guess the cluster "
                        + "state (is etcd quorum lost? are the masters' API servers and kubelets up?)", List.of(),
                        List.of("everything"), null);
            }
            return new Facts(byHost, Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(),
                    List.of(), List.of(), Optional.empty(), false);
        }
        List<NodeInfo> nodes = parseNodes(api.get(), nodesJson);
        // independent of what follows: in flight on the API master while the etcd membership is read
        RemoteHost apiHost = hosts.get(api.get());
        java.util.concurrent.CompletableFuture<CommandResult> storedQuery = apiHost.runAsync(STORED_CONFIG);
        java.util.concurrent.CompletableFuture<CommandResult> cniQuery = apiHost.runAsync(DAEMONSETS);
        // what verification asks last: an apply that runs no step then needs no round trip after its phases
        java.util.concurrent.CompletableFuture<CommandResult> coreDnsQuery = apiHost.runAsync(Verification.COREDNS);
        List<Machine> retired = new ArrayList<>(retiredNodes(nodes));
        readHosts(retired, byHost);
        // etcd through the described masters first, then through masters the description dropped
        List<Machine> etcdCandidates = new ArrayList<>(cluster.masters());
        retired.stream().filter(r -> nodes.stream().anyMatch(n -> n.name().equals(r.hostname()) && n.controlPlane()))
                .forEach(etcdCandidates::add);
        etcdCandidates.removeIf(m -> !byHost.get(m.hostname()).reachable());
        List<String> etcdTried = new ArrayList<>();
        Optional<Etcd.View> etcd = Etcd.read(cluster, etcdCandidates, hosts::get, etcdTried,
                m -> byHost.get(m.hostname()).controlPlane().flatMap(ControlPlaneFacts::etcdContainer));
        List<EtcdMember> members = etcd.map(Etcd.View::members).orElse(List.of());
        List<Machine> retiredMembers = retiredMembers(members, retired);
        readHosts(retiredMembers, byHost);
        retired.addAll(retiredMembers);
        return new Facts(byHost, Optional.of(api.get().hostname()), etcd.map(v -> v.via().hostname()),
                storedConfig(answer(storedQuery)), nodes, members, retired, etcdTried,
                cniDaemonSets(answer(cniQuery)), coreDnsReady(answer(coreDnsQuery)));
    }

    /**
     * The machines' own facts only, not the cluster's (whose API may not answer): what a restore checks before it
     * decides whether a cluster still runs there, and what resetting them needs.
     */
    Facts hostsOnly() {
        Map<String, HostFacts> byHost = new LinkedHashMap<>();
        readHosts(cluster.machines(), byHost);
        return new Facts(byHost, Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(),
                List.of(), List.of(), Optional.empty(), false);
    }

    private static boolean coreDnsReady(CommandResult r) {
        return r.ok() && Verification.coreDnsState(r.stdout()) == null;
    }

    private void readHosts(List<Machine> machines, Map<String, HostFacts> into) {
        HostFactsReader reader = new HostFactsReader(cluster, clock);
        for (var outcome : Parallel.map(machines, cluster.ssh().concurrency(),
                m -> reader.read(m, hosts.get(m), cluster.isMaster(m) || cluster.machine(m.hostname()).isEmpty()))) {
            // only a transport failure says the machine is unreachable; anything else is the SDK's own fault
            if (!outcome.ok() && !(outcome.error() instanceof RemoteException)) {
                throw outcome.error();
            }
            into.put(outcome.item().hostname(), outcome.ok() ? outcome.value()
                    : HostFacts.unreachable(outcome.item().hostname(), outcome.error().getMessage()));
        }
    }

    /** Every Node as JSON, read-only: what {@link #parseNodes} reads, wherever the engine asks for the Nodes. */
    static final io.epiphany.api.remote.Command NODES = HostCommands.kubectl("get", "nodes", "-o", "json").readOnly();

    /**
     * The early Nodes read; asked again only when it failed in transport (the facts script reached the host since).
     * Its answer otherwise stands as the loop's own would: a failing {@code kubectl} sends the loop to the next master.
     */
    private CommandResult earlyAnswer(java.util.concurrent.CompletableFuture<CommandResult> early, Machine m) {
        try {
            return answer(early);
        } catch (RemoteException e) {
            return hosts.get(m).run(NODES);
        }
    }

    private static final io.epiphany.api.remote.Command DAEMONSETS = HostCommands.kubectl("get", "daemonsets", "-A",
            "-o", "json").readOnly();
    private static final io.epiphany.api.remote.Command STORED_CONFIG = HostCommands.kubectl("get", "configmap",
            "kubeadm-config", "-n", "kube-system", "-o", "json").readOnly();

    /** The command's result, or its transport failure as {@link RemoteHost#run} throws it. */
    static CommandResult answer(java.util.concurrent.CompletableFuture<CommandResult> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new java.util.concurrent.CancellationException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    /** DaemonSets that mount the CNI config directory: a CNI is installed (whoever installed it). */
    static Optional<List<String>> cniDaemonSets(CommandResult r) {
        if (!r.ok()) {
            return Optional.empty();
        }
        try {
            List<String> out = new ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode ds : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(r.stdout()).path("items")) {
                for (com.fasterxml.jackson.databind.JsonNode v : ds.path("spec").path("template").path("spec")
                        .path("volumes")) {
                    if (CniPhase.CNI_CONFIG_DIR.equals(v.path("hostPath").path("path").asText())) {
                        out.add(ds.path("metadata").path("namespace").asText() + "/"
                                + ds.path("metadata").path("name").asText());
                        break;
                    }
                }
            }
            return Optional.of(List.copyOf(out));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<StoredConfig> storedConfig(RemoteHost h) {
        return storedConfig(h.run(STORED_CONFIG));
    }

    static Optional<StoredConfig> storedConfig(CommandResult r) {
        if (!r.ok()) {
            return Optional.empty();
        }
        try {
            return Optional.of(StoredConfig.fromConfigMap(r.stdout()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Nodes the description does not have any more, as machines the engine can reach. */
    private List<Machine> retiredNodes(List<NodeInfo> nodes) {
        List<Machine> out = new ArrayList<>();
        for (NodeInfo n : nodes) {
            if (cluster.machine(n.name()).isEmpty() && !n.internalIp().isEmpty()) {
                out.add(retiredMachine(n.name(), n.internalIp()));
            }
        }
        return out;
    }

    /**
     * etcd members that are neither a described machine nor a retired Node, as the machines they ran on: the caller's
     * known machine with that address, else one named after the member (by its ID when it never started or when a
     * described or retired machine has its name: a stale duplicate is not that machine). A provably stale member at an
     * address nobody knows is not a machine at all: {@link Membership#staleMembers} removes it from etcd.
     */
    private List<Machine> retiredMembers(List<EtcdMember> members, List<Machine> retired) {
        Set<String> knownIps = new HashSet<>();
        Set<String> names = new HashSet<>();
        cluster.machines().forEach(m -> knownIps.add(m.ip()));
        retired.forEach(m -> knownIps.add(m.ip()));
        cluster.machines().forEach(m -> names.add(m.hostname()));
        retired.forEach(m -> names.add(m.hostname()));
        List<Machine> out = new ArrayList<>();
        for (EtcdMember e : members) {
            String ip = e.peerUrls().isEmpty() ? "" : hostOf(e.peerUrls().get(0));
            if (ip.isEmpty() || knownIps.contains(ip)) {
                continue;
            }
            Optional<Machine> known = knownMachines.stream().filter(m -> m.ip().equals(ip)).findFirst();
            if (known.isEmpty() && Membership.provablyStale(e, members)) {
                continue;
            }
            knownIps.add(ip);
            String name = e.name().isEmpty() || names.contains(e.name()) ? "etcd-member-" + e.idHex() : e.name();
            names.add(name);
            out.add(known.orElseGet(() -> Machine.of(name, ip)));
        }
        return out;
    }

    static List<NodeInfo> parseNodes(Machine from, CommandResult r) {
        try {
            List<NodeInfo> out = new ArrayList<>();
            for (JsonNode item : JSON.readTree(r.stdout()).path("items")) {
                JsonNode meta = item.path("metadata");
                Map<String, String> labels = strings(meta.path("labels"));
                Map<String, String> annotations = strings(meta.path("annotations"));
                Set<String> taints = new java.util.LinkedHashSet<>();
                for (JsonNode t : item.path("spec").path("taints")) {
                    String value = t.path("value").asText("");
                    taints.add(t.path("key").asText() + (value.isEmpty() ? "" : "=" + value) + ":"
                            + t.path("effect").asText());
                }
                boolean ready = false;
                String message = "no Ready condition reported yet";
                for (JsonNode c : item.path("status").path("conditions")) {
                    if (c.path("type").asText().equals("Ready")) {
                        ready = c.path("status").asText().equals("True");
                        message = "Ready=" + c.path("status").asText() + " " + c.path("reason").asText("") + ": "
                                + c.path("message").asText("");
                    }
                }
                String internalIp = "";
                for (JsonNode a : item.path("status").path("addresses")) {
                    if (a.path("type").asText().equals("InternalIP")) {
                        internalIp = a.path("address").asText();
                    }
                }
                out.add(new NodeInfo(meta.path("name").asText(), ready, ready ? "" : message, labels, taints,
                        annotations, internalIp, item.path("status").path("nodeInfo").path("kubeletVersion").asText("")));
            }
            return out;
        } catch (IOException e) {
            throw new ApplyException(PHASE, from.hostname(), "`kubectl get nodes -o json` printed something that is "
                    + "not JSON: " + e.getMessage(), List.of(), List.of("everything"),
                    new RemoteException(from.hostname(), r.command()));
        }
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
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
