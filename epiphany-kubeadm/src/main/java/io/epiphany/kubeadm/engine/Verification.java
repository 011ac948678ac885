package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.Command;
import io.epiphany.haproxy.HaproxyConfig;
import io.epiphany.haproxy.HaproxyServerState;
import io.epiphany.haproxy.HaproxyService;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The end of every apply, read-only: every Node Ready, etcd members exactly the masters and all healthy, and on
 * every host a request through its own {@code localhost:3446} reaching {@code /readyz} and its HAProxy sending to
 * every master. Waits are bounded. After an apply that ran no step, what the facts of this apply already show
 * (Nodes, etcd members, each host's /readyz and HAProxy servers) is not asked again; only what falls short is.
 */
final class Verification {
    static final String PHASE = "Verify";

    private Verification() {}

    /** The kubelet's condition while no CNI config exists in /etc/cni/net.d (kubernetes-2026.md). */
    static boolean waitsForCni(NodeInfo node) {
        return node.readyMessage().contains("NetworkPluginNotReady") || node.readyMessage().contains("cni plugin not "
                + "initialized");
    }

    /** CoreDNS's Deployment, read-only. */
    static final Command COREDNS = HostCommands.kubectl("get", "deployment", "coredns", "-n", "kube-system", "-o",
            "json").readOnly();

    /** CoreDNS's Deployment has all its replicas ready (it stays Pending without a pod network). */
    private static String coreDns(Context ctx, Machine source) {
        Poll poll = new Poll(ctx.options.healthTimeout());
        String state;
        do {
            CommandResult r = ctx.host(source).run(COREDNS);
            state = r.ok() ? coreDnsState(r.stdout()) : "`kubectl get deployment coredns` exited " + r.exitCode() + " "
                    + r.stderrTail(2);
            if (state == null) {
                return "CoreDNS ready";
            }
        } while (poll.again());
        throw new ApplyException(PHASE, source.hostname(), "CoreDNS not ready within "
                + ctx.options.healthTimeout().toSeconds() + " s: " + state + " (its pods need the pod network: is the "
                + "CNI running?)", ctx.completed(), List.of(), null);
    }

    /** Null when every replica is ready, else what is not. */
    static String coreDnsState(String json) {
        try {
            var d = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            int wanted = d.path("spec").path("replicas").asInt(1);
            int ready = d.path("status").path("readyReplicas").asInt(0);
            return wanted > 0 && ready >= wanted ? null : ready + " of " + wanted + " replicas ready";
        } catch (java.io.IOException e) {
            return "unreadable Deployment: " + e.getMessage();
        }
    }

    static List<String> verify(Context ctx) {
        List<String> verified = new ArrayList<>();
        Machine source = ctx.requireSource(PHASE);
        Poll poll = new Poll(ctx.options.healthTimeout());
        boolean ownCni = ctx.cluster.cni().kind() == io.epiphany.api.Cni.Kind.NONE;
        List<String> notReady;
        List<String> waitingForCni;
        // an apply that changed nothing has the cluster's answers in its facts, read moments ago: ask again only
        // where they fall short
        boolean unchanged = ctx.completed().isEmpty();
        List<NodeInfo> fromFacts = unchanged && ctx.facts.apiMaster().isPresent() ? ctx.facts.nodes() : null;
        do {
            List<NodeInfo> nodes = fromFacts != null ? fromFacts : FactsGatherer.parseNodes(source, ctx.host(source)
                    .run(FactsGatherer.NODES).orThrow());
            fromFacts = null;
            notReady = new ArrayList<>();
            waitingForCni = new ArrayList<>();
            for (Machine m : ctx.cluster.machines()) {
                var node = nodes.stream().filter(n -> n.name().equals(m.hostname())).findFirst();
                if (ownCni && node.isPresent() && !node.get().ready() && waitsForCni(node.get())) {
                    waitingForCni.add(m.hostname()); // cni: none: the user's CNI is still to come
                } else if (node.isEmpty() || !node.get().ready()) {
                    notReady.add(m.hostname() + " (" + node.map(NodeInfo::readyMessage).orElse("no Node") + ")");
                }
            }
            if (notReady.isEmpty()) {
                break;
            }
        } while (poll.again());
        if (!notReady.isEmpty()) {
            throw new ApplyException(PHASE, notReady.get(0).split(" ")[0], "Nodes not Ready within "
                    + ctx.options.healthTimeout().toSeconds() + " s: " + notReady, ctx.completed(), List.of(), null);
        }
        verified.add(waitingForCni.isEmpty() ? ctx.cluster.machines().size() + " Nodes Ready"
                : (ctx.cluster.machines().size() - waitingForCni.size()) + " Nodes Ready; " + waitingForCni
                        + " wait for the CNI you install (cni: none)");
        if (!ownCni) {
            // an apply that changed nothing read it with the facts, moments ago; asked again only when not ready
            verified.add(unchanged && ctx.facts.coreDnsReady() ? "CoreDNS ready" : coreDns(ctx, source));
        }

        List<String> expected = ctx.cluster.masters().stream().map(Machine::hostname).sorted().toList();
        List<EtcdMember> members = unchanged && ctx.facts.etcdVia().isPresent() ? ctx.facts.members() : List.of();
        if (!membersAreMasters(members, expected)) {
            members = ctx.liveMembers(PHASE);
        }
        List<String> actual = members.stream().map(EtcdMember::name).sorted().toList();
        List<String> unhealthy = members.stream().filter(m -> !m.healthy()).map(EtcdMember::name).toList();
        if (!expected.equals(actual) || !unhealthy.isEmpty()) {
            throw new ApplyException(PHASE, null, "etcd members " + actual + " should be the masters " + expected
                    + (unhealthy.isEmpty() ? "" : "; unhealthy: " + unhealthy), ctx.completed(), List.of(), null);
        }
        verified.add("etcd members = masters " + expected + ", all healthy");

        if (!ctx.cluster.loadBalancer().isExternal()) {
            String url = url(ctx.cluster);
            Command readyz = readyz(ctx.cluster);
            List<String> failing = List.of();
            Poll lbPoll = new Poll(ctx.options.healthTimeout());
            // an apply that changed nothing has the answer in the facts, read moments ago: ask only where it failed
            List<Machine> pending = ctx.completed().isEmpty() ? ctx.cluster.machines().stream()
                    .filter(m -> !servingByFacts(ctx, m)).toList() : ctx.cluster.machines();
            while (!pending.isEmpty()) {
                // a just-added backend may still be failing its first health checks: retry only the failing hosts
                var outcomes = Parallel.map(pending, ctx.cluster.ssh().concurrency(), m -> {
                    CommandResult r = ctx.host(m).run(readyz);
                    return readyzOk(r) ? liveBackendsNotServing(ctx, m) : "exit " + r.exitCode();
                });
                failing = outcomes.stream().filter(o -> !o.ok() || o.value() != null)
                        .map(o -> o.item().hostname() + " (" + (o.ok() ? o.value() : o.error().getMessage()) + ")")
                        .collect(Collectors.toList());
                pending = outcomes.stream().filter(o -> !o.ok() || o.value() != null).map(Parallel.Outcome::item)
                        .collect(Collectors.toList());
                if (pending.isEmpty() || !lbPoll.again()) {
                    break;
                }
            }
            if (!failing.isEmpty()) {
                throw new ApplyException(PHASE, null, "load balancers not serving within "
                        + ctx.options.healthTimeout().toSeconds() + " s on " + failing + " (each host's GET " + url
                        + " must answer 'ok' and its HAProxy send to every master)", ctx.completed(), List.of(), null);
            }
            verified.add("GET " + url + " answers ok on all " + ctx.cluster.machines().size() + " hosts, each "
                    + "HAProxy sending to all " + ctx.cluster.masters().size() + " masters");
        }
        return verified;
    }

    private static boolean membersAreMasters(List<EtcdMember> members, List<String> masters) {
        return members.stream().allMatch(EtcdMember::healthy)
                && members.stream().map(EtcdMember::name).sorted().toList().equals(masters);
    }

    /**
     * Null when the host's HAProxy sends new connections to every master and has checked each, else which it does
     * not: one answering master is enough for /readyz, not for high availability (a master left drained, cut off from
     * this host, or added moments ago and not checked yet).
     */
    static String backendsNotServing(List<Machine> masters, List<HaproxyServerState> servers) {
        if (servers.isEmpty()) {
            return "its HAProxy's runtime API did not answer";
        }
        List<String> notServing = new ArrayList<>();
        for (Machine master : masters) {
            var s = servers.stream().filter(x -> x.backend().equals(HaproxyConfig.BACKEND)
                    && x.server().equals(master.hostname())).findFirst();
            // not yet checked: HAProxy's "UP" is an assumption that its first check may still overturn
            if (s.isEmpty() || !s.get().takesTraffic() || !s.get().checked()) {
                notServing.add(master.hostname() + " " + s.map(x -> x.status() + (!x.checked() ? ", not checked yet"
                        : x.lastCheck().isEmpty() ? "" : ", last check " + x.lastCheck())).orElse("missing"));
            }
        }
        return notServing.isEmpty() ? null : "its HAProxy does not send to " + notServing;
    }

    /** {@link #backendsNotServing} from what the host's HAProxy reports now, or why it did not answer. */
    private static String liveBackendsNotServing(Context ctx, Machine host) {
        try {
            return backendsNotServing(ctx.cluster.masters(), HaproxyService.servers(host.hostname(),
                    ctx.host(host).run(HaproxyService.serversCommand())));
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    /** The facts say the host's load balancer answered /readyz and its HAProxy sent to every master. */
    private static boolean servingByFacts(Context ctx, Machine m) {
        HostFacts h = ctx.facts.host(m);
        return h.reachable() && h.balancerReady()
                && backendsNotServing(ctx.cluster.masters(), h.balancerServers()) == null;
    }

    static String url(io.epiphany.api.Cluster cluster) {
        return "https://localhost:" + cluster.loadBalancer().port() + "/readyz";
    }

    /** {@code GET /readyz} through the host's own load balancer (with the facts, and here). */
    static Command readyz(io.epiphany.api.Cluster cluster) {
        return Command.of("curl", "-sk", "--max-time", "5", url(cluster)).readOnly();
    }

    static boolean readyzOk(CommandResult r) {
        return r.ok() && r.stdout().trim().equals("ok");
    }
}
