package io.epiphany.cli;

import io.epiphany.api.ApplyResult;
import io.epiphany.api.Backup;
import io.epiphany.api.Cluster;
import io.epiphany.api.RestoreOptions;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code epiphany restore ARCHIVE}: disaster recovery from a backup onto the machines FILE describes. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Rebuild the cluster from a backup on the machines FILE describes (they may be new, with new "
                + "addresses): the archive is verified first, then the backup's PKI and encryption config go onto "
                + "the first master, its etcd snapshot is restored there into a new one-member etcd, kubeadm init "
                + "starts on it, Node objects of other machines are deleted, and the other masters and nodes join. "
                + "Refused while the machines still run a cluster, unless --replace names it.")
final class RestoreCommand extends ClusterCommand {
    @Parameters(index = "0", paramLabel = "ARCHIVE", description = "An archive written by 'epiphany backup'.")
    Path archive;

    @Option(names = "--sha256", paramLabel = "HEX",
            description = "The archive's SHA-256 as recorded when the backup was taken: refused if it differs.")
    String sha256;

    @Option(names = "--replace", paramLabel = "CLUSTER",
            description = "Confirm that a cluster still running on the machines (named as in FILE) is reset first "
                    + "and replaced by the backup. Destroys it.")
    String replace;

    RestoreCommand(Terminal term) {
        super(term);
    }

    @Override
    int run(Cluster described) {
        // a damaged or changed archive is refused here, before any host is contacted (exit 2)
        Backup backup = sha256 == null ? Backup.verify(archive) : Backup.verify(archive, sha256);
        RestoreOptions options = replace == null ? RestoreOptions.defaults() : RestoreOptions.replacing(replace);
        return clusterFile.run(described, term.out(), s -> {
            ApplyResult result;
            try (ProgressView view = ProgressView.live(term, Optional.empty(), Set.of())) {
                result = s.cluster().restore(backup, options, s.options().toBuilder().listener(view).build());
            }
            term.out().println();
            term.out().print(result);
            term.out().println("Restored cluster '" + described.name() + "' from " + archive + " (etcd revision "
                    + backup.manifest().etcdRevision() + ", taken on " + backup.manifest().takenOn() + " at "
                    + backup.manifest().created() + ").");
            term.out().flush();
            return Failures.DONE;
        });
    }
}
