package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.KubernetesVersion;
import io.epiphany.api.Machine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the SDK refuses to change on a running cluster, checked by {@code plan()} before any host is touched: another
 * cluster's machines, a different Kubernetes version (an upgrade), settings fixed at {@code kubeadm init}, an
 * encryption change that would leave Secrets unreadable, and a cluster whose etcd answers on no master.
 */
final class Guards {
    static final String PHASE = "Plan";

    private Guards() {}

    /** The name of the cluster the machines run, from the stored ClusterConfiguration. */
    static Optional<String> runningName(Facts facts) {
        return facts.stored().map(StoredConfig::clusterName).filter(n -> !n.isEmpty());
    }

    /** Refuses a description that names another cluster than the machines run. */
    static void sameCluster(Cluster cluster, Facts facts, String verb) {
        runningName(facts).filter(n -> !n.equals(cluster.name())).ifPresent(n -> {
            throw refuse(verb, "the machines run cluster '" + n + "'; this description is '" + cluster.name()
                    + "'. Nothing was changed: point the description at its own machines, or set its name to '" + n
                    + "' if this is that cluster");
        });
    }

    static void check(Context ctx) {
        Facts facts = ctx.facts;
        if (!facts.clusterExists()) {
            return;
        }
        sameCluster(ctx.cluster, facts, "plan");
        List<String> problems = new ArrayList<>();
        if (facts.etcdVia().isEmpty()) {
            problems.add("etcd did not answer on any master " + facts.etcdTried() + "; quorum may be lost. The SDK "
                    + "changes nothing while it cannot see etcd's membership: bring the masters' etcd members back "
                    + "(see the kubelet and etcd container logs) or restore from a backup");
        }
        facts.stored().ifPresent(s -> immutable(ctx, s, problems));
        encryption(ctx, problems);
        if (!problems.isEmpty()) {
            throw refuse("plan", String.join("; ", problems));
        }
    }

    private static void immutable(Context ctx, StoredConfig s, List<String> problems) {
        Cluster c = ctx.cluster;
        KubernetesVersion.parse(s.kubernetesVersion()).flatMap(running -> UpgradePath.refusal(running, c.version()))
                .ifPresent(problems::add);
        same(problems, "controlPlaneEndpoint", s.controlPlaneEndpoint(), c.loadBalancer().endpoint(),
                "it is written into every kubeconfig and certificate at kubeadm init");
        same(problems, "networking.podSubnet", s.podSubnet(), c.networking().podSubnet(),
                "Pods and the CNI already use the running one");
        same(problems, "networking.serviceSubnet", s.serviceSubnet(), c.networking().serviceSubnet(),
                "every Service IP and the API server certificate come from it");
        same(problems, "networking.dnsDomain", s.dnsDomain(), c.networking().dnsDomain(),
                "every workload's DNS names use it");
    }

    private static void same(List<String> problems, String field, String running, String described, String why) {
        if (!running.isEmpty() && !running.equals(described)) {
            problems.add(field + " is '" + running + "' on the running cluster and '" + described + "' in the "
                    + "description; it cannot be changed on a running cluster (" + why + "): set it back to '"
                    + running + "'");
        }
    }

    private static void encryption(Context ctx, List<String> problems) {
        for (Machine m : ctx.cluster.masters()) {
            Optional<String> provider = ctx.facts.controlPlane(m).flatMap(ControlPlaneFacts::encryptionProvider);
            if (provider.isEmpty()) {
                continue;
            }
            if (!ctx.cluster.encryption().enabled()) {
                problems.add(m.hostname() + " encrypts Secrets at rest (" + provider.get() + ") and the description "
                        + "turns encryption off: that would leave stored Secrets unreadable; keep encryption enabled");
                return;
            }
            String wanted = ctx.cluster.encryption().provider().yamlName();
            if (!provider.get().equals(wanted)) {
                problems.add(m.hostname() + " encrypts Secrets with " + provider.get() + " and the description asks "
                        + "for " + wanted + ": a provider change needs a key rotation that rewrites every Secret, "
                        + "which the SDK cannot do yet; keep provider " + provider.get());
                return;
            }
        }
    }

    private static ApplyException refuse(String verb, String why) {
        return new ApplyException(PHASE, null, why, List.of(), List.of("everything: no host was changed by " + verb),
                null);
    }
}
