package io.epiphany.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epiphany.api.Backup;
import io.epiphany.api.Cluster;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code epiphany backup ARCHIVE}: an etcd snapshot with the shared PKI and encryption config, in one archive. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Take an etcd snapshot on a master whose etcd member is healthy (inside its etcd container), "
                + "check it, and write it with the shared PKI, the encryption config and the audit policy into "
                + "ARCHIVE (mode 0600; a manifest with the SHA-256 of every part). Nothing is left on the master; "
                + "the cluster is not changed. Keep ARCHIVE like the cluster's CA keys: it holds them.")
final class BackupCommand extends ClusterCommand {
    /** How the result is printed. */
    enum Format { text, json }

    @Parameters(index = "0", paramLabel = "ARCHIVE", description = "Where to write the archive (replaced if it exists).")
    Path archive;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json: {archive, sha256, cluster, kubernetesVersion, takenOn, created, "
                    + "etcdRevision, etcdKeys, parts: [{name, size, sha256}]}.")
    Format output;

    BackupCommand(Terminal term) {
        super(term);
    }

    @Override
    int run(Cluster described) {
        boolean json = output == Format.json;
        Backup backup = onRunningCluster(described, json ? term.err() : term.out(),
                s -> s.cluster().backup(archive, s.options()));
        Backup.Manifest m = backup.manifest();
        if (json) {
            term.out().println(json(backup));
        } else {
            term.out().println("Backup of cluster '" + m.cluster() + "' (Kubernetes " + m.kubernetesVersion()
                    + ") taken on " + m.takenOn() + " at " + m.created() + ": etcd revision " + m.etcdRevision()
                    + ", " + m.etcdKeys() + " keys, " + m.parts().size() + " parts");
            term.out().println("  " + backup.path() + " (0600), SHA-256 " + backup.archiveSha256());
            term.out().println("  record the SHA-256 apart from the archive: restore refuses an archive that no "
                    + "longer matches it");
        }
        term.out().flush();
        return Failures.DONE;
    }

    private static String json(Backup backup) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Backup.Manifest m = backup.manifest();
        ObjectNode root = mapper.createObjectNode();
        root.put("archive", backup.path().toString());
        root.put("sha256", backup.archiveSha256());
        root.put("cluster", m.cluster());
        root.put("kubernetesVersion", m.kubernetesVersion());
        root.put("takenOn", m.takenOn());
        root.put("created", m.created().toString());
        root.put("etcdRevision", m.etcdRevision());
        root.put("etcdKeys", m.etcdKeys());
        var parts = root.putArray("parts");
        m.parts().forEach(p -> parts.addObject().put("name", p.name()).put("size", p.size()).put("sha256",
                p.sha256()));
        try {
            return mapper.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }
}
