package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Joins the other masters one at a time, as {@link Membership} orders them. Before each join etcd must report every
 * member healthy; the 8 shared PKI files, the encryption config and the audit policy are copied from a running
 * master (held in memory only); after the join the SDK waits until the new member is a healthy voting member and its
 * API server answers {@code /readyz}, and only then adds the master to every host's load balancer.
 */
final class JoinMastersPhase implements Phase {
    @Override
    public String title() {
        return "Join masters";
    }

    @Override
    public Work prepare(Context ctx) {
        List<Step> steps = new ArrayList<>();
        String source = ctx.source().map(Machine::hostname).orElse(ctx.cluster.masters().get(0).hostname());
        List<Membership.Change> joins = ctx.membership().joins;
        for (int i = 0; i < joins.size(); i++) {
            Membership.Change join = joins.get(i);
            Machine m = join.machine();
            List<Machine> pending = joins.subList(i, joins.size()).stream().map(Membership.Change::machine).toList();
            String cleanup = ctx.facts.member(m).isPresent() ? "remove its stale etcd member, " : "";
            cleanup += ctx.facts.host(m).kubeletConf() ? "kubeadm reset -f (an earlier join stopped half-way), " : "";
            steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.JOIN, cleanup + "copy the 8 "
                    + "shared PKI files, encryption config and audit policy from " + source + "; kubeadm join "
                    + "--control-plane after etcd reports every member healthy; wait until its member is healthy and "
                    + "its API server ready",
                    join.quorum()), () -> joinOne(ctx, join, pending)));
            if (!ctx.cluster.loadBalancer().isExternal()) {
                steps.add(LoadBalancerPhase.backendsStep(ctx, title(), "add " + m.hostname()
                        + " to the load balancers of " + ctx.cluster.machines().size() + " hosts (one exec each: the"
                        + " checked file, then HAProxy's runtime API, or a reload where it refuses)"));
            }
        }
        return Work.inOrder(steps);
    }

    private void joinOne(Context ctx, Membership.Change join, List<Machine> pending) {
        Machine m = join.machine();
        Machine source = ctx.requireSource(title());
        RemoteHost src = ctx.host(source);
        Optional<EtcdMember> stale = ctx.liveMembers(title()).stream().filter(e -> e.isPeer(m.ip())).findFirst();
        if (stale.isPresent()) {
            // a member added by an earlier, failed join counts against quorum without serving: remove it first
            Machine via = ctx.etcdHost(title());
            Etcd.run(ctx.cluster, ctx.host(via), false, "member", "remove", stale.get().idHex()).orThrow();
        }
        Membership.checkLive(ctx, title(), join, pending);
        Joining.ensureCredentials(ctx, title());
        RemoteHost target = ctx.host(m);
        for (String relative : KubePaths.SHARED_PKI) {
            copy(ctx, src, target, KubePaths.pki(ctx.cluster, relative), relative.endsWith(".key") ? 0600 : 0644);
        }
        for (String path : KubePaths.sharedConfigFiles(ctx.cluster)) {
            copy(ctx, src, target, path, path.equals(ctx.cluster.encryption().configFile()) ? 0600 : 0644);
        }
        Joining.join(ctx, m);
        Health.awaitVotingMember(ctx, title(), m);
        // HAProxy counts a server it has just been given as up before its first check, and in TCP mode it cannot move
        // a connection the backend accepted but does not answer: a master takes traffic only once its API server is
        // ready
        Health.awaitMaster(ctx, title(), m, "kubeadm join finished and its etcd member is healthy");
        ctx.backends.add(m);
    }

    static void copy(Context ctx, RemoteHost from, RemoteHost to, String path, int mode) {
        byte[] content = from.read(path).orElseThrow(() -> new ApplyException("Join masters", from.hostname(),
                path + " is missing on the master the shared files are copied from", ctx.completed(), ctx.notDone(),
                null));
        to.upload(RemoteFile.of(path, content, mode).secret());
    }
}
