package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.util.List;
import java.util.Optional;

/**
 * The control-plane static pods' containers of a SIMULATED host as {@code crictl} sees them: one running container
 * per component while the kubelet runs the static pods, with an ID derived from the host, the component and how often
 * it was restarted. {@code crictl stop <id>} stops one; the kubelet starts it again at once (restartPolicy Always;
 * the real kubelet's first back-off is 10 s), so the new process reads the certificates on disk now, and the ID
 * changes. The etcd container keeps the ID scheme of {@link Crictl#containerId}.
 */
final class StaticPodContainers {
    /** The control-plane containers besides etcd. */
    static final List<String> OTHERS = List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler");

    private StaticPodContainers() {}

    static Optional<String> running(HostContext host, String component) {
        return host.store().read(s -> {
            SimulationState.Host h = s.hosts.get(host.hostname());
            if (s.kube == null || h == null || !h.up || !h.controlPlaneRunning) {
                return Optional.<String>empty();
            }
            return Optional.of(id(host.hostname(), component, h.containerRestarts.getOrDefault(component, 0)));
        });
    }

    private static String id(String hostname, String component, int restarts) {
        return Kubeadm.sha256("SIMULATED " + component + " container " + hostname + " #" + restarts);
    }

    /** {@code crictl stop <id>...}: each running control-plane container stopped, then started again by the kubelet. */
    static int stop(Invocation inv, List<String> w) {
        List<String> ids = w.subList(1, w.size()).stream().filter(x -> !x.startsWith("-")).toList();
        if (ids.isEmpty()) {
            inv.err().println("FATA[0000] ID cannot be empty");
            return 1;
        }
        HostContext host = inv.host();
        for (String id : ids) {
            Optional<String> component = OTHERS.stream()
                    .filter(c -> running(host, c).filter(r -> r.startsWith(id)).isPresent()).findFirst();
            boolean etcd = component.isEmpty() && Crictl.runningEtcd(host).filter(r -> r.startsWith(id)).isPresent();
            if (component.isEmpty() && !etcd) {
                inv.err().println("FATA[0000] stopping the container \"" + id + "\": rpc error: code = NotFound desc "
                        + "= an error occurred when try to find container \"" + id + "\": not found");
                return 1;
            }
            host.store().update(s -> {
                SimulationState.Host h = s.hosts.get(host.hostname());
                if (etcd) {
                    h.etcdStopped = true; // startStaticPods below brings it back with a new ID
                } else {
                    h.containerRestarts.merge(component.get(), 1, Integer::sum);
                }
                return null;
            });
            ControlPlane.startStaticPods(host);
            if (component.filter("kube-apiserver"::equals).isPresent()) {
                EncryptionAtRest.apiserverStarted(host); // the new process reads its encryption config
            }
            inv.out().println(id);
        }
        return 0;
    }
}
