package io.epiphany.kubeadm.engine;

import io.epiphany.api.Finding;
import io.epiphany.api.Machine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What is wrong with the running cluster, from the facts: each finding says what the plan does about it or what the
 * operator should do. A plan with findings is never "no changes".
 */
final class Findings {
    private Findings() {}

    static List<Finding> of(Context ctx) {
        List<Finding> out = new ArrayList<>();
        if (!ctx.facts.clusterExists()) {
            return out;
        }
        String version = ctx.cluster.version().toString();
        for (Machine m : ctx.cluster.machines()) {
            HostFacts f = ctx.facts.host(m);
            Optional<String> repair = Repair.problem(ctx, m);
            repair.ifPresent(p -> out.add(Finding.of(m.hostname(), p, "the plan's Repair phase "
                    + (f.isActive("kubelet") ? "restarts" : "starts") + " the kubelet and verifies the machine")));
            Optional<NodeInfo> node = ctx.facts.node(m.hostname());
            if (node.isPresent() && !node.get().ready() && repair.isEmpty()) {
                out.add(Finding.of(m.hostname(), "Node not Ready (" + node.get().readyMessage() + ")", "its kubelet "
                        + "runs: check the CNI (a Node is NotReady until a network plugin is installed) and "
                        + "`journalctl -u kubelet` on the machine"));
            }
            node.map(NodeInfo::kubeletVersion).filter(v -> !v.isEmpty() && !v.equals(version)).ifPresent(v ->
                    out.add(Finding.of(m.hostname(), "kubelet " + v + " while the cluster runs " + version,
                            "install kubelet " + version + " (version skew)")));
            RenewCertificatesPhase.findings(ctx, m, out);
        }
        out.addAll(LoadBalancerStatusReader.downFindings(ctx.cluster, ctx.facts));
        RotateEncryptionKeyPhase.findings(ctx, out);
        if (ctx.facts.stored().isEmpty()) {
            out.add(Finding.of(Context.CLUSTER, "the ClusterConfiguration in kube-system/kubeadm-config could not be "
                    + "read", "drift of control-plane settings cannot be seen until it can"));
        }
        return out;
    }
}
