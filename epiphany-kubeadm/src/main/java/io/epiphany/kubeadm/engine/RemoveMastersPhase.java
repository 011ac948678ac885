package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.CommandResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Masters the cluster reports that the description no longer has, removed one at a time and only while etcd keeps
 * quorum: refuse unless every other member is healthy; move etcd leadership off it; take it out of every host's
 * load balancer; drain; {@code kubeadm reset -f} on it; confirm with {@code etcdctl member list} that its member is
 * gone (kubeadm exits 0 even when removal failed) and remove it by ID if not; then delete its Node. A dead master is
 * removed only with the force option, and the machine itself is not cleaned.
 */
final class RemoveMastersPhase implements Phase {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Unreachable masters go before joins (a dead member only costs quorum); live ones after (replace, then remove). */
    private final boolean unreachable;

    private RemoveMastersPhase(boolean unreachable) {
        this.unreachable = unreachable;
    }

    /** Removes masters that cannot be reached (force option): runs before new masters join. */
    static RemoveMastersPhase unreachable() {
        return new RemoveMastersPhase(true);
    }

    /** Removes reachable masters: runs after new masters joined, so tolerance never drops below the description's. */
    static RemoveMastersPhase reachable() {
        return new RemoveMastersPhase(false);
    }

    @Override
    public String title() {
        return unreachable ? "Remove unreachable masters" : "Remove masters";
    }

    List<Machine> toRemove(Context ctx) {
        return retiredMasters(ctx).stream().filter(m -> ctx.facts.host(m).reachable() != unreachable).toList();
    }

    static List<Machine> retiredMasters(Context ctx) {
        return ctx.facts.retired().stream().filter(ctx.facts::retiredMaster).toList();
    }

    /** etcd members left once the unreachable retired masters are removed (they go first). */
    static int membersAfterUnreachableRemovals(Context ctx) {
        return (int) ctx.facts.members().stream().filter(e -> retiredMasters(ctx).stream()
                .noneMatch(m -> !ctx.facts.host(m).reachable() && e.isPeer(m.ip()))).count();
    }

    @Override
    public List<PlannedStep> plan(Context ctx) {
        List<Machine> leaving = toRemove(ctx);
        List<PlannedStep> steps = new ArrayList<>();
        if (leaving.isEmpty()) {
            return steps;
        }
        List<Machine> dead = retiredMasters(ctx).stream().filter(m -> !ctx.facts.host(m).reachable()).toList();
        int members = unreachable ? ctx.facts.members().size()
                : membersAfterUnreachableRemovals(ctx) + JoinMastersPhase.toJoin(ctx).size();
        long healthy = ctx.facts.healthyMembers() + (unreachable ? 0 : JoinMastersPhase.toJoin(ctx).size());
        for (Machine m : leaving) {
            HostFacts f = ctx.facts.host(m);
            boolean memberHealthy = ctx.facts.member(m).map(EtcdMember::healthy).orElse(false);
            // members that leave in this apply anyway (dead ones, removed first) do not block the others
            List<String> unhealthyOthers = ctx.facts.members().stream()
                    .filter(e -> !e.healthy() && !e.isPeer(m.ip()))
                    .filter(e -> dead.stream().noneMatch(d -> e.isPeer(d.ip())))
                    .map(e -> e.name().isEmpty() ? e.idHex() : e.name()).toList();
            int after = members - (ctx.facts.member(m).isPresent() ? 1 : 0);
            long healthyAfter = healthy - (memberHealthy ? 1 : 0);
            int quorumAfter = after / 2 + 1;
            String numbers = "removing " + m.hostname() + " would leave " + healthyAfter + " healthy of " + after
                    + " etcd members (quorum " + quorumAfter + ")";
            if (!unhealthyOthers.isEmpty()) {
                throw refuse(m, "etcd is not fully healthy: " + ctx.facts.healthyMembers()
                        + " of " + ctx.facts.members().size() + " members healthy (unhealthy: " + unhealthyOthers
                        + "); " + numbers + "; a master is removed only when every other member is healthy");
            }
            if (after == 0 || healthyAfter < quorumAfter) {
                throw refuse(m, numbers + ", below quorum; add masters first");
            }
            if (!f.reachable() && !ctx.options.forceRemoveUnreachable()) {
                throw refuse(m, "master " + m.hostname() + " is no longer described but cannot be reached ("
                        + f.unreachable().orElse("") + "); to remove its etcd member and Node and drop it from every "
                        + "load balancer without cleaning the machine, apply with "
                        + "ApplyOptions.forceRemoveUnreachable(true)");
            }
            String quorum = Phases.quorumChange(members, after);
            if (!ctx.cluster.loadBalancer().isExternal()) {
                steps.add(new PlannedStep(title(), Context.CLUSTER, "take " + m.hostname() + " out of the load "
                        + "balancers of " + ctx.cluster.machines().size() + " hosts", null));
            }
            steps.add(new PlannedStep(title(), m.hostname(), f.reachable()
                    ? "move etcd leadership off it if it leads; drain; kubeadm reset -f; confirm its etcd member is "
                            + "gone (remove it by ID if not); delete its Node"
                    : "unreachable: remove its etcd member from a healthy master and delete its Node; the machine "
                            + "itself is NOT cleaned (run kubeadm reset -f on it before reusing it)", quorum));
            members = after;
            healthy = healthyAfter;
        }
        return steps;
    }

    private ApplyException refuse(Machine m, String why) {
        return new ApplyException(title(), m.hostname(), why, List.of(), List.of("everything: no host was changed"),
                null);
    }

    @Override
    public void run(Context ctx) {
        List<PlannedStep> steps = plan(ctx);
        int i = 0;
        for (Machine m : toRemove(ctx)) {
            if (!ctx.cluster.loadBalancer().isExternal()) {
                ctx.backends.removeIf(b -> b.hostname().equals(m.hostname()));
                LoadBalancerPhase.updateBackends(ctx, steps.get(i++));
            }
            PlannedStep remove = steps.get(i++);
            ctx.step(remove, () -> removeOne(ctx, m));
        }
    }

    private void removeOne(Context ctx, Machine m) {
        Machine source = ctx.requireSource(title());
        boolean reachable = ctx.facts.host(m).reachable();
        List<Machine> leavingNow = new java.util.ArrayList<>(List.of(m));
        leavingNow.addAll(retiredMasters(ctx).stream().filter(x -> !ctx.facts.host(x).reachable()).toList());
        EtcdHealth.requireAllHealthy(ctx, title(), m.hostname(), leavingNow);
        if (reachable) {
            moveLeadershipOff(ctx, m);
            Removal.drain(ctx, source, m);
            ctx.host(m).run(HostCommands.kubeadm("reset", "-f")).orThrow();
        }
        Optional<EtcdMember> left = EtcdHealth.members(ctx).stream().filter(e -> e.isPeer(m.ip())).findFirst();
        if (left.isPresent()) {
            ctx.host(source).run(HostCommands.etcdctl("member", "remove", left.get().idHex())).orThrow();
        }
        Removal.deleteNode(ctx, source, m);
        if (reachable) {
            Removal.cleanHost(ctx, m, true);
        }
    }

    /** The leader is asked to hand over to another healthy member before it goes. */
    private void moveLeadershipOff(Context ctx, Machine m) {
        CommandResult status = ctx.host(m).run(HostCommands.etcdctl("endpoint", "status", "-w", "json").readOnly());
        if (!status.ok()) {
            return; // its local member does not answer: nothing to hand over
        }
        try {
            JsonNode first = JSON.readTree(status.stdout()).path(0).path("Status");
            String self = first.path("header").path("member_id").bigIntegerValue().toString(16);
            String leader = first.path("leader").bigIntegerValue().toString(16);
            if (!self.equals(leader)) {
                return;
            }
            Optional<EtcdMember> next = EtcdHealth.members(ctx).stream()
                    .filter(e -> !e.isPeer(m.ip()) && e.healthy() && !e.learner()).findFirst();
            if (next.isPresent()) {
                ctx.host(m).run(HostCommands.etcdctl("move-leader", next.get().idHex())).orThrow();
            }
        } catch (IOException e) {
            throw new IllegalStateException("etcdctl endpoint status printed something that is not JSON", e);
        }
    }
}
