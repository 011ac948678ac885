package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteHost;
import java.util.ArrayList;
import java.util.List;

/**
 * kubeadm, kubelet and (on masters) kubectl at exactly the cluster's version, from the minor's repository, held so an
 * unattended upgrade cannot move them; the kubelet enabled (kubeadm's {@code Service-Kubelet} preflight). A machine
 * that is already a member only gets what is missing: changing a running kubelet's version is an upgrade, not host
 * preparation (its skew is a finding).
 */
final class PackagesPhase implements Phase {
    @Override
    public String title() {
        return "Install Kubernetes packages";
    }

    @Override
    public Work prepare(Context ctx) {
        if (!ctx.cluster.hostPreparation().enabled()) {
            return Work.none();
        }
        String wanted = ctx.cluster.version().toString();
        List<Step> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.machines()) {
            HostFacts f = ctx.facts.host(m);
            SetupFacts s = f.setup();
            List<String> packages = ctx.cluster.isMaster(m) ? List.of("kubeadm", "kubelet", "kubectl")
                    : List.of("kubeadm", "kubelet");
            List<String> install = packages.stream().filter(p -> !f.has(p)
                    || (!f.member() && !wanted.equals(f.versions().get(p)))).toList();
            boolean apt = s.os().map(OsFamily::apt).orElse(f.has("apt-get"));
            List<String> unheld = apt && s.kernelRead() ? packages.stream().filter(p -> !s.held().contains(p)).toList()
                    : List.of();
            boolean enable = s.kernelRead() && !s.enabled().contains("kubelet");
            if (install.isEmpty() && unheld.isEmpty() && !enable) {
                continue;
            }
            OsFamily os = install.isEmpty() && unheld.isEmpty() ? null : requireOs(m, s, "install " + install);
            List<String> what = new ArrayList<>();
            if (!install.isEmpty()) {
                what.add("install " + String.join(" ", new PackageManager(ctx.cluster, os, s.codename()).pinned(install))
                        + " from " + io.epiphany.kubeadm.render.HostSetupFiles.kubernetesRepository(ctx.cluster));
            }
            if (!unheld.isEmpty()) {
                what.add("hold " + String.join(" ", packages));
            }
            if (enable) {
                what.add("enable kubelet");
            }
            steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.PREPARE_HOST,
                    String.join("; ", what), null), () -> {
                        RemoteHost h = ctx.host(m);
                        if (os != null) {
                            PackageManager pm = new PackageManager(ctx.cluster, os, s.codename());
                            if (!install.isEmpty()) {
                                pm.kubernetesRepository(h, s);
                                pm.install(h, pm.pinned(install), true);
                            }
                            pm.hold(h, packages);
                        }
                        if (enable) {
                            h.run(Command.of("systemctl", "enable", "kubelet").asRoot()).orThrow();
                        }
                    }));
        }
        return Work.inParallel(steps);
    }

    /** The OS family, or a refusal naming the host and what it runs (from plan(), before any host is touched). */
    static OsFamily requireOs(Machine m, SetupFacts s, String forWhat) {
        return s.os().orElseThrow(() -> new ApplyException("Plan", m.hostname(), m.hostname() + ": cannot " + forWhat
                + ": /etc/os-release says '" + s.osName() + "'; host preparation supports Debian 12/13, Ubuntu "
                + "22.04/24.04 and the RHEL 9 family. Install the pieces yourself and set hostPreparation(false)",
                List.of(), List.of("everything: no host was changed"), null));
    }
}
