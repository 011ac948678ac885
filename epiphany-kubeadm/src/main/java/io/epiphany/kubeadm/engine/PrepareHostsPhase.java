package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.RemoteFile;
import java.util.ArrayList;
import java.util.List;

/** Kernel settings kubeadm's preflight requires ({@code net.ipv4.ip_forward=1}), persisted under /etc/sysctl.d. */
final class PrepareHostsPhase implements Phase {
    static final String SYSCTL = "net.ipv4.ip_forward = 1\n";

    @Override
    public String title() {
        return "Prepare hosts";
    }

    @Override
    public Work prepare(Context ctx) {
        List<Step> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.machines()) {
            if (!ctx.facts.host(m).ipForward()) {
                steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.PREPARE_HOST,
                        "enable net.ipv4.ip_forward (kubeadm preflight)", null), () -> {
                            ctx.host(m).upload(RemoteFile.of(KubePaths.SYSCTL_FILE, SYSCTL, 0644));
                            ctx.host(m).run(HostCommands.applySysctl(KubePaths.SYSCTL_FILE)).orThrow();
                        }));
            }
        }
        return Work.inParallel(steps);
    }
}
