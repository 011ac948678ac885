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
 * Joins the other masters one at a time. Before each join etcd must report every member healthy; the 8 shared PKI
 * files, the encryption config and the audit policy are copied from a running master (held in memory only); after
 * the join the SDK waits until the new member is a healthy voting member, and only then adds the master to every
 * host's load balancer.
 */
final class JoinMastersPhase implements Phase {
    @Override
    public String title() {
        return "Join masters";
    }

    static List<Machine> toJoin(Context ctx) {
        List<Machine> out = new ArrayList<>();
        boolean init = !ctx.facts.clusterExists();
        for (int i = 0; i < ctx.cluster.masters().size(); i++) {
            Machine m = ctx.cluster.masters().get(i);
            if (!(init && i == 0) && !ctx.facts.joinedMaster(m)) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public List<PlannedStep> plan(Context ctx) {
        List<PlannedStep> steps = new ArrayList<>();
        int members = ctx.facts.clusterExists() ? RemoveMastersPhase.membersAfterUnreachableRemovals(ctx) : 1;
        String source = ctx.source().map(Machine::hostname).orElse(ctx.cluster.masters().get(0).hostname());
        int hosts = ctx.cluster.machines().size();
        for (Machine m : toJoin(ctx)) {
            String cleanup = ctx.facts.member(m).isPresent() ? "remove its stale etcd member, " : "";
            cleanup += ctx.facts.host(m).kubeletConf() ? "kubeadm reset -f (an earlier join stopped half-way), " : "";
            steps.add(new PlannedStep(title(), m.hostname(), cleanup + "copy the 8 shared PKI files, encryption config "
                    + "and audit policy from " + source + "; kubeadm join --control-plane after etcd reports every member "
                    + "healthy; wait until its member is healthy", Phases.quorumChange(members, members + 1)
                    + (members + 1 == 2 ? " (2 members only until the next master joins)" : "")));
            if (!ctx.cluster.loadBalancer().isExternal()) {
                steps.add(new PlannedStep(title(), Context.CLUSTER, "add " + m.hostname() + " to the load balancers of "
                        + hosts + " hosts", null));
            }
            members++;
        }
        return steps;
    }

    @Override
    public void run(Context ctx) {
        List<PlannedStep> steps = plan(ctx);
        int i = 0;
        for (Machine m : toJoin(ctx)) {
            PlannedStep join = steps.get(i++);
            ctx.step(join, () -> joinOne(ctx, m));
            if (!ctx.cluster.loadBalancer().isExternal()) {
                ctx.backends.add(m);
                LoadBalancerPhase.updateBackends(ctx, steps.get(i++));
            }
        }
    }

    private void joinOne(Context ctx, Machine m) {
        Machine source = ctx.requireSource(title());
        RemoteHost src = ctx.host(source);
        Optional<EtcdMember> stale = EtcdHealth.members(ctx).stream().filter(e -> e.isPeer(m.ip())).findFirst();
        if (stale.isPresent()) {
            // a member added by an earlier, failed join counts against quorum without serving: remove it first
            src.run(HostCommands.etcdctl("member", "remove", stale.get().idHex())).orThrow();
        }
        EtcdHealth.requireAllHealthy(ctx, title(), m.hostname());
        Joining.ensureCredentials(ctx, title());
        RemoteHost target = ctx.host(m);
        for (String relative : KubePaths.SHARED_PKI) {
            copy(ctx, src, target, KubePaths.pki(ctx.cluster, relative), relative.endsWith(".key") ? 0600 : 0644);
        }
        for (String path : KubePaths.sharedConfigFiles(ctx.cluster)) {
            copy(ctx, src, target, path, path.equals(ctx.cluster.encryption().configFile()) ? 0600 : 0644);
        }
        Joining.join(ctx, m);
        EtcdHealth.awaitVotingMember(ctx, title(), m);
    }

    private static void copy(Context ctx, RemoteHost from, RemoteHost to, String path, int mode) {
        byte[] content = from.read(path).orElseThrow(() -> new ApplyException("Join masters", from.hostname(),
                path + " is missing on the master the shared files are copied from", ctx.completed(), ctx.notDone(),
                null));
        to.upload(RemoteFile.of(path, content, mode).secret());
    }
}
