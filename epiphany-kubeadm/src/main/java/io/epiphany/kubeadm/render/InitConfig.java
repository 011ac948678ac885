package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.haproxy.HaproxyConfig;
import java.util.List;
import java.util.Map;

/**
 * The first master's {@code kubeadm init --config}: InitConfiguration (this master, the bootstrap token every other
 * machine joins with), ClusterConfiguration (shared by all masters) and KubeletConfiguration (systemd cgroups). It
 * holds the bootstrap token: write it {@code 0600}.
 */
public final class InitConfig {
    /** Where it lives on the first master. */
    public static final String PATH = "/etc/kubernetes/epiphany/kubeadm-init.yaml";

    /**
     * Lifetime of the bootstrap token: long enough for one apply to join every machine; a later apply that adds
     * machines brings its own token.
     */
    static final String TOKEN_TTL = "2h0m0s";

    private InitConfig() {}

    /** The configuration for {@code cluster}'s first master. */
    public static String render(Cluster cluster, RenderContext context) {
        KubeadmApi api = KubeadmApi.of(cluster.version());
        Machine first = cluster.masters().get(0);
        Map<String, Object> init = Yaml.map(
                "apiVersion", api.apiVersion(),
                "kind", "InitConfiguration",
                "bootstrapTokens", List.of(Yaml.map(
                        "token", context.bootstrapToken().reveal(),
                        "description", "Epiphany: joins the masters and nodes of cluster " + cluster.name(),
                        "ttl", TOKEN_TTL,
                        "usages", List.of("signing", "authentication"),
                        "groups", List.of("system:bootstrappers:kubeadm:default-node-token"))),
                "localAPIEndpoint", Yaml.map("advertiseAddress", first.ip(), "bindPort", HaproxyConfig.API_SERVER_PORT),
                "nodeRegistration", NodeRegistration.of(cluster, first));
        Map<String, Object> kubelet = Yaml.map(
                "apiVersion", "kubelet.config.k8s.io/v1beta1",
                "kind", "KubeletConfiguration",
                "cgroupDriver", "systemd");
        return Yaml.documents(Header.of(cluster, api), List.of(init, ClusterConfiguration.of(cluster), kubelet));
    }
}
