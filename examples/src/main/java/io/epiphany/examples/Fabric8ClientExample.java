package io.epiphany.examples;

import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Machine;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;

/**
 * The admin kubeconfig handed to the fabric8 Kubernetes client: read the cluster a file describes, take the admin
 * kubeconfig from a master with its server pointed at that master's API server ({@code https://<ip>:6443}; the
 * default {@code https://localhost:3446} only works on the cluster's own machines), and list the Nodes.
 * The kubeconfig stays in memory: fabric8 reads it from a string, so no file holding the admin key is written.
 *
 * <p>For a real cluster only; the build compiles it and checks the hand-over ({@link #clientConfig}) but never runs
 * {@code main}: the SIMULATED fleet models the API server inside its kubectl and has none listening on HTTP, and its
 * machines' addresses are not reachable.
 *
 * <pre>
 * java -cp 'examples/target/epiphany-examples.jar:examples/target/lib/*' io.epiphany.examples.Fabric8ClientExample \
 *     my-cluster.yml [MASTER]
 * </pre>
 */
public final class Fabric8ClientExample {
    private Fabric8ClientExample() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Fabric8ClientExample CLUSTER.yml [MASTER]");
            System.exit(2);
        }
        Cluster cluster = Cluster.fromYaml(Path.of(args[0]));
        Machine master = args.length == 2 ? cluster.machine(args[1]).orElseThrow(() -> new IllegalArgumentException(
                "no machine '" + args[1] + "' in " + args[0])) : cluster.masters().get(0);

        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(clientConfig(cluster.kubeconfig(), master)).build()) {
            for (Node node : client.nodes().list().getItems()) {
                System.out.println(node.getMetadata().getName() + "  Ready=" + ready(node) + "  kubelet "
                        + node.getStatus().getNodeInfo().getKubeletVersion());
            }
        }
    }

    /** The fabric8 client's configuration from the SDK's kubeconfig, its server the given master's API server. */
    static Config clientConfig(Kubeconfig admin, Machine master) {
        return Config.fromKubeconfig(admin.withServerOf(master).yaml());
    }

    private static String ready(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus).findFirst().orElse("Unknown");
    }
}
