package io.epiphany.testkit.sim.kube;

import static io.epiphany.testkit.sim.kube.Kubeadm.phaseError;

import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.RealEtcd;
import io.epiphany.testkit.sim.RealOsMode;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED control-plane part of {@code kubeadm join}: the shared-certificate check, the node's PKI and kubeconfigs,
 * check-etcd, the learner etcd member added and promoted (through the REAL etcd on a real-OS fleet), the apiserver
 * wait and the control-plane Node.
 */
final class KubeadmJoinControlPlane extends KubeadmSubcommand {
    KubeadmJoinControlPlane(Invocation inv) {
        super(inv);
    }

    /**
     * Why this host cannot host a new control-plane instance (kubeadm's checks: a stable controlPlaneEndpoint and the
     * shared certificates present), or empty.
     */
    static Optional<String> notReady(HostContext host, HostFiles f, String clusterCaPem) throws IOException {
        String endpoint = host.store().read(s -> s.kube.controlPlaneEndpoint);
        if (endpoint == null || endpoint.isEmpty()) {
            return Optional.of("unable to add a new control plane instance a cluster that doesn't have a stable "
                    + "controlPlaneEndpoint address");
        }
        List<String> failures = new ArrayList<>();
        String[][] groups = {{"ca", "CA"}, {"sa", "service account"}, {"front-proxy-ca", "front-proxy CA"},
            {"etcd/ca", "etcd CA"}};
        for (String[] g : groups) {
            boolean sa = g[0].equals("sa");
            String first = ControlPlane.PKI + "/" + g[0] + (sa ? ".key" : ".crt");
            String second = ControlPlane.PKI + "/" + g[0] + (sa ? ".pub" : ".key");
            if (!f.exists(first)) {
                failures.add("failure loading " + (sa ? "key" : "certificate") + " for " + g[1] + ": couldn't "
                        + "load the " + (sa ? "private key" : "certificate") + " file " + first + ": open "
                        + first + ": no such file or directory");
            } else if (!f.exists(second)) {
                failures.add("failure loading " + (sa ? "key" : "key") + " for " + g[1] + ": couldn't load the "
                        + (sa ? "public key" : "private key") + " file " + second + ": open " + second
                        + ": no such file or directory");
            }
        }
        if (failures.isEmpty() && !f.readString(ControlPlane.PKI + "/ca.crt").equals(clusterCaPem)) {
            failures.add("failure loading certificate for CA: /etc/kubernetes/pki/ca.crt is not the CA of "
                    + "this cluster (SIMULATED check)");
        }
        if (failures.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(failures.size() == 1 ? failures.get(0) : "[" + String.join(", ", failures) + "]");
    }

    int run(KubeadmConfig joinConfig, String name, String advertise, String version, Instant now) throws IOException {
        HostFiles f = host.files();
        KubeadmConfig cluster = KubeadmConfig.clusterOnly(host.store().read(s -> s.kube.clusterConfiguration));
        String endpoint = host.store().read(s -> s.kube.controlPlaneEndpoint);
        ControlPlane.NodeSpec spec = new ControlPlane.NodeSpec(name, advertise, cluster.apiServerCertSans(),
                endpoint, host.store().read(s -> s.kube.clusterName),
                cluster.cluster("encryptionAlgorithm").orElse("RSA-2048"));
        inv.out().println("[certs] Using certificateDir folder \"/etc/kubernetes/pki\"");
        ControlPlane.writeNodePki(f, spec, now);
        ControlPlane.writeKubeconfigs(f, spec, false, now);
        KubeletPki.issue(host, name, now);
        inv.out().println("[check-etcd] Checking that the etcd cluster is healthy");
        Optional<String> unhealthy = host.store().read(s -> s.kube.members.stream()
                .filter(m -> !m.learner || ClusterAccess.memberRunning(s, m))
                .filter(m -> !ClusterAccess.memberRunning(s, m)).map(m -> m.clientUrl).findFirst());
        if (unhealthy.isEmpty() && RealOsMode.enabled()) {
            // real-OS fleet only: the members are REAL etcd processes, ask them (one may have been stopped)
            unhealthy = RealEtcd.firstUnanswered(host.store().read(s -> s.kube.members.stream()
                    .filter(m -> !m.learner).map(m -> m.clientUrl).toList()));
        }
        if (unhealthy.isPresent()) {
            // kubeadm's check-etcd phase asks every member for its status (etcdutil getClusterStatus)
            return phaseError(inv, "check-etcd", "etcd cluster is not healthy: failed to get etcd status for "
                    + unhealthy.get() + ": failed to dial endpoint " + unhealthy.get() + " with maintenance "
                    + "client: context deadline exceeded");
        }
        List<String> initial = host.store().read(s -> s.kube.members.stream()
                .map(m -> m.name + "=" + m.peerUrl).toList());
        List<String> withSelf = new ArrayList<>(initial);
        withSelf.add(name + "=https://" + advertise + ":2380");
        RealEtcd.Added real = null;
        if (RealOsMode.enabled()) {
            // real-OS fleet only: as kubeadm, add the member to the REAL etcd first and start it with the
            // cluster that etcd answers (the member list it must find when it starts with state "existing")
            List<String> others = host.store().read(s -> s.kube.members.stream().map(m -> m.clientUrl).toList());
            try {
                real = RealEtcd.addLearner(others, name, "https://" + advertise + ":2380");
            } catch (IllegalStateException e) {
                return phaseError(inv, "etcd-join", "error creating local etcd static pod manifest file: "
                        + e.getMessage());
            }
            withSelf = real.initialCluster();
        }
        ControlPlane.writeManifests(f, spec, cluster, version, withSelf, true,
                host.store().read(s -> s.etcdVersion));
        boolean added = host.store().update(s -> {
            if (!ClusterAccess.quorum(s)) {
                return false;
            }
            SimulationState.Member m = localMember(name, advertise);
            m.id = EtcdIds.newMemberId(s.kube, m);
            m.learner = true;
            s.kube.members.add(m);
            s.kube.history.add("member add --learner " + name);
            SimulationState.Host h = s.hosts.get(host.hostname());
            h.active.add("kubelet");
            h.enabled.add("kubelet");
            return true;
        });
        if (!added) {
            return phaseError(inv, "etcd-join", "error creating local etcd static pod manifest file: "
                    + "etcdserver: unhealthy cluster");
        }
        inv.out().println("[etcd] Announced new etcd member joining to the existing etcd cluster");
        RealOsMode.kubeletActive(true);
        ControlPlane.startStaticPods(host);
        if (real != null) {
            List<String> others = host.store().read(s -> s.kube.members.stream()
                    .filter(m -> !m.host.equals(host.hostname())).map(m -> m.clientUrl).toList());
            try {
                RealEtcd.promote(others, real.idHex());
            } catch (IllegalStateException e) {
                return phaseError(inv, "etcd-join", e.getMessage());
            }
        }
        host.store().update(s -> {
            s.kube.members.stream().filter(m -> m.host.equals(host.hostname()) && m.learner).forEach(m -> {
                m.learner = false;
                s.kube.history.add("member promote " + name);
            });
            return null;
        });
        inv.out().println("[etcd] Waiting for the new etcd member to join the cluster. This can take up to 40s");
        List<String> missing = ControlPlane.missingApiserverFiles(f);
        if (!missing.isEmpty()) {
            return Kubeadm.apiserverRefused(inv, advertise);
        }
        String ip = host.host(h -> h.ip);
        host.store().update(s -> {
            s.kube.nodes.put(name, Nodes.node(name, host.hostname(), ip, true,
                    joinConfig.taints("JoinConfiguration", true), s.hosts.get(host.hostname()).installedKubelet(),
                    now));
            return null;
        });
        inv.out().println("\nThis node has joined the cluster and a new control plane instance was created:\n");
        inv.out().println("* Certificate signing request was sent to apiserver and approval was received.");
        inv.out().println("* The Kubelet was informed of the new secure connection details.");
        inv.out().println("* Control plane label and taint were applied to the new node.");
        inv.out().println("* The Kubernetes control plane instances scaled up.");
        inv.out().println("* A new etcd member was added to the local/stacked etcd cluster.");
        return 0;
    }
}
