package io.epiphany.cli;

import io.epiphany.api.Cluster;
import io.epiphany.api.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code epiphany plan}: what apply would change, per host, in order; read-only. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Show what apply would change, per host, in order. Connects to every host, read-only.")
final class PlanCommand extends ClusterCommand {
    /** How the plan is printed. */
    enum Format { text, json }

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json: {cluster, changes, steps: [{phase, host, action, quorum}], notes}.")
    Format output;

    PlanCommand(Terminal term) {
        super(term);
    }

    @Override
    int run(Cluster described) {
        boolean json = output == Format.json;
        // JSON on stdout is for a program: the SIMULATED notice goes to stderr then
        Plan plan = clusterFile.run(described, json ? term.err() : term.out(), s -> s.cluster().plan(s.options()));
        if (json) {
            term.out().println(PlanJson.write(plan));
        } else {
            term.out().print(plan);
        }
        term.out().flush();
        return Failures.DONE;
    }
}
