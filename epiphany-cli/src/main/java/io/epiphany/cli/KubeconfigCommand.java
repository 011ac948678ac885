package io.epiphany.cli;

import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Machine;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code epiphany kubeconfig}: the admin kubeconfig on stdout (notes on stderr, so it can be redirected to a file). */
@Command(name = "kubeconfig", mixinStandardHelpOptions = true,
        description = "Print the admin kubeconfig, read from a master. Its server is https://localhost:<lb port> "
                + "(for use on the cluster's machines) unless --server-of names a machine to reach directly.")
final class KubeconfigCommand extends ClusterCommand {
    @Option(names = "--server-of", paramLabel = "HOST",
            description = "Point the kubeconfig's server at this machine's API server (https://<its ip>:6443).")
    String serverOf;

    KubeconfigCommand(Terminal term) {
        super(term);
    }

    @Override
    int run(Cluster described) {
        serverMachine(described); // an unknown --server-of is refused before any host is touched
        Kubeconfig k = onRunningCluster(described, term.err(), s -> {
            Kubeconfig admin = s.cluster().kubeconfig();
            return serverMachine(s.cluster()).map(admin::withServerOf).orElse(admin);
        });
        term.out().print(k.yaml());
        term.out().flush();
        return Failures.DONE;
    }

    private Optional<Machine> serverMachine(Cluster cluster) {
        if (serverOf == null) {
            return Optional.empty();
        }
        return Optional.of(cluster.machine(serverOf).orElseThrow(() -> new IllegalArgumentException("--server-of "
                + serverOf + ": no such machine; the file has " + cluster.machines().stream().map(Machine::hostname)
                .toList())));
    }
}
