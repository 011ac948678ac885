package io.epiphany.examples;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Machine;
import io.epiphany.api.Plan;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedHost;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * plan / apply / kubeconfig / reset, on the machines a file describes or, with {@code --simulated}, on an in-process
 * SIMULATED fleet standing in for them (one SSH server per machine on 127.0.0.1, started here and stopped at the end).
 */
final class Operations {
    private static final List<String> COMMANDS = List.of("plan", "apply", "kubeconfig", "reset");

    private final PrintStream out;
    private final PrintStream err;

    Operations(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String command, Cluster described, Map<String, String> options) {
        if (!COMMANDS.contains(command)) {
            throw new IllegalArgumentException("unknown command '" + command + "'\n" + Cli.USAGE);
        }
        if (command.equals("reset") && !options.containsKey("--yes")) {
            err.println("reset destroys cluster '" + described.name() + "' and all its data: add --yes to confirm");
            return 2;
        }
        if (!options.containsKey("--simulated")) {
            return run(command, described, options, Optional.empty());
        }
        // the file's login user: a non-root admin_user takes the same sudo path (commands and files) as on real machines
        try (SimulatedFleet fleet = SimulatedFleet.start(described)) {
            // kubeconfig's stdout is the file itself: notes go to stderr there
            PrintStream notes = command.equals("kubeconfig") ? err : out;
            notes.println("SIMULATED: " + fleet.hosts().size() + " in-process hosts on 127.0.0.1 stand in for the "
                    + "machines of the file (login as " + fleet.cluster().ssh().user() + "); nothing leaves this process, and the fleet is gone when it ends.");
            return run(command, fleet.cluster(), options, Optional.of(fleet));
        }
    }

    private int run(String command, Cluster cluster, Map<String, String> options, Optional<SimulatedFleet> fleet) {
        // one runtime for every step of the command, so plan, apply and re-plan share their SSH sessions
        try (RemoteAccess access = RemoteAccess.load()) {
            ApplyOptions quiet = ApplyOptions.builder().remoteAccess(access).build();
            ApplyOptions live = quiet.toBuilder().listener(new ProgressPrinter(out)).build();
            return switch (command) {
                case "plan" -> {
                    out.print(cluster.plan(quiet));
                    yield 0;
                }
                case "apply" -> apply(cluster, live, fleet);
                case "kubeconfig" -> kubeconfig(cluster, options.get("--server-of"), quiet, fleet);
                default -> reset(cluster, live, quiet, fleet);
            };
        }
    }

    private int apply(Cluster cluster, ApplyOptions options, Optional<SimulatedFleet> fleet) {
        Plan plan = cluster.plan(options);
        out.print(plan);
        out.println();
        ApplyResult result = cluster.apply(plan, options);
        out.println();
        out.print(result);
        fleet.ifPresent(f -> f.hosts().forEach(SimulatedHost::resetCounters));
        Plan again = cluster.plan(options);
        out.println();
        out.println(again.isEmpty() ? "Re-apply: no changes (a second plan finds nothing to do)"
                : "Re-apply would still change " + again.steps().size() + " things:\n" + again);
        fleet.ifPresent(f -> out.println("  the second plan ran " + sum(f, SimulatedHost::commandCount)
                + " commands on the fleet: " + sum(f, SimulatedHost::stateChangingCommandCount)
                + " state-changing, " + sum(f, SimulatedHost::writeCount) + " file writes"));
        return again.isEmpty() ? 0 : 3;
    }

    private int kubeconfig(Cluster cluster, String serverOf, ApplyOptions options, Optional<SimulatedFleet> fleet) {
        if (fleet.isPresent()) {
            err.println("SIMULATED: the fleet starts blank, so the cluster is created first (quietly).");
            cluster.apply(options);
        }
        Kubeconfig k = cluster.kubeconfig();
        if (serverOf != null) {
            k = k.withServerOf(cluster.machine(serverOf).orElseThrow(() -> new IllegalArgumentException(
                    "--server-of " + serverOf + ": no such machine; the file has " + cluster.machines().stream()
                            .map(Machine::hostname).toList())));
        }
        out.print(k.yaml());
        return 0;
    }

    private int reset(Cluster cluster, ApplyOptions live, ApplyOptions quiet, Optional<SimulatedFleet> fleet) {
        if (fleet.isPresent()) {
            out.println("SIMULATED: the fleet starts blank, so the cluster is created first (quietly).");
            cluster.apply(quiet);
        }
        cluster.reset(cluster.name(), live);
        out.println("Reset cluster '" + cluster.name() + "': every machine is clean for a fresh apply.");
        return 0;
    }

    private static long sum(SimulatedFleet fleet, ToLongFunction<SimulatedHost> counter) {
        return fleet.hosts().stream().mapToLong(counter).sum();
    }
}
