package io.epiphany.cli;

import io.epiphany.api.Cluster;
import io.epiphany.api.LoadBalancerStatus;
import picocli.CommandLine.Command;

/** {@code epiphany lb}: the node-local load balancers; {@code lb status} reads every host's HAProxy. */
@Command(name = "lb", mixinStandardHelpOptions = true,
        description = "The HAProxy on every master and node (see: lb status).")
final class LbCommand extends CommandGroup {
    /** {@code epiphany lb status}: one table, host by master, and what disagrees; exit 3 when anything does. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Read every host's HAProxy through its runtime API (server states, last check, sessions, "
                    + "config hash) into one table, host by master, and flag a host whose backends differ from the "
                    + "description, a master down on some hosts only, or an HAProxy that is not running. Exits 3 "
                    + "when anything is flagged.")
    static final class Status extends ClusterCommand {
        Status(Terminal term) {
            super(term);
        }

        @Override
        int run(Cluster described) {
            LoadBalancerStatus status = onRunningCluster(described, term.err(),
                    s -> s.cluster().loadBalancers(s.options()));
            term.out().print(status.table());
            status.flags().forEach(f -> term.out().println("FLAG " + f.kind() + " " + f.subject() + ": "
                    + f.message()));
            term.out().flush();
            return status.healthy() ? Failures.DONE : Failures.FAILED_ON_HOST;
        }
    }
}
