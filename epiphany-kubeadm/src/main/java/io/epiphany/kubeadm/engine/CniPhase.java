package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cni;
import io.epiphany.api.LocalFiles;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The pod network, right after the control plane exists (kubeadm never installs one; Nodes stay NotReady and CoreDNS
 * Pending until a CNI writes {@code /etc/cni/net.d}). Facts decide: when any DaemonSet already mounts that directory
 * a CNI is installed, whoever installed it, and nothing is applied (switching the CNI of a running cluster is not
 * something to do unasked). A download is made by the master (hosts reach only what the settings name), read back and
 * checked against the pinned SHA-256 before anything is applied.
 */
final class CniPhase implements Phase {
    static final String CNI_CONFIG_DIR = "/etc/cni/net.d";
    static final String DOWNLOAD = KubePaths.SDK_DIR + "/cni-download.yaml";
    static final String MANIFEST = KubePaths.SDK_DIR + "/cni.yaml";
    static final int MAX_MANIFEST_BYTES = 8 << 20;

    @Override
    public String title() {
        return "Install CNI";
    }

    @Override
    public Work prepare(Context ctx) {
        Cni cni = ctx.cluster.cni();
        if (cni.kind() == Cni.Kind.NONE) {
            return Work.none();
        }
        List<String> installed = ctx.facts.cniDaemonSets().orElse(List.of());
        if (!installed.isEmpty()) {
            return Work.none();
        }
        // a user's file is read and checked now, so a wrong pod CIDR is refused by plan(), before any host changes
        String local = cni.file().map(f -> {
            try {
                String text = new String(LocalFiles.read(f, MAX_MANIFEST_BYTES, "cni manifest"), StandardCharsets.UTF_8);
                return CniManifests.forCluster(cni, text, ctx.cluster.networking().podSubnet());
            } catch (IOException | IllegalArgumentException e) {
                throw new ApplyException("Plan", null, "cni: " + f + ": " + e.getMessage(), List.of(),
                        List.of("everything: no host was changed"), null);
            }
        }).orElse(null);
        Machine master = ctx.facts.apiMaster().flatMap(ctx::machine).orElse(ctx.cluster.masters().get(0));
        PlannedStep step = PlannedStep.of(title(), master.hostname(), PlannedStep.Kind.CNI, "apply " + cni.describe()
                + " (pod network " + ctx.cluster.networking().podSubnet() + ") with kubectl", null);
        return Work.inOrder(List.of(new Step(step, () -> install(ctx, master, cni, local))));
    }

    private void install(Context ctx, Machine master, Cni cni, String local) {
        RemoteHost h = ctx.host(master);
        String manifest = local != null ? local : download(ctx, h, master, cni);
        h.upload(RemoteFile.of(MANIFEST, manifest, 0644));
        h.run(HostCommands.kubectl("apply", "--server-side", "--force-conflicts", "-f", MANIFEST)
                .timeout(HostCommands.KUBEADM_TIMEOUT)).orThrow();
    }

    private String download(Context ctx, RemoteHost h, Machine master, Cni cni) {
        String url = cni.url().orElseThrow();
        try {
            h.run(Command.of("mkdir", "-p", KubePaths.SDK_DIR).asRoot()).orThrow();
            h.run(Command.of("curl", "-fsSL", "--max-time", "120", "-o", DOWNLOAD, url).asRoot()
                    .timeout(java.time.Duration.ofMinutes(3))).orThrow();
            byte[] body = h.read(DOWNLOAD).orElseThrow(() -> new IllegalStateException("curl exited 0 but "
                    + DOWNLOAD + " is missing"));
            String sha = FactsGatherer.sha256(body);
            if (!sha.equals(cni.sha256().orElseThrow())) {
                throw new ApplyException(title(), master.hostname(), url + " has SHA-256 " + sha + ", not the pinned "
                        + cni.sha256().get() + "; nothing was applied (a changed or tampered file, or the wrong "
                        + "release for the sha256 given with Cni.from)", ctx.completed(), List.of(), null);
            }
            try {
                return CniManifests.forCluster(cni, new String(body, StandardCharsets.UTF_8),
                        ctx.cluster.networking().podSubnet());
            } catch (IllegalArgumentException e) {
                throw new ApplyException(title(), master.hostname(), url + ": " + e.getMessage()
                        + "; nothing was applied", ctx.completed(), List.of(), null);
            }
        } finally {
            h.run(HostCommands.remove(DOWNLOAD));
        }
    }
}
