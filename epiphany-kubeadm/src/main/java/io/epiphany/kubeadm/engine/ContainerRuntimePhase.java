package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.HostSetupFiles;
import java.util.ArrayList;
import java.util.List;

/**
 * containerd 2.x (the RuntimeConfig RPC kubelet 1.35+ asks for; 1.35 is the last release supporting 1.x,
 * kubernetes-2026.md), configured by the SDK (systemd cgroup driver, the sandbox image kubeadm lists for the release),
 * enabled and running. Runs after the packages, so kubeadm is there to name the sandbox image. A member's runtime is
 * left alone: restarting containerd under a running kubelet with another cgroup driver would break its pods, so a
 * difference there is a note, not a step.
 */
final class ContainerRuntimePhase implements Phase {
    @Override
    public String title() {
        return "Install container runtime";
    }

    @Override
    public Work prepare(Context ctx) {
        if (!ctx.cluster.hostPreparation().enabled()) {
            return Work.none();
        }
        List<Step> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.machines()) {
            HostFacts f = ctx.facts.host(m);
            SetupFacts s = f.setup();
            if (!s.kernelRead()) {
                continue; // a member: its runtime runs its pods, and is left alone
            }
            boolean install = !s.containerdCurrent();
            boolean configure = s.sandboxImage()
                    .map(image -> !s.fileIs(HostSetupFiles.CONTAINERD_CONFIG_PATH, HostSetupFiles.containerdConfig(image)))
                    .orElse(true);
            boolean start = !f.isActive("containerd") || !s.enabled().contains("containerd");
            if (f.member() && !install) {
                if (configure) {
                    ctx.note(m.hostname() + ": " + HostSetupFiles.CONTAINERD_CONFIG_PATH + " is not the SDK's; left "
                            + "alone on a running member");
                }
                configure = false;
            }
            if (!install && !configure && !start) {
                continue;
            }
            OsFamily os = install ? PackagesPhase.requireOs(m, s, "install containerd") : s.os().orElse(null);
            List<String> what = new ArrayList<>();
            if (install) {
                what.add("install containerd.io from " + ctx.cluster.hostPreparation().containerRuntimeRepository()
                        + s.containerdVersion().map(v -> " (found containerd " + v + ", 2.x needed)").orElse(""));
            }
            if (configure) {
                what.add("configure " + HostSetupFiles.CONTAINERD_CONFIG_PATH + " (systemd cgroup driver, sandbox "
                        + s.sandboxImage().orElse("image kubeadm lists") + ")");
            }
            what.add(configure || install ? "restart and enable containerd" : "start and enable containerd");
            boolean reconfigure = configure;
            steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.PREPARE_HOST,
                    String.join("; ", what), null), () -> {
                        RemoteHost h = ctx.host(m);
                        if (install) {
                            PackageManager pm = new PackageManager(ctx.cluster, os, s.codename());
                            pm.containerRuntimeRepository(h, s);
                            pm.install(h, List.of("containerd.io"), false);
                        }
                        if (reconfigure) {
                            h.upload(RemoteFile.of(HostSetupFiles.CONTAINERD_CONFIG_PATH,
                                    HostSetupFiles.containerdConfig(sandboxImage(ctx, m, h, s)), 0644));
                            h.run(Command.of("systemctl", "restart", "containerd").asRoot()).orThrow();
                        }
                        h.run(Command.of("systemctl", "enable", "--now", "containerd").asRoot()).orThrow();
                    }));
        }
        return Work.inParallel(steps);
    }

    /** The sandbox image from the facts, or asked of kubeadm now (it was installed by the packages phase). */
    private static String sandboxImage(Context ctx, Machine m, RemoteHost h, SetupFacts s) {
        if (s.sandboxImage().isPresent()) {
            return s.sandboxImage().get();
        }
        var r = h.run(SetupFactsReader.imagesList(ctx.cluster).readOnly());
        return SetupFactsReader.sandboxImage(r).orElseThrow(() -> new ApplyException(title(ctx), m.hostname(),
                "`kubeadm config images list` named no pause image (exit " + r.exitCode() + " " + r.stderrTail(3)
                        + "); is kubeadm " + ctx.cluster.version() + " installed?", ctx.completed(), List.of(), null));
    }

    private static String title(Context ctx) {
        return "Install container runtime";
    }
}
