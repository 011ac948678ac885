package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.util.List;

/** One run of a SIMULATED kubeadm subcommand that spans several methods: the invocation and its host. */
abstract class KubeadmSubcommand {
    final Invocation inv;
    final HostContext host;

    KubeadmSubcommand(Invocation inv) {
        this.inv = inv;
        this.host = inv.host();
    }

    /**
     * The start of init's and join's preflight: the root check, then {@code --config}; the config, or null once
     * kubeadm's error is printed (exit code 1).
     */
    KubeadmConfig preflightConfig() throws IOException {
        inv.out().println("[preflight] Running pre-flight checks");
        if (!inv.root()) {
            Kubeadm.preflightErrors(inv, List.of("IsPrivilegedUser]: user is not running as root"));
            return null;
        }
        return Kubeadm.readConfig(inv);
    }

    /** The etcd member this host runs: its peer URL on 2380 and client URL on 2379 of {@code advertise}. */
    SimulationState.Member localMember(String name, String advertise) {
        SimulationState.Member m = new SimulationState.Member();
        m.name = name;
        m.host = host.hostname();
        m.peerUrl = "https://" + advertise + ":2380";
        m.clientUrl = "https://" + advertise + ":2379";
        return m;
    }
}
