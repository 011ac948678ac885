package io.epiphany.cli;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.Cni;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.testkit.SimulatedFleet;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The options every cluster command shares: the file that describes the cluster, and whether an in-process SIMULATED
 * fleet stands in for its machines. Reading an invalid file throws the SDK's {@code ConfigException} (exit code 1).
 */
final class ClusterFile {
    @Option(names = "-f", paramLabel = "FILE", required = true,
            description = "The cluster description, in Epiphany YAML.")
    Path file;

    @Option(names = "--simulated",
            description = "Run against an in-process SIMULATED fleet built from FILE's machines (one SSH server per "
                    + "machine on 127.0.0.1, started here and stopped at the end; nothing leaves the process).")
    boolean simulated;

    /** What a command runs with: the cluster to drive, one SSH runtime for all its steps, the fleet if simulated. */
    record Session(Cluster cluster, RemoteAccess access, Optional<SimulatedFleet> fleet) {
        ApplyOptions options() {
            return ApplyOptions.builder().remoteAccess(access).build();
        }

        /** A SIMULATED fleet starts blank: verbs that read a running cluster create it first, saying so. */
        void createIfSimulated(PrintStream notes) {
            if (fleet.isPresent()) {
                notes.println("SIMULATED: the fleet starts blank, so the cluster is created first (quietly).");
                cluster.apply(options());
            }
        }
    }

    Cluster described() {
        return Cluster.fromYaml(file);
    }

    /**
     * Runs {@code body} on the file's machines, or on a SIMULATED fleet standing in for them (the file's login user:
     * a non-root admin_user takes the same sudo path as on real machines).
     *
     * @param notes where the SIMULATED notice goes: stderr when stdout carries a file or JSON
     */
    <T> T run(Cluster described, PrintStream notes, Function<Session, T> body) {
        if (!simulated) {
            return withAccess(described, Optional.empty(), body);
        }
        try (SimulatedFleet fleet = SimulatedFleet.start(described)) {
            notes.println("SIMULATED: " + fleet.hosts().size() + " in-process hosts on 127.0.0.1 stand in for the "
                    + "machines of the file (login as " + fleet.cluster().ssh().user() + "); nothing leaves this "
                    + "process, and the fleet is gone when it ends.");
            return withAccess(simulatedCni(fleet.cluster(), notes), Optional.of(fleet), body);
        }
    }

    /**
     * The simulated fleet reaches no network, so a CNI the masters would download (Calico, Flannel) is replaced by the
     * test kit's own small manifest, and the notes say so; a manifest file or {@code none} is kept.
     */
    private static Cluster simulatedCni(Cluster cluster, PrintStream notes) {
        if (cluster.cni().url().isEmpty()) {
            return cluster;
        }
        try {
            Path dir = java.nio.file.Files.createTempDirectory("epiphany-sim-cni");
            dir.toFile().deleteOnExit();
            Path manifest = SimulatedFleet.cniManifest(dir);
            manifest.toFile().deleteOnExit();
            notes.println("SIMULATED: the CNI is the test kit's own manifest instead of " + cluster.cni().describe()
                    + " (the simulated hosts download nothing).");
            return cluster.toBuilder().cni(Cni.manifest(manifest)).build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // one runtime for every step of the command, so plan, apply and re-plan share their SSH sessions
    private static <T> T withAccess(Cluster cluster, Optional<SimulatedFleet> fleet, Function<Session, T> body) {
        try (RemoteAccess access = EarlyAccess.process().take()) {
            return body.apply(new Session(cluster, access, fleet));
        }
    }
}
