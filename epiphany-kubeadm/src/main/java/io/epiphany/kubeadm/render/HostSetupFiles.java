package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.KubernetesVersion;

/**
 * The files host preparation writes, rendered from the cluster and the host's OS family alone (pure, golden-tested):
 * the kernel settings kubeadm's preflight and the kubelet need, containerd 2.x's config, and the package repositories.
 * Where the commands that use them are: {@code docs/host-commands.md}, "Host preparation, packages and the CNI".
 */
public final class HostSetupFiles {
    public static final String SYSCTL_PATH = "/etc/sysctl.d/99-epiphany-kubernetes.conf";
    public static final String MODULES_PATH = "/etc/modules-load.d/epiphany-kubernetes.conf";
    public static final String CONTAINERD_CONFIG_PATH = "/etc/containerd/config.toml";
    public static final String APT_KEYRINGS = "/etc/apt/keyrings";
    public static final String KUBERNETES_APT_KEY = APT_KEYRINGS + "/kubernetes-apt-keyring.asc";
    public static final String DOCKER_APT_KEY = APT_KEYRINGS + "/docker.asc";
    public static final String KUBERNETES_APT_LIST = "/etc/apt/sources.list.d/kubernetes.list";
    public static final String DOCKER_APT_LIST = "/etc/apt/sources.list.d/docker.list";
    public static final String KUBERNETES_YUM_REPO = "/etc/yum.repos.d/kubernetes.repo";
    public static final String DOCKER_YUM_REPO = "/etc/yum.repos.d/docker-ce.repo";
    /** The kernel modules containerd's overlayfs snapshotter and the bridge netfilter sysctls need. */
    public static final java.util.List<String> MODULES = java.util.List.of("overlay", "br_netfilter");
    /** The sysctls kubeadm's preflight checks and pod networking needs, all {@code 1}. */
    public static final java.util.List<String> SYSCTLS = java.util.List.of("net.ipv4.ip_forward",
            "net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables");

    private static final String HEADER = "# Written by Epiphany; changes are replaced on the next apply.\n";

    private HostSetupFiles() {}

    /** {@code /etc/sysctl.d/99-epiphany-kubernetes.conf}. */
    public static String sysctl() {
        StringBuilder b = new StringBuilder(HEADER);
        SYSCTLS.forEach(k -> b.append(k).append(" = 1\n"));
        return b.toString();
    }

    /** {@code /etc/modules-load.d/epiphany-kubernetes.conf}: loaded at every boot by systemd-modules-load. */
    public static String modules() {
        return HEADER + String.join("\n", MODULES) + "\n";
    }

    /**
     * containerd 2.x's config (version 3): the runc runtime with the systemd cgroup driver (kubeadm's kubelet default
     * since 1.22) and the sandbox image kubeadm lists for the release. Replaces the {@code containerd.io} package's file,
     * whose {@code disabled_plugins = ["cri"]} turns off the CRI that kubeadm needs.
     */
    public static String containerdConfig(String sandboxImage) {
        if (!sandboxImage.matches("[a-z0-9][a-z0-9.:/_-]{0,254}:[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("not an image reference: " + sandboxImage);
        }
        return HEADER
                + "version = 3\n"
                + "\n"
                + "[plugins.'io.containerd.cri.v1.images'.pinned_images]\n"
                + "  sandbox = '" + sandboxImage + "'\n"
                + "\n"
                + "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]\n"
                + "  runtime_type = 'io.containerd.runc.v2'\n"
                + "\n"
                + "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n"
                + "  SystemdCgroup = true\n";
    }

    /** The pkgs.k8s.io-layout repository of a minor: {@code <base>/v1.37}. */
    public static String kubernetesRepository(Cluster cluster) {
        return kubernetesRepository(cluster, cluster.version());
    }

    /** The repository of another minor (an upgrade's hop). */
    public static String kubernetesRepository(Cluster cluster, KubernetesVersion v) {
        return cluster.hostPreparation().kubernetesRepository() + "/v" + v.major() + "." + v.minor();
    }

    /** Debian family: the Kubernetes apt source, signed by the key the SDK downloads next to it. */
    public static String kubernetesAptList(Cluster cluster) {
        return kubernetesAptList(cluster, cluster.version());
    }

    /** The apt source of another minor (an upgrade's hop). */
    public static String kubernetesAptList(Cluster cluster, KubernetesVersion v) {
        return HEADER + "deb [signed-by=" + KUBERNETES_APT_KEY + "] " + kubernetesRepository(cluster, v) + "/deb/ /\n";
    }

    /** Debian family: the container-runtime apt source for the distribution ({@code debian} or {@code ubuntu}). */
    public static String dockerAptList(Cluster cluster, String distribution, String codename) {
        return HEADER + "deb [signed-by=" + DOCKER_APT_KEY + "] " + cluster.hostPreparation().containerRuntimeRepository()
                + "/" + distribution + " " + codename + " stable\n";
    }

    /**
     * RHEL family: the Kubernetes repository. {@code exclude=} is the hold: dnf updates none of these packages unless
     * told {@code --disableexcludes=kubernetes} (kubeadm's install instructions).
     */
    public static String kubernetesYumRepo(Cluster cluster) {
        return kubernetesYumRepo(cluster, cluster.version());
    }

    /** The dnf repository of another minor (an upgrade's hop). */
    public static String kubernetesYumRepo(Cluster cluster, KubernetesVersion v) {
        String base = kubernetesRepository(cluster, v) + "/rpm/";
        return HEADER
                + "[kubernetes]\n"
                + "name=Kubernetes\n"
                + "baseurl=" + base + "\n"
                + "enabled=1\n"
                + "gpgcheck=1\n"
                + "gpgkey=" + base + "repodata/repomd.xml.key\n"
                + "exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni\n";
    }

    /** RHEL family: the container-runtime repository ({@code $releasever} and {@code $basearch} are dnf's). */
    public static String dockerYumRepo(Cluster cluster) {
        String base = cluster.hostPreparation().containerRuntimeRepository() + "/rhel";
        return HEADER
                + "[docker-ce-stable]\n"
                + "name=Docker CE Stable\n"
                + "baseurl=" + base + "/$releasever/$basearch/stable\n"
                + "enabled=1\n"
                + "gpgcheck=1\n"
                + "gpgkey=" + base + "/gpg\n";
    }

    /** The key URL of the Kubernetes apt repository. */
    public static String kubernetesAptKeyUrl(Cluster cluster) {
        return kubernetesAptKeyUrl(cluster, cluster.version());
    }

    /** The key URL of another minor's apt repository (pkgs.k8s.io signs each minor's repository). */
    public static String kubernetesAptKeyUrl(Cluster cluster, KubernetesVersion v) {
        return kubernetesRepository(cluster, v) + "/deb/Release.key";
    }

    /** The key URL of the container-runtime apt repository for the distribution. */
    public static String dockerAptKeyUrl(Cluster cluster, String distribution) {
        return cluster.hostPreparation().containerRuntimeRepository() + "/" + distribution + "/gpg";
    }

    /** A ClusterConfiguration alone, for {@code kubeadm config images pull}: no token, no key, nothing secret. */
    public static String imagesConfig(Cluster cluster) {
        return Yaml.documents(Header.of(cluster, KubeadmApi.of(cluster.version())), java.util.List.of(ClusterConfiguration.of(cluster)));
    }

    /** Where {@link #imagesConfig} goes. */
    public static final String IMAGES_CONFIG_PATH = "/etc/kubernetes/epiphany/kubeadm-images.yaml";
}
