package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.KubernetesVersion;
import java.util.List;

/**
 * kubeadm's {@code UpgradeConfiguration} (v1beta4, the only way to configure {@code kubeadm upgrade} from 1.31) for one
 * hop of an upgrade. {@code forceUpgrade} makes it non-interactive (as kubeadm's own kinder drives it); the SDK has
 * checked versions, etcd and every Node itself before. {@code CreateJob} is skipped, with the reason: it creates a Job
 * and waits 15 s for it, which fails intermittently on busy clusters (kubeadm#3050, kubespray#12009, kubekey#2511),
 * and the SDK checks what it checks (a schedulable, healthy control plane) before and after every master.
 */
public final class UpgradeConfig {
    public static final String PATH = "/etc/kubernetes/epiphany/kubeadm-upgrade.yaml";
    /** The preflight checks the SDK skips, each for the reason above. */
    public static final List<String> SKIPPED_PREFLIGHT = List.of("CreateJob");

    private UpgradeConfig() {}

    public static String render(Cluster cluster, KubernetesVersion target) {
        KubeadmApi api = KubeadmApi.of(target);
        return Yaml.documents(Header.of(cluster, api), List.of(Yaml.map(
                "apiVersion", api.apiVersion(),
                "kind", "UpgradeConfiguration",
                "apply", Yaml.map(
                        "kubernetesVersion", target.toString(),
                        "forceUpgrade", true,
                        "certificateRenewal", true,
                        "etcdUpgrade", true,
                        "ignorePreflightErrors", SKIPPED_PREFLIGHT),
                "node", Yaml.map(
                        "certificateRenewal", true,
                        "etcdUpgrade", true))));
    }
}
