package io.epiphany.examples;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.ConfigException;
import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.api.Rendering;
import io.epiphany.api.remote.RemoteException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line over the public API, the way Epiphany users drove {@code epicli}:
 * {@code render}, {@code plan}, {@code apply}, {@code kubeconfig}, {@code reset} on the machines of a file, or with
 * {@code --simulated} on an in-process SIMULATED fleet standing in for them (see {@link #USAGE}). Exit codes: 0 done,
 * 1 the cluster description is invalid, 2 usage, 3 an operation failed on a host.
 */
public final class Cli {
    static final String USAGE = String.join("\n",
            "usage: epiphany <command> -f FILE [options]",
            "  render -f FILE -o DIR      write every host's files under DIR/<hostname>/<path>",
            "  plan -f FILE               show what apply would change (connects to every host, read-only)",
            "  apply -f FILE              create or converge the cluster, with live progress",
            "  kubeconfig -f FILE [--server-of HOST]   print the admin kubeconfig",
            "  reset -f FILE --yes        tear the cluster down",
            "options: --simulated  run against an in-process SIMULATED fleet built from FILE's machines");

    private final PrintStream out;
    private final PrintStream err;

    Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Cli(System.out, System.err).run(args));
    }

    int run(String[] args) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--yes") || a.equals("--simulated")) {
                options.put(a, "true");
            } else if ((a.equals("-f") || a.equals("-o") || a.equals("--server-of")) && i + 1 < args.length) {
                options.put(a, args[++i]);
            } else {
                err.println("unknown or incomplete option '" + a + "'\n" + USAGE);
                return 2;
            }
        }
        if (!options.containsKey("-f")) {
            err.println("missing -f FILE\n" + USAGE);
            return 2;
        }
        Cluster cluster;
        try {
            cluster = Cluster.fromYaml(Path.of(options.get("-f")));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        return run(args[0], cluster, options);
    }

    /** Runs one command on a described cluster and turns its failures into messages and exit codes. */
    int run(String command, Cluster cluster, Map<String, String> options) {
        try {
            return switch (command) {
                case "render" -> render(cluster, options.get("-o"));
                default -> new Operations(out, err).run(command, cluster, options);
            };
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        } catch (ApplyException | RemoteException e) {
            err.println("FAILED: " + e.getMessage());
            return 3;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    private int render(Cluster cluster, String outDir) {
        if (outDir == null) {
            err.println("render needs -o DIR\n" + USAGE);
            return 2;
        }
        Rendering rendering = cluster.render();
        Path root = Path.of(outDir).toAbsolutePath();
        out.println("Rendered cluster '" + cluster.name() + "' (" + cluster.masters().size() + " masters, "
                + cluster.nodes().size() + " nodes, Kubernetes " + cluster.version() + ") into " + root);
        cluster.warnings().forEach(w -> out.println("WARNING: " + w));
        for (Machine m : cluster.machines()) {
            List<String> written = new ArrayList<>();
            for (HostFile f : rendering.files(m.hostname())) {
                Path target = root.resolve(m.hostname()).resolve(f.path().substring(1));
                write(target, f);
                written.add(f.path() + (f.isSecret() ? " (secret, 0600)" : ""));
            }
            out.println("  " + (cluster.isMaster(m) ? "master " : "node   ") + m.hostname() + " " + m.ip() + ": "
                    + root.resolve(m.hostname()));
            written.forEach(w -> out.println("      " + w));
        }
        return 0;
    }

    private static void write(Path target, HostFile f) {
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(target, f.content(), StandardCharsets.UTF_8);
            Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
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
