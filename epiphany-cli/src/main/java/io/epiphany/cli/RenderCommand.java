package io.epiphany.cli;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.api.Rendering;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code epiphany render -o DIR}: every file the SDK would put on every host, touching nothing. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Write every file the SDK would put on every host under DIR/<hostname>/<path>, with its mode; "
                + "touches no host.")
final class RenderCommand extends ClusterCommand {
    @Option(names = "-o", paramLabel = "DIR", required = true, description = "Where to write the files.")
    Path outDir;

    RenderCommand(Terminal term) {
        super(term);
    }

    @Override
    int run(Cluster cluster) {
        PrintStream out = term.out();
        Rendering rendering = cluster.render();
        Path root = outDir.toAbsolutePath();
        out.println("Rendered cluster '" + cluster.name() + "' (" + cluster.masters().size() + " masters, "
                + cluster.nodes().size() + " nodes, Kubernetes " + cluster.version() + ") into " + root);
        cluster.warnings().forEach(w -> out.println("WARNING: " + w));
        for (Machine m : cluster.machines()) {
            List<String> written = new ArrayList<>();
            for (HostFile f : rendering.files(m.hostname())) {
                write(root.resolve(m.hostname()).resolve(f.path().substring(1)), f);
                written.add(f.path() + (f.isSecret() ? " (secret, 0600)" : ""));
            }
            out.println("  " + (cluster.isMaster(m) ? "master " : "node   ") + m.hostname() + " " + m.ip() + ": "
                    + root.resolve(m.hostname()));
            written.forEach(w -> out.println("      " + w));
        }
        out.flush();
        return Failures.DONE;
    }

    private static void write(Path target, HostFile f) {
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(target, f.content(), StandardCharsets.UTF_8);
            Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE);
            if ((f.mode() & 0044) != 0) {
                perms.add(PosixFilePermission.GROUP_READ);
                perms.add(PosixFilePermission.OTHERS_READ);
            }
            try {
                Files.setPosixFilePermissions(target, perms);
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the content is still written
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
