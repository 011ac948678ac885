package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.CommandResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Masters the cluster reports that the description no longer has, removed one at a time as {@link Membership}
 * orders them: broken ones (their member does not serve, or the machine is unreachable) before any join, healthy ones
 * after. Each leaves every host's load balancer first; a reachable one hands etcd leadership over, is drained and
 * {@code kubeadm reset -f}; then {@code etcdctl member list} must show its member gone (kubeadm exits 0 even when
 * removal failed), else it is removed by ID; then its Node is deleted. An unreachable machine is not cleaned.
 */
final class RemoveMastersPhase implements Phase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean broken;

    private RemoveMastersPhase(boolean broken) {
        this.broken = broken;
    }

    /** Removes broken masters: runs before new masters join (a member that does not serve only costs quorum). */
    static RemoveMastersPhase broken() {
        return new RemoveMastersPhase(true);
    }

    /** Removes healthy masters: runs after new masters joined, so tolerance never drops below the description's. */
    static RemoveMastersPhase healthy() {
        return new RemoveMastersPhase(false);
    }

    @Override
    public String title() {
        return broken ? "Remove broken masters" : "Remove masters";
    }

    @Override
    public Work prepare(Context ctx) {
        List<Step> steps = new ArrayList<>();
        if (broken) {
            for (Membership.Stale stale : ctx.membership().removeStale) {
                EtcdMember e = stale.member();
                steps.add(new Step(PlannedStep.of(title(), Context.CLUSTER, PlannedStep.Kind.REMOVE, "stale etcd member "
                        + e.label() + " (peer " + String.join(",", e.peerUrls()) + "): it does not serve and no "
                        + "described or retired machine has its address; remove it (etcdctl member remove "
                        + e.idHex() + ")", stale.quorum()), () -> removeStale(ctx, e)));
            }
        }
        for (Membership.Change change : broken ? ctx.membership().removeBroken : ctx.membership().removeHealthy) {
            Machine m = change.machine();
            HostFacts f = ctx.facts.host(m);
            if (!ctx.cluster.loadBalancer().isExternal()) {
                steps.add(new Step(PlannedStep.of(title(), Context.CLUSTER, PlannedStep.Kind.LOAD_BALANCER, "take "
                        + m.hostname() + " out of the load balancers of " + ctx.cluster.machines().size()
                        + " hosts (drained, then deleted through HAProxy's runtime API, or a reload where it refuses)",
                        null), () -> {
                            ctx.backends.removeIf(b -> b.hostname().equals(m.hostname()));
                            LoadBalancerPhase.drainEverywhere(ctx, m);
                            LoadBalancerPhase.updateBackends(ctx);
                        }));
            }
            String why = !f.reachable() ? "unreachable: remove its etcd member from a healthy master and delete its "
                    + "Node; the machine itself is NOT cleaned (run kubeadm reset -f on it before reusing it)"
                    : (broken ? "its etcd member does not serve: " : "move etcd leadership off it if it leads; ")
                            + "drain; kubeadm reset -f; confirm its etcd member is gone (remove it by ID if not); "
                            + "delete its Node";
            steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.REMOVE, why, change.quorum()),
                    () -> removeOne(ctx, change)));
        }
        return Work.inOrder(steps);
    }

    private void removeOne(Context ctx, Membership.Change change) {
        Machine m = change.machine();
        Machine source = ctx.requireSource(title());
        boolean reachable = ctx.facts.host(m).reachable();
        Membership.checkLive(ctx, title(), change, List.of());
        if (reachable) {
            if (!broken) {
                moveLeadershipOff(ctx, m);
            }
            Removal.drain(ctx, source, m);
            ctx.host(m).run(HostCommands.kubeadm("reset", "-f")).orThrow();
        }
        Optional<EtcdMember> left = ctx.liveMembers(title()).stream().filter(e -> e.isPeer(m.ip())).findFirst();
        if (left.isPresent()) {
            Machine via = ctx.etcdHost(title());
            Etcd.run(ctx.cluster, ctx.host(via), false, "member", "remove", left.get().idHex()).orThrow();
        }
        Removal.deleteNode(ctx, source, m);
        if (reachable) {
            Removal.cleanHost(ctx, m, true);
        }
    }

    /**
     * On live membership, one at a time: gone already is fine; a member that serves now is no longer provably stale
     * and is left alone; removing a member that does not serve needs quorum of the members left.
     */
    private void removeStale(Context ctx, EtcdMember stale) {
        List<EtcdMember> live = ctx.liveMembers(title());
        Optional<EtcdMember> now = live.stream().filter(e -> e.idHex().equals(stale.idHex())).findFirst();
        if (now.isEmpty()) {
            return;
        }
        long healthy = live.stream().filter(EtcdMember::serving).count();
        if (!Membership.provablyStale(now.get(), live) || healthy < Membership.quorumOf(live.size() - 1)) {
            throw new io.epiphany.api.ApplyException(title(), null, "etcd member " + now.get().label() + " is no "
                    + "longer provably stale or etcd lacks quorum (" + healthy + " of " + live.size() + " healthy); "
                    + "left as it is", ctx.completed(), ctx.notDone(), null);
        }
        Etcd.run(ctx.cluster, ctx.host(ctx.etcdHost(title())), false, "member", "remove", stale.idHex()).orThrow();
    }

    /** The leader is asked to hand over to another healthy member before it goes. */
    private void moveLeadershipOff(Context ctx, Machine m) {
        CommandResult status = Etcd.run(ctx.cluster, ctx.host(m), true, "endpoint", "status", "-w", "json", "--hex");
        if (!status.ok()) {
            return; // its local member does not answer: nothing to hand over
        }
        try {
            JsonNode first = JSON.readTree(status.stdout()).path(0).path("Status");
            Optional<String> self = EtcdId.hex(first.path("header").path("member_id"));
            Optional<String> leader = EtcdId.hex(first.path("leader"));
            if (self.isEmpty() || !self.equals(leader)) {
                return;
            }
            Optional<EtcdMember> next = ctx.liveMembers(title()).stream()
                    .filter(e -> !e.isPeer(m.ip()) && e.serving()).findFirst();
            if (next.isPresent()) {
                Etcd.run(ctx.cluster, ctx.host(m), false, "move-leader", next.get().idHex()).orThrow();
            }
        } catch (IOException e) {
            throw new IllegalStateException("etcdctl endpoint status printed something that is not JSON", e);
        }
    }
}
