package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.HostSetupFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the kernel must offer before kubeadm runs, now and after a reboot: swap off (the kubelet refuses to start with
 * swap unless told otherwise), the {@code overlay} and {@code br_netfilter} modules, and the bridge and forwarding
 * sysctls at 1 (kubeadm's preflight). One step per host that lacks any of it, every host at once.
 */
final class KernelPhase implements Phase {
    static final String FSTAB = "/etc/fstab";

    @Override
    public String title() {
        return "Prepare kernel";
    }

    @Override
    public Work prepare(Context ctx) {
        if (!ctx.cluster.hostPreparation().enabled()) {
            return Work.none();
        }
        List<Step> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.machines()) {
            SetupFacts f = ctx.facts.host(m).setup();
            if (!f.kernelRead()) {
                continue; // a member: prepared before it joined (see SetupFactsReader)
            }
            List<String> what = new ArrayList<>();
            List<java.util.function.Consumer<RemoteHost>> actions = new ArrayList<>();
            if (!f.swapDevices().isEmpty()) {
                what.add("swap off (" + String.join(", ", f.swapDevices()) + ")");
                actions.add(h -> h.run(Command.of("swapoff", "-a").asRoot()).orThrow());
            }
            if (!f.fstabSwapLines().isEmpty()) {
                String fstab = withoutSwap(f.fstab().orElseThrow());
                what.add("comment out " + f.fstabSwapLines().size() + " swap line(s) in " + FSTAB);
                actions.add(h -> h.upload(RemoteFile.of(FSTAB, fstab, 0644)));
            }
            List<String> missing = HostSetupFiles.MODULES.stream().filter(x -> !f.modules().contains(x)).toList();
            if (!missing.isEmpty()) {
                what.add("load " + String.join(", ", missing));
                missing.forEach(module -> actions.add(h -> h.run(Command.of("modprobe", module).asRoot()).orThrow()));
            }
            if (!f.fileIs(HostSetupFiles.MODULES_PATH, HostSetupFiles.modules())) {
                what.add("persist modules in " + HostSetupFiles.MODULES_PATH);
                actions.add(h -> h.upload(RemoteFile.of(HostSetupFiles.MODULES_PATH, HostSetupFiles.modules(), 0644)));
            }
            if (!f.sysctlsReady() || !f.fileIs(HostSetupFiles.SYSCTL_PATH, HostSetupFiles.sysctl())) {
                String unset = HostSetupFiles.SYSCTLS.stream().filter(k -> !"1".equals(f.sysctls().get(k)))
                        .map(k -> k + "=1").collect(Collectors.joining(", "));
                what.add((unset.isEmpty() ? "persist the sysctls" : "set " + unset) + " in " + HostSetupFiles.SYSCTL_PATH);
                actions.add(h -> {
                    h.upload(RemoteFile.of(HostSetupFiles.SYSCTL_PATH, HostSetupFiles.sysctl(), 0644));
                    h.run(Command.of("sysctl", "-p", HostSetupFiles.SYSCTL_PATH).asRoot()).orThrow();
                });
            }
            if (!what.isEmpty()) {
                steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.PREPARE_HOST,
                        String.join("; ", what), null), () -> {
                            RemoteHost h = ctx.host(m);
                            actions.forEach(a -> a.accept(h));
                        }));
            }
        }
        return Work.inParallel(steps);
    }

    /** {@code /etc/fstab} with every active swap line commented out, marked so a reader sees who did it. */
    static String withoutSwap(String fstab) {
        StringBuilder b = new StringBuilder();
        fstab.lines().forEach(l -> b.append(SetupFacts.isSwapLine(l) ? "#epiphany: " + l : l).append('\n'));
        return b.toString();
    }
}
