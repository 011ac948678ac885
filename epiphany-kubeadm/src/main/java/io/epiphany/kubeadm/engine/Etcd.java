package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteHost;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * etcd as the SDK reaches it: {@code etcdctl} inside a master's etcd static pod ({@code crictl exec} into the running
 * etcd container). A kubeadm host has no etcdctl binary: the kubeadm, kubelet and kubectl packages do not ship one,
 * the registry.k8s.io/etcd image does. Membership is read from the first master whose etcd answers, so one broken
 * member never hides the others.
 */
final class Etcd {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What etcd reported, and through which master. */
    record View(Machine via, List<EtcdMember> members) {}

    private Etcd() {}

    private static Command crictl(Cluster cluster, String... args) {
        List<String> words = new ArrayList<>(List.of("crictl", "--runtime-endpoint", cluster.criSocket()));
        words.addAll(List.of(args));
        return Command.of(words).asRoot();
    }

    /** The running etcd container on a host: one ID per line, nothing when etcd does not run there. */
    static Command containerQuery(Cluster cluster) {
        return containerQuery(cluster, "etcd");
    }

    /** {@code etcdctl} in that container against its local member, with kubeadm's healthcheck client certificate. */
    static Command etcdctl(Cluster cluster, String containerId, String... args) {
        String pki = cluster.certificatesDir() + "/etcd/";
        List<String> words = new ArrayList<>(List.of("exec", containerId, "etcdctl", "--endpoints",
                "https://127.0.0.1:2379", "--cacert", pki + "ca.crt", "--cert", pki + "healthcheck-client.crt",
                "--key", pki + "healthcheck-client.key"));
        words.addAll(List.of(args));
        return crictl(cluster, words.toArray(String[]::new));
    }

    /** The running container of a static pod ({@code etcd}, {@code kube-apiserver}, ...): one ID per line. */
    static Command containerQuery(Cluster cluster, String name) {
        return crictl(cluster, "ps", "--name", name, "--state", "running", "-q").readOnly();
    }

    /** Stops a container; the kubelet starts its static pod's container again (restartPolicy Always). */
    static Command crictlStop(Cluster cluster, String containerId) {
        return crictl(cluster, "stop", containerId);
    }

    /** {@code etcdutl} (the etcd image has it: offline snapshot tools) in that container. */
    static Command etcdutl(Cluster cluster, String containerId, String... args) {
        List<String> words = new ArrayList<>(List.of("exec", containerId, "etcdutl"));
        words.addAll(List.of(args));
        return crictl(cluster, words.toArray(String[]::new));
    }

    /** The ID of the etcd container running on the host, if one runs. */
    static Optional<String> container(Cluster cluster, RemoteHost host) {
        return container(cluster, host, "etcd");
    }

    /** The ID of the named static pod's running container on the host, if one runs. */
    static Optional<String> container(Cluster cluster, RemoteHost host, String name) {
        return containerId(host.run(containerQuery(cluster, name)));
    }

    /** The first container ID {@link #containerQuery} printed, if it succeeded. */
    static Optional<String> containerId(CommandResult r) {
        if (!r.ok()) {
            return Optional.empty();
        }
        return r.stdout().lines().map(String::trim).filter(l -> l.matches("[0-9a-f]{6,64}")).findFirst();
    }

    /** Runs etcdctl inside the host's etcd container; a host without one gives exit 127 and says why. */
    static CommandResult run(Cluster cluster, RemoteHost host, boolean readOnly, String... args) {
        return run(cluster, host, container(cluster, host), readOnly, args);
    }

    private static CommandResult run(Cluster cluster, RemoteHost host, Optional<String> id, boolean readOnly,
            String... args) {
        if (id.isEmpty()) {
            return new CommandResult(host.hostname(), "etcdctl " + String.join(" ", args), 127, "",
                    "no running etcd container on " + host.hostname() + " (crictl ps --name etcd)");
        }
        Command c = etcdctl(cluster, id.get(), args);
        return host.run(readOnly ? c.readOnly() : c);
    }

    /**
     * Members, health and leader from the first of {@code masters} whose etcd answers {@code member list}; empty with
     * every attempt in {@code tried} when none does.
     */
    static Optional<View> read(Cluster cluster, List<Machine> masters, Function<Machine, RemoteHost> hosts,
            List<String> tried) {
        return read(cluster, masters, hosts, tried, m -> Optional.empty());
    }

    /**
     * {@link #read}, with each master's etcd container as its facts just found it ({@code known}: saves a
     * {@code crictl ps} per etcdctl call); a known container that no longer answers is looked up again once.
     */
    static Optional<View> read(Cluster cluster, List<Machine> masters, Function<Machine, RemoteHost> hosts,
            List<String> tried, Function<Machine, Optional<String>> known) {
        for (Machine m : masters) {
            try {
                RemoteHost h = hosts.apply(m);
                Optional<String> id = known.apply(m);
                // With the container the facts found, health and leader are asked while the members are: three
                // read-only execs in flight at once instead of one after another (one round trip, not three).
                Optional<String> knownId = id;
                CompletableFuture<CommandResult> health = id.map(c -> h.runAsync(etcdctl(cluster, c, HEALTH)
                        .readOnly())).orElse(null);
                CompletableFuture<CommandResult> status = id.map(c -> h.runAsync(etcdctl(cluster, c, STATUS)
                        .readOnly())).orElse(null);
                String[] memberList = {"member", "list", "-w", "json", "--hex"};
                CommandResult list = id.isPresent() ? run(cluster, h, id, true, memberList) : null;
                if (list == null || !list.ok()) {
                    Optional<String> now = container(cluster, h);
                    if (list == null || !now.equals(id)) { // a container restarted since the facts: ask the new one
                        id = now;
                        list = run(cluster, h, id, true, memberList);
                    }
                }
                if (!list.ok()) {
                    settle(health, status);
                    tried.add(m.hostname() + ": " + list.stderrTail(2));
                    continue;
                }
                boolean sameContainer = health != null && id.equals(knownId);
                if (!sameContainer) {
                    settle(health, status);
                }
                CommandResult healthResult = sameContainer ? FactsGatherer.answer(health) : run(cluster, h, id, true,
                        HEALTH);
                CommandResult statusResult = sameContainer ? FactsGatherer.answer(status) : run(cluster, h, id, true,
                        STATUS);
                return Optional.of(new View(m, withHealth(parseMembers(m, list.stdout()), healthResult,
                        statusResult)));
            } catch (RuntimeException e) {
                tried.add(m.hostname() + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private static final String[] HEALTH = {"endpoint", "health", "--cluster", "-w", "json"};
    private static final String[] STATUS = {"endpoint", "status", "--cluster", "-w", "json", "--hex"};

    /** Waits for reads whose answers are no longer wanted (read-only: nothing to undo), so none outlives the read. */
    private static void settle(CompletableFuture<?>... reads) {
        for (CompletableFuture<?> f : reads) {
            if (f != null) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (java.util.concurrent.ExecutionException ignored) {
                    // its answer was not going to be used
                }
            }
        }
    }

    /** Marks each member healthy or not ({@code endpoint health --cluster}) and the leader ({@code endpoint status}). */
    private static List<EtcdMember> withHealth(List<EtcdMember> members, CommandResult health,
            CommandResult status) {
        // etcdctl exits non-zero when any endpoint is unhealthy but still prints the JSON for all of them
        Set<String> healthy = new HashSet<>();
        for (JsonNode e : json(health.stdout(), "[]")) {
            if (e.path("health").asBoolean(false)) {
                healthy.add(FactsGatherer.hostOf(e.path("endpoint").asText()));
            }
        }
        Set<String> leaders = new HashSet<>();
        for (JsonNode e : json(status.stdout(), "[]")) {
            EtcdId.hex(e.path("Status").path("leader")).ifPresent(leaders::add);
        }
        List<EtcdMember> out = new ArrayList<>();
        for (EtcdMember m : members) {
            boolean ok = m.peerUrls().stream().anyMatch(u -> healthy.contains(FactsGatherer.hostOf(u)))
                    || m.clientHosts().stream().anyMatch(healthy::contains);
            out.add(m.withHealth(ok, leaders.contains(m.idHex())));
        }
        return out;
    }

    /** Unparseable output counts as no answer: nobody is healthy, so the engine stops rather than risks quorum. */
    private static JsonNode json(String text, String fallback) {
        try {
            return JSON.readTree(text == null || text.isBlank() ? fallback : text);
        } catch (IOException e) {
            try {
                return JSON.readTree(fallback);
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    static List<EtcdMember> parseMembers(Machine from, String stdout) {
        JsonNode doc;
        try {
            doc = JSON.readTree(stdout);
        } catch (IOException e) {
            throw new ApplyException(FactsGatherer.PHASE, from.hostname(), "`etcdctl member list` printed something "
                    + "that is not JSON: " + e.getMessage(), List.of(), List.of("everything"), null);
        }
        List<EtcdMember> out = new ArrayList<>();
        for (JsonNode m : doc.path("members")) {
            List<String> peers = new ArrayList<>();
            m.path("peerURLs").forEach(u -> peers.add(u.asText()));
            List<String> clients = new ArrayList<>();
            m.path("clientURLs").forEach(u -> clients.add(u.asText()));
            String id = EtcdId.hex(m.path("ID")).orElseThrow(() -> new ApplyException(FactsGatherer.PHASE,
                    from.hostname(), "`etcdctl member list` printed a member without a valid ID: " + m.path("ID"),
                    List.of(), List.of("everything"), null));
            out.add(new EtcdMember(id, m.path("name").asText(""), peers, clients, m.path("isLearner").asBoolean(false),
                    false, false));
        }
        return out;
    }
}
