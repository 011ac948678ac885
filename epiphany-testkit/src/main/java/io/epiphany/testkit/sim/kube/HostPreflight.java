package io.epiphany.testkit.sim.kube;

import java.io.IOException;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.api.KubernetesVersion;
import io.epiphany.testkit.sim.Containerd;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED kubeadm preflight checks of the host itself, shared by init and join, with kubeadm's messages
 * (kubernetes/kubernetes cmd/kubeadm/app/preflight/checks.go; the CRI text from cmd/kubeadm/app/util/runtime):
 * <ul>
 *   <li>{@code CRI}: the runtime must serve the CRI (containerd stopped, or running with the cri plugin disabled);
 *   <li>{@code FileContent--proc-sys-net-bridge-bridge-nf-call-iptables}: "does not exist" without br_netfilter,
 *       "contents are not set to 1" with it at 0;
 *   <li>{@code Swap}: only a WARNING in current kubeadm ("swap is supported for cgroup v2 only. The kubelet must be
 *       properly configured to use swap..."), but the kubelet's failSwapOn then refuses to start
 *       ({@link Containerd#kubeletRefusal}), so init/join still fail;
 *   <li>{@code SystemVerification} on cgroup v1: an ERROR from kubeadm 1.35 (the kubelet's failCgroupV1 defaults to
 *       true, KEP-5573), the "maintenance mode" WARNING before;
 *   <li>{@code Service-Kubelet}: a WARNING when the kubelet unit is not enabled.
 * </ul>
 */
final class HostPreflight {
    static final String SOCKET = "unix:///var/run/containerd/containerd.sock";

    private HostPreflight() {}

    /** Adds this host's errors (without the "[ERROR " prefix, as {@link Kubeadm#preflightErrors} wants them). */
    static void check(Invocation inv, List<String> errors) {
        SimulationState.Host h = inv.host().host(x -> x);
        criProblem(h).ifPresent(p -> errors.add("CRI]: " + p));
        String bridge = h.sysctls.get("net.bridge.bridge-nf-call-iptables");
        String path = "/proc/sys/net/bridge/bridge-nf-call-iptables";
        if (bridge == null) {
            errors.add("FileContent--proc-sys-net-bridge-bridge-nf-call-iptables]: " + path + " does not exist");
        } else if (!bridge.equals("1")) {
            errors.add("FileContent--proc-sys-net-bridge-bridge-nf-call-iptables]: " + path
                    + " contents are not set to 1");
        }
        if (!h.swap.isEmpty()) {
            inv.err().println("\t[WARNING Swap]: swap is supported for cgroup v2 only. The kubelet must be properly "
                    + "configured to use swap. Please refer to https://kubernetes.io/docs/concepts/architecture/nodes/"
                    + "#swap-memory, or disable swap on the node");
        }
        if (h.cgroupV1) {
            boolean fails = KubernetesVersion.parse(String.valueOf(h.kubeadmVersion)).map(v -> v.atLeast(35))
                    .orElse(true);
            if (fails) {
                errors.add("SystemVerification]: cgroups v1 support is deprecated and will be removed in a future "
                        + "release. Please migrate to cgroups v2. To explicitly enable cgroups v1 support for kubelet "
                        + "v1.35 or newer, you must set the kubelet configuration option 'FailCgroupV1' to 'false'. "
                        + "You must also explicitly skip this validation. For more information, see "
                        + "https://git.k8s.io/enhancements/keps/sig-node/5573-remove-cgroup-v1");
            } else {
                inv.err().println("\t[WARNING SystemVerification]: cgroups v1 support is in maintenance mode, please "
                        + "migrate to cgroups v2");
            }
        }
        if (!h.enabled.contains("kubelet")) {
            inv.err().println("\t[WARNING Service-Kubelet]: kubelet service is not enabled, please run 'systemctl "
                    + "enable kubelet.service'");
        }
    }

    /** Why the CRI is not served, or empty. */
    static Optional<String> criProblem(SimulationState.Host h) {
        if (!h.binaries.contains("containerd") || !h.active.contains("containerd")) {
            return Optional.of("container runtime is not running: validate service connection: validate CRI v1 "
                    + "runtime API for endpoint \"" + SOCKET + "\": rpc error: code = Unavailable desc = connection "
                    + "error: desc = \"transport: Error while dialing: dial unix /var/run/containerd/containerd.sock: "
                    + "connect: no such file or directory\"");
        }
        if (!h.containerdCri) {
            return Optional.of("container runtime is not running: validate service connection: validate CRI v1 "
                    + "runtime API for endpoint \"" + SOCKET + "\": rpc error: code = Unimplemented desc = unknown "
                    + "service runtime.v1.RuntimeService");
        }
        return Optional.empty();
    }

    /**
     * After the preflight, kubeadm starts the kubelet and waits for its health endpoint: a kubelet that refuses to
     * run (swap, cgroup v1) makes that phase fail. SIMULATED simplification: it fails before kubeadm writes any file.
     */
    static Optional<String> kubeletWillNotStart(Invocation inv) {
        return Containerd.kubeletRefusal(inv.host().host(x -> x)).map(why -> "failed while waiting for the kubelet "
                + "to start: The HTTP call equal to 'curl -sSL http://127.0.0.1:10248/healthz' has failed with error: "
                + "Get \"http://127.0.0.1:10248/healthz\": dial tcp 127.0.0.1:10248: connect: connection refused "
                + "(SIMULATED kubelet log: " + why + ")");
    }

    /** The host's ip_forward: the kernel's when the root holds a real /proc (CLI transport), else the state's. */
    static void ipForward(Invocation inv, List<String> errors) throws IOException {
        String proc = "/proc/sys/net/ipv4/ip_forward";
        String value = inv.host().files().exists(proc) ? inv.host().files().readString(proc).strip()
                : inv.host().host(h -> h.ipForward);
        if (!"1".equals(value)) {
            errors.add("FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not "
                    + "set to 1");
        }
    }

    /** Preflight checks of ports and files shared by init and a control-plane join. */
    static void controlPlanePreflight(Invocation inv, List<String> errors) throws IOException {
        SimulationState.Host h = inv.host().host(x -> x);
        if (h.controlPlaneRunning) {
            errors.add("Port-6443]: Port 6443 is in use");
            errors.add("Port-10259]: Port 10259 is in use");
            errors.add("Port-10257]: Port 10257 is in use");
        }
        HostFiles f = inv.host().files();
        for (String m : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")) {
            String path = ControlPlane.MANIFESTS + "/" + m + ".yaml";
            if (f.exists(path)) {
                errors.add("FileAvailable--etc-kubernetes-manifests-" + m + ".yaml]: " + path + " already exists");
            }
        }
        if (h.active.contains("kubelet")) {
            errors.add("Port-10250]: Port 10250 is in use");
        }
        if (h.controlPlaneRunning) {
            errors.add("Port-2379]: Port 2379 is in use");
            errors.add("Port-2380]: Port 2380 is in use");
        }
        if (!f.list("/var/lib/etcd").isEmpty()) {
            errors.add("DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty");
        }
    }
}
