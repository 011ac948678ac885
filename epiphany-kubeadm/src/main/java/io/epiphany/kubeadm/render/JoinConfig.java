package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.haproxy.HaproxyConfig;
import java.util.List;
import java.util.Map;

/**
 * {@code kubeadm join --config} for every machine but the first master: discovery through the control-plane endpoint
 * with the bootstrap token and the pinned CA hash, and, for a master, {@code controlPlane.localAPIEndpoint} (its
 * shared PKI is copied beforehand, so no {@code certificateKey}). It holds the bootstrap token: write it {@code 0600}.
 *
 * <p>The CA hash is known only once the first master ran {@code kubeadm init}: until the {@link RenderContext} has
 * it, the file pins {@link RenderContext#CA_CERT_HASH_PLACEHOLDER}, which kubeadm rejects.
 */
public final class JoinConfig {
    /** Where it lives on a joining machine. */
    public static final String PATH = "/etc/kubernetes/epiphany/kubeadm-join.yaml";

    private JoinConfig() {}

    /**
     * The configuration for {@code machine}, a master (not the first) or a node of {@code cluster}.
     *
     * @throws IllegalArgumentException when the machine is the first master (it runs init) or not in the cluster
     */
    public static String render(Cluster cluster, Machine machine, RenderContext context) {
        if (cluster.machine(machine.hostname()).isEmpty()) {
            throw new IllegalArgumentException("machine '" + machine.hostname() + "' is not in cluster '"
                    + cluster.name() + "'; add it with addMaster/addNode first");
        }
        if (cluster.masters().get(0).hostname().equals(machine.hostname())) {
            throw new IllegalArgumentException("machine '" + machine.hostname() + "' is the first master of cluster '"
                    + cluster.name() + "': it runs kubeadm init (InitConfig), not join");
        }
        KubeadmApi api = KubeadmApi.of(cluster.version());
        Map<String, Object> join = Yaml.map(
                "apiVersion", api.apiVersion(),
                "kind", "JoinConfiguration",
                "discovery", Yaml.map("bootstrapToken", Yaml.map(
                        "apiServerEndpoint", cluster.loadBalancer().endpoint(),
                        "token", context.bootstrapToken().reveal(),
                        "caCertHashes", List.of(context.caCertHash().orElse(RenderContext.CA_CERT_HASH_PLACEHOLDER)))),
                "nodeRegistration", NodeRegistration.of(cluster, machine),
                "controlPlane", cluster.isMaster(machine)
                        ? Yaml.map("localAPIEndpoint",
                                Yaml.map("advertiseAddress", machine.ip(), "bindPort", HaproxyConfig.API_SERVER_PORT))
                        : null);
        return Yaml.documents(Header.of(cluster, api), List.of(join));
    }
}
