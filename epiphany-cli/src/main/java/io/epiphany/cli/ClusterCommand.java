package io.epiphany.cli;

import io.epiphany.api.Cluster;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;

/** A subcommand on the cluster a file describes: {@code -f FILE}, {@code --simulated}, and where to write. */
abstract class ClusterCommand implements Callable<Integer> {
    @Mixin
    ClusterFile clusterFile;

    final Terminal term;

    ClusterCommand(Terminal term) {
        this.term = term;
    }

    @Override
    public final Integer call() {
        return run(clusterFile.described());
    }

    /** Runs on a valid description; the SDK's exceptions become exit codes in {@link Failures}. */
    abstract int run(Cluster described);

    /**
     * What {@code read} gets from the running cluster the file describes; with {@code --simulated} the blank fleet's
     * cluster is created first (notes on stderr). {@code notes}: where the run's progress goes.
     */
    <T> T onRunningCluster(Cluster described, PrintStream notes, Function<ClusterFile.Session, T> read) {
        return clusterFile.run(described, notes, s -> {
            s.createIfSimulated(term.err());
            return read.apply(s);
        });
    }
}
