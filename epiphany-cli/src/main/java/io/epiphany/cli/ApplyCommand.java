package io.epiphany.cli;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Plan;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedHost;
import java.io.PrintStream;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code epiphany apply}: the plan, then carrying it out with live progress, the verified result, and a second plan
 * that must find nothing to do (exit 3 if it does).
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Create or converge the cluster with live progress, verify it, and plan again to show that "
                + "nothing is left to do.")
final class ApplyCommand extends ClusterCommand {
    @Option(names = "--rotate-encryption-key",
            description = "Also rotate the encryption-at-rest key (Kubernetes' \"Rotating a decryption key\"): a new "
                    + "key added second on every master, made first, every Secret rewritten under it, the old key "
                    + "removed; each API server restarted one at a time at each stage, with the health gates. A "
                    + "rotation that was interrupted is finished by any later apply. See: encryption status.")
    boolean rotateEncryptionKey;

    ApplyCommand(Terminal term) {
        super(term);
    }

    @Override
    int run(Cluster described) {
        return clusterFile.run(described, term.out(), s -> apply(s.cluster(), s.options(), s.fleet()));
    }

    private int apply(Cluster cluster, ApplyOptions quiet, Optional<SimulatedFleet> fleet) {
        PrintStream out = term.out();
        // the re-plan goes without the option: with it, a converged cluster would plan the next rotation
        ApplyOptions options = quiet.toBuilder().rotateEncryptionKey(rotateEncryptionKey).build();
        Plan plan = cluster.plan(options);
        out.print(plan);
        out.println();
        ApplyResult result;
        try (ProgressView view = ProgressView.live(term, Optional.of(plan), Set.of())) {
            result = cluster.apply(plan, options.toBuilder().listener(view).build());
        }
        out.println();
        out.print(result);
        fleet.ifPresent(f -> f.hosts().forEach(SimulatedHost::resetCounters));
        Plan again = cluster.plan(quiet);
        out.println();
        out.println(again.isEmpty() ? "Re-apply: no changes (a second plan finds nothing to do)"
                : "Re-apply would still change " + again.steps().size() + " things:\n" + again);
        fleet.ifPresent(f -> out.println("  the second plan ran " + sum(f, SimulatedHost::commandCount)
                + " commands on the fleet: " + sum(f, SimulatedHost::stateChangingCommandCount)
                + " state-changing, " + sum(f, SimulatedHost::writeCount) + " file writes"));
        out.flush();
        return again.isEmpty() ? Failures.DONE : Failures.FAILED_ON_HOST;
    }

    private static long sum(SimulatedFleet fleet, ToLongFunction<SimulatedHost> counter) {
        return fleet.hosts().stream().mapToLong(counter).sum();
    }
}
