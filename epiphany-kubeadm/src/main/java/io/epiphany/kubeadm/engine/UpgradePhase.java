package io.epiphany.kubeadm.engine;

import io.epiphany.api.KubernetesVersion;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A rolling upgrade to the described {@code kubernetesVersion}: one minor at a time ({@link UpgradePath}); in each hop
 * the masters one at a time ({@code kubeadm upgrade apply} on the first, {@code upgrade node} on the others, each
 * gated on its API server and every etcd member before and after, drained from every host's HAProxy while its API
 * server restarts), then the workers in batches. Facts decide every step, so an interrupted upgrade is planned again
 * from where the machines are: a master whose API server already runs the hop's version only gets its kubelet, a
 * machine the SDK drained is uncordoned. Refusals come from {@code plan()} ({@link UpgradePreflight}, all at once).
 */
final class UpgradePhase implements Phase {
    static final String TITLE = "Upgrade";

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public Work prepare(Context ctx) {
        Optional<KubernetesVersion> running = ctx.facts.stored().flatMap(s -> KubernetesVersion.parse(s.kubernetesVersion()));
        if (running.isEmpty() || ctx.facts.apiMaster().isEmpty()) {
            return Work.none();
        }
        KubernetesVersion target = ctx.cluster.version();
        List<KubernetesVersion> hops = UpgradePath.hops(running.get(), target);
        List<List<Step>> stages = new ArrayList<>();
        // an interrupted hop first: machines behind the version the cluster already runs
        stages.addAll(hop(ctx, UpgradeHop.exact(running.get()), false));
        for (KubernetesVersion h : hops) {
            stages.addAll(hop(ctx, h.equals(target) ? UpgradeHop.exact(h) : UpgradeHop.newestPatch(h), true));
        }
        if (stages.isEmpty()) {
            return Work.none();
        }
        UpgradePreflight.check(ctx, running.get(), target, hops.isEmpty() ? running.get() : hops.get(0),
                UpgradePreflight.estimate(ctx, stages.size()));
        if (!hops.isEmpty()) {
            stages.add(0, List.of(UpgradeSteps.snapshot(ctx, running.get(), target)));
        }
        return Work.inStages(stages);
    }

    /** The steps of one hop; {@code fresh}: the cluster is not at this version yet, so every machine takes it. */
    private static List<List<Step>> hop(Context ctx, UpgradeHop hop, boolean fresh) {
        List<List<Step>> stages = new ArrayList<>();
        KubernetesVersion v = hop.version();
        String to = hop.describe();
        Machine first = ctx.facts.apiMaster().flatMap(ctx.cluster::machine).orElse(ctx.cluster.masters().get(0));
        List<Machine> masters = new ArrayList<>(List.of(first));
        ctx.cluster.masters().stream().filter(m -> !m.equals(first)).forEach(masters::add);
        for (Machine m : masters) {
            boolean controlPlane = fresh || apiserverBehind(ctx, m, v);
            boolean kubelet = fresh || kubeletBehind(ctx, m, v);
            if (!controlPlane && !kubelet) {
                continue;
            }
            boolean apply = fresh && m.equals(first);
            String action = (controlPlane ? (apply ? "kubeadm upgrade apply " + to : "kubeadm upgrade node")
                    + " (kubeadm " + to + ", API server drained from every load balancer meanwhile); " : "")
                    + (kubelet ? "drain, kubelet and kubectl " + to + ", restart kubelet, Ready, uncordon" : "")
                    + (apply && !to.equals(v.toString()) ? "; " + UpgradeHop.NEWEST_PATCH : "");
            stages.add(List.of(new Step(PlannedStep.of(TITLE, m.hostname(), PlannedStep.Kind.UPGRADE, "→ " + to + ": "
                    + action, null), () -> UpgradeSteps.master(ctx, m, hop, controlPlane, apply, kubelet))));
        }
        List<Machine> workers = ctx.cluster.nodes().stream().filter(m -> fresh || kubeletBehind(ctx, m, v)).toList();
        int batch = Math.max(1, (int) Math.ceil(ctx.cluster.nodes().size() * ctx.options.upgradeMaxUnavailablePercent()
                / 100.0));
        for (int i = 0; i < workers.size(); i += batch) {
            List<Machine> group = workers.subList(i, Math.min(workers.size(), i + batch));
            List<Step> stage = new ArrayList<>();
            for (Machine m : group) {
                stage.add(new Step(PlannedStep.of(TITLE, m.hostname(), PlannedStep.Kind.UPGRADE, "→ " + to
                        + ": batch " + (i / batch + 1) + " of " + (workers.size() + batch - 1) / batch + " (" + group.size()
                        + " at once): kubeadm " + to + ", kubeadm upgrade node, drain, kubelet " + to
                        + ", restart kubelet, Ready, uncordon", null), () -> UpgradeSteps.worker(ctx, m, hop)));
            }
            stages.add(stage);
        }
        return stages;
    }

    private static boolean apiserverBehind(Context ctx, Machine m, KubernetesVersion v) {
        return ctx.facts.controlPlane(m).map(cp -> cp.images().getOrDefault("kube-apiserver", ""))
                .flatMap(UpgradePath::imageVersion).map(running -> running.compareTo(v) < 0).orElse(false);
    }

    /** Behind: the Node's kubelet is older, or the SDK drained it for an upgrade and has not uncordoned it yet. */
    private static boolean kubeletBehind(Context ctx, Machine m, KubernetesVersion v) {
        return ctx.facts.node(m.hostname()).map(n -> n.annotations().containsKey(UpgradeSteps.DRAINED)
                || KubernetesVersion.parse(n.kubeletVersion()).map(k -> k.compareTo(v) < 0).orElse(false))
                .orElse(false);
    }
}
