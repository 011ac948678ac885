package io.epiphany.testkit.sim;

import java.util.List;

/** SIMULATED {@code kubelet}: only {@code --version}; the kubelet itself runs as a unit ({@code systemctl}). */
final class Kubelet implements Program {
    @Override
    public boolean changesState(List<String> args) {
        return false;
    }

    @Override
    public int run(Invocation inv) {
        if (!inv.args().equals(List.of("--version"))) {
            return inv.fail(1, "the SIMULATED kubelet runs as a service: use systemctl; only --version is supported");
        }
        String version = inv.host().host(SimulationState.Host::installedKubelet);
        inv.out().println("Kubernetes " + version);
        return 0;
    }
}
