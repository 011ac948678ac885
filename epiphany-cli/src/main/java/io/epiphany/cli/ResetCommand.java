package io.epiphany.cli;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code epiphany reset --yes}: tears the cluster down, with live progress; refused without {@code --yes}. */
@Command(name = "reset", mixinStandardHelpOptions = true,
        description = "Tear the cluster down: nodes, then masters, then HAProxy; every file the SDK wrote is removed, "
                + "so a fresh apply starts clean. Destroys every workload and all etcd data.")
final class ResetCommand extends ClusterCommand {
    @Option(names = "--yes", description = "Confirm that the cluster and all its data are to be destroyed.")
    boolean yes;

    ResetCommand(Terminal term) {
        super(term);
    }

    @Override
    int run(Cluster described) {
        if (!yes) {
            term.err().println("reset destroys cluster '" + described.name() + "' and all its data: add --yes to "
                    + "confirm");
            return Failures.USAGE;
        }
        return clusterFile.run(described, term.out(), s -> {
            s.createIfSimulated(term.out());
            var hosts = s.cluster().machines().stream().map(Machine::hostname).collect(Collectors.toSet());
            try (ProgressView view = ProgressView.live(term, Optional.empty(), hosts)) {
                s.cluster().reset(s.cluster().name(), s.options().toBuilder().listener(view).build());
            }
            term.out().println("Reset cluster '" + s.cluster().name() + "': every machine is clean for a fresh apply.");
            term.out().flush();
            return Failures.DONE;
        });
    }
}
