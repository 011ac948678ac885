package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The end of every apply, read-only: every Node Ready, etcd members exactly the masters and all healthy, and on
 * every host a request through its own {@code localhost:3446} reaching {@code /readyz}. Waits are bounded.
 */
final class Verification {
    static final String PHASE = "Verify";

    private Verification() {}

    static List<String> verify(Context ctx) {
        List<String> verified = new ArrayList<>();
        Machine source = ctx.requireSource(PHASE);
        Poll poll = new Poll(ctx.options.healthTimeout());
        List<String> notReady;
        do {
            List<NodeInfo> nodes = FactsGatherer.parseNodes(source, ctx.host(source)
                    .run(HostCommands.kubectl("get", "nodes", "-o", "json").readOnly()).orThrow());
            notReady = new ArrayList<>();
            for (Machine m : ctx.cluster.machines()) {
                var node = nodes.stream().filter(n -> n.name().equals(m.hostname())).findFirst();
                if (node.isEmpty() || !node.get().ready()) {
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
        verified.add(ctx.cluster.machines().size() + " Nodes Ready");

        List<EtcdMember> members = ctx.liveMembers(PHASE);
        List<String> expected = ctx.cluster.masters().stream().map(Machine::hostname).sorted().toList();
        List<String> actual = members.stream().map(EtcdMember::name).sorted().toList();
        List<String> unhealthy = members.stream().filter(m -> !m.healthy()).map(EtcdMember::name).toList();
        if (!expected.equals(actual) || !unhealthy.isEmpty()) {
            throw new ApplyException(PHASE, null, "etcd members " + actual + " should be the masters " + expected
                    + (unhealthy.isEmpty() ? "" : "; unhealthy: " + unhealthy), ctx.completed(), List.of(), null);
        }
        verified.add("etcd members = masters " + expected + ", all healthy");

        if (!ctx.cluster.loadBalancer().isExternal()) {
            String url = "https://localhost:" + ctx.cluster.loadBalancer().port() + "/readyz";
            Command readyz = Command.of("curl", "-sk", "--max-time", "5", url).readOnly();
            List<String> failing = List.of();
            Poll lbPoll = new Poll(ctx.options.healthTimeout());
            List<Machine> pending = ctx.cluster.machines();
            do {
                // a just-added backend may still be failing its first health checks: retry only the failing hosts
                var outcomes = Parallel.map(pending, ctx.cluster.ssh().concurrency(), m -> {
                    CommandResult r = ctx.host(m).run(readyz);
                    return r.ok() && r.stdout().trim().equals("ok") ? null : "exit " + r.exitCode();
                });
                failing = outcomes.stream().filter(o -> !o.ok() || o.value() != null)
                        .map(o -> o.item().hostname() + " (" + (o.ok() ? o.value() : o.error().getMessage()) + ")")
                        .collect(Collectors.toList());
                pending = outcomes.stream().filter(o -> !o.ok() || o.value() != null).map(Parallel.Outcome::item)
                        .collect(Collectors.toList());
            } while (!pending.isEmpty() && lbPoll.again());
            if (!failing.isEmpty()) {
                throw new ApplyException(PHASE, null, "GET " + url + " did not answer 'ok' on " + failing,
                        ctx.completed(), List.of(), null);
            }
            verified.add("GET " + url + " answers ok on all " + ctx.cluster.machines().size() + " hosts");
        }
        return verified;
    }
}
