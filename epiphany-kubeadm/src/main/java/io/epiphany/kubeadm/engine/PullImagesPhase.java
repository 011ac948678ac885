package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.HostSetupFiles;
import java.util.ArrayList;
import java.util.List;

/**
 * The control-plane images pulled on every master that is about to run {@code kubeadm init} or join, all at once and
 * before the first one starts: the pulls are the slow part of a control-plane start and would otherwise happen one
 * master at a time inside the joins. The registry is the cluster's {@code imageRepository} (a mirror when set). The
 * config holds a ClusterConfiguration only: no token, nothing secret.
 */
final class PullImagesPhase implements Phase {
    @Override
    public String title() {
        return "Pull control-plane images";
    }

    @Override
    public Work prepare(Context ctx) {
        if (!ctx.cluster.hostPreparation().enabled()) {
            return Work.none();
        }
        List<Step> steps = new ArrayList<>();
        String registry = ctx.cluster.imageRepository().orElse("registry.k8s.io");
        for (Machine m : ctx.cluster.masters()) {
            HostFacts f = ctx.facts.host(m);
            if (f.member() || f.controlPlane().isPresent()) {
                continue;
            }
            steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.PREPARE_HOST,
                    "kubeadm config images pull for " + ctx.cluster.version() + " from " + registry, null), () -> {
                        RemoteHost h = ctx.host(m);
                        h.upload(RemoteFile.of(HostSetupFiles.IMAGES_CONFIG_PATH, HostSetupFiles.imagesConfig(ctx.cluster),
                                0600));
                        h.run(HostCommands.kubeadm("config", "images", "pull", "--config",
                                HostSetupFiles.IMAGES_CONFIG_PATH)).orThrow();
                    }));
        }
        return Work.inParallel(steps);
    }
}
