package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.haproxy.HaproxyConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a running master should run, from the description: each control-plane component's flags, the API server
 * certificate's names, and the per-master config for kubeadm's reconfigure phases ({@code kubeadm init phase
 * control-plane|certs|upload-config --config}). That config carries no bootstrap token: it is not secret.
 */
public final class ControlPlaneConfig {
    /** Where the reconfigure config lives on a master while it is used. */
    public static final String PATH = "/etc/kubernetes/epiphany/kubeadm-reconfigure.yaml";
    /** Where etcd keeps its data on a master, as rendered (the etcd container mounts it). */
    public static final String ETCD_DATA_DIR = ClusterConfiguration.ETCD_DATA_DIR;

    private ControlPlaneConfig() {}

    /** {@code kube-apiserver}, {@code kube-controller-manager}, {@code kube-scheduler} → the flags the SDK asks for. */
    public static Map<String, Map<String, String>> flags(Cluster cluster) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        out.put("kube-apiserver", ClusterConfiguration.apiServerArgs(cluster));
        out.put("kube-controller-manager", ClusterConfiguration.controllerManagerArgs(cluster));
        out.put("kube-scheduler", ClusterConfiguration.schedulerArgs(cluster));
        return out;
    }

    /** The names the rendered ClusterConfiguration asks the API server certificate to carry. */
    public static List<String> certSans(Cluster cluster) {
        return ClusterConfiguration.certSans(cluster);
    }

    /** InitConfiguration for {@code master} (its address and registration) and the shared ClusterConfiguration. */
    public static String render(Cluster cluster, Machine master) {
        KubeadmApi api = KubeadmApi.of(cluster.version());
        Map<String, Object> init = Yaml.map(
                "apiVersion", api.apiVersion(),
                "kind", "InitConfiguration",
                "localAPIEndpoint", Yaml.map("advertiseAddress", master.ip(), "bindPort", HaproxyConfig.API_SERVER_PORT),
                "nodeRegistration", NodeRegistration.of(cluster, master));
        return Yaml.documents(Header.of(cluster, api), List.of(init, ClusterConfiguration.of(cluster)));
    }
}
