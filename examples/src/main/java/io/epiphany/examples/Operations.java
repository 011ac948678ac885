package io.epiphany.examples;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Plan;
import io.epiphany.api.ProgressEvent;
import io.epiphany.api.ProgressListener;
import java.io.PrintStream;
import java.util.Map;

/** plan / apply / kubeconfig / reset, on real machines or on the in-process SIMULATED fleet. */
final class Operations {
    private final PrintStream out;
    private final PrintStream err;

    Operations(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String command, Cluster cluster, Map<String, String> options) {
        return switch (command) {
            case "plan" -> {
                out.print(cluster.plan(applyOptions()));
                yield 0;
            }
            case "apply" -> apply(cluster);
            case "kubeconfig" -> {
                Kubeconfig k = cluster.kubeconfig();
                String master = options.get("--server-of");
                if (master != null) {
                    k = k.withServerOf(cluster.machine(master).orElseThrow(() -> new IllegalArgumentException(
                            "--server-of " + master + ": no such machine")));
                }
                out.print(k.yaml());
                yield 0;
            }
            case "reset" -> {
                if (!options.containsKey("--yes")) {
                    err.println("reset destroys cluster '" + cluster.name() + "' and all its data: add --yes to confirm");
                    yield 2;
                }
                cluster.reset(cluster.name(), applyOptions());
                out.println("Reset cluster '" + cluster.name() + "': every machine is clean for a fresh apply.");
                yield 0;
            }
            default -> throw new IllegalArgumentException("unknown command '" + command + "'\n" + Cli.USAGE);
        };
    }

    private int apply(Cluster cluster) {
        ApplyOptions options = applyOptions();
        Plan plan = cluster.plan(options);
        out.print(plan);
        ApplyResult result = cluster.apply(plan, options);
        out.print(result);
        return 0;
    }

    private ApplyOptions applyOptions() {
        return ApplyOptions.builder().listener(progress()).build();
    }

    /** Live progress: one line per phase and per finished or failed step. */
    ProgressListener progress() {
        return (ProgressEvent e) -> {
            switch (e.type()) {
                case PHASE_STARTED -> out.println("==> " + e.phase());
                case STEP_FINISHED -> out.println("    ok   " + e.host().orElse("") + "  " + e.step().orElse("")
                        + "  (" + e.duration().map(d -> d.toMillis() + " ms").orElse("") + ")");
                case STEP_FAILED -> out.println("    FAIL " + e.host().orElse("") + "  " + e.step().orElse("")
                        + ": " + e.error().orElse(""));
                default -> { }
            }
            out.flush();
        };
    }
}
