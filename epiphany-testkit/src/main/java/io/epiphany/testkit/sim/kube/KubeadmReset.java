package io.epiphany.testkit.sim.kube;

import static io.epiphany.testkit.sim.kube.Kubeadm.preflightErrors;

import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.RealEtcd;
import io.epiphany.testkit.sim.RealOsMode;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED {@code kubeadm reset -f}: removes this node's etcd member when the cluster can be asked and the Node is
 * found (skipped, with kubeadm's warning, when not), stops the kubelet and clears the node's Kubernetes directories.
 */
final class KubeadmReset extends KubeadmSubcommand {
    KubeadmReset(Invocation inv) {
        super(inv);
    }

    int run() throws IOException {
        if (!inv.args().contains("-f") && !inv.args().contains("--force")) {
            return inv.fail(1, "the SIMULATED kubeadm only supports 'kubeadm reset -f' (no prompt)");
        }
        if (!inv.root()) {
            return preflightErrors(inv, List.of("IsPrivilegedUser]: user is not running as root"));
        }
        HostFiles f = host.files();
        inv.out().println("[preflight] Running pre-flight checks");
        boolean etcdHere = f.exists(ControlPlane.MANIFESTS + "/etcd.yaml");
        if (f.exists("/etc/kubernetes/admin.conf")) {
            removeEtcdMember(f, etcdHere);
        } else {
            inv.err().println("W0101 00:00:00.000000       1 reset.go:141] [reset] Unable to fetch the "
                    + "kubeadm-config ConfigMap from cluster: failed to get config map: open "
                    + "/etc/kubernetes/admin.conf: no such file or directory");
        }
        inv.out().println("[reset] Stopping the kubelet service");
        RealOsMode.kubeletActive(false);
        if (etcdHere && RealOsMode.enabled()) {
            // real-OS fleet only: the etcd container goes before its data directory is deleted
            RealEtcd.stopped(host.hostname());
        }
        inv.out().println("[reset] Unmounting mounted directories in \"/var/lib/kubelet\"");
        f.clearDirectory("/var/lib/etcd");
        inv.out().println("[reset] Deleting contents of directories: [/etc/kubernetes/manifests "
                + "/var/lib/kubelet /etc/kubernetes/pki]");
        f.clearDirectory(ControlPlane.MANIFESTS);
        f.clearDirectory("/var/lib/kubelet");
        f.clearDirectory(ControlPlane.PKI);
        for (String conf : ControlPlane.KUBECONFIGS) {
            f.delete("/etc/kubernetes/" + conf);
        }
        host.store().update(s -> {
            SimulationState.Host h = s.hosts.get(host.hostname());
            h.active.remove("kubelet");
            h.controlPlaneRunning = false;
            h.apiserverHealthy = false;
            if (s.kube != null && s.hosts.values().stream().noneMatch(x -> x.controlPlaneRunning)) {
                s.kube = null; // the last control plane is gone with its etcd data: no cluster remains
            } else if (s.kube != null) {
                ClusterAccess.electLeader(s);
            }
            return null;
        });
        if (etcdHere) {
            // real-OS fleet only: the apiserver pod is gone, so is the real process standing in for it
            RealOsMode.staticPodsStopped(host.hostname());
        }
        inv.out().println("\nThe reset process does not clean CNI configuration. To do so, you must remove "
                + "/etc/cni/net.d\n");
        inv.out().println("The reset process does not reset or clean up iptables rules or IPVS tables.");
        return 0;
    }

    /**
     * As kubeadm: the node's registration comes from its Node object; without it the config cannot be fetched
     * and the member removal is skipped without a removal warning.
     */
    private void removeEtcdMember(HostFiles f, boolean etcdHere) throws IOException {
        String server = ControlPlane.kubeconfigServer(f.readString("/etc/kubernetes/admin.conf"));
        String url = server + "/api/v1/namespaces/kube-system/configmaps/kubeadm-config?timeout=10s";
        String warning = host.store().update(s -> {
            if (s.kube == null) {
                return "failed to get config map: Get \"" + url + "\": dial tcp: connect: connection refused";
            }
            Optional<String> apiError = ClusterAccess.apiError(s, ClusterAccess.route(s, host.hostname(), server),
                    url);
            if (apiError.isPresent()) {
                return "failed to get config map: " + apiError.get();
            }
            Optional<SimulationState.Node> node = s.kube.nodes.values().stream()
                    .filter(n -> n.host.equals(host.hostname())).findFirst();
            if (node.isEmpty()) {
                return "failed to get node registration: failed to get corresponding node: nodes \""
                        + host.hostname() + "\" not found";
            }
            if (!etcdHere) {
                return null;
            }
            String peer = "https://" + node.get().ip + ":2380";
            Optional<SimulationState.Member> member = s.kube.members.stream()
                    .filter(m -> m.peerUrl.equals(peer)).findFirst();
            if (member.isEmpty() || s.kube.members.size() == 1) {
                return null;
            }
            if (!ClusterAccess.quorum(s)) {
                return "REMOVE:etcdserver: unhealthy cluster";
            }
            s.kube.members.remove(member.get());
            s.kube.history.add("member remove " + member.get().name + " (kubeadm reset)");
            return "REMOVED";
        });
        if (warning == null) {
            return;
        }
        if (warning.equals("REMOVED") && RealOsMode.enabled()) {
            // real-OS fleet only: the member goes from the REAL etcd, through the other members' client URLs
            String self = host.host(h -> h.ip);
            List<String> others = host.store().read(s -> s.kube == null ? List.<String>of()
                    : s.kube.members.stream().filter(m -> !m.host.equals(host.hostname()))
                            .map(m -> m.clientUrl).toList());
            Optional<String> failed = RealEtcd.remove(others, "https://" + self + ":2380");
            if (failed.isPresent()) {
                warning = "REMOVE:" + failed.get();
            }
        }
        if (warning.equals("REMOVED")) {
            inv.out().println("[reset] Removing info for node from the ConfigMap \"kubeadm-config\" in the "
                    + "\"kube-system\" Namespace");
            inv.out().println("[reset] Removed the etcd member of this node from the etcd cluster");
        } else if (warning.startsWith("REMOVE:")) {
            inv.err().println("[reset] Failed to remove etcd member: " + warning.substring(7) + ", please "
                    + "manually remove this etcd member using etcdctl");
        } else {
            inv.err().println("W0101 00:00:00.000000       1 reset.go:141] [reset] Unable to fetch the "
                    + "kubeadm-config ConfigMap from cluster: " + warning);
            inv.out().println("[reset] No kubeadm config, using etcd pod spec to get data directory");
        }
    }
}
