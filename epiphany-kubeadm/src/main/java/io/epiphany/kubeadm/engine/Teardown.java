package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.haproxy.HaproxyService;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code reset}: nodes first (in parallel), then masters one at a time (the one the API is read from last), then the
 * load balancers; every file the SDK wrote is removed so a fresh apply starts clean.
 */
final class Teardown {
    static final String PHASE = "Reset";
    private final Context ctx;

    Teardown(Context ctx) {
        this.ctx = ctx;
    }

    void run() {
        ctx.tell(l -> l.phaseStarted(PHASE, List.of()));
        long start = System.nanoTime();
        var nodes = Parallel.map(ctx.cluster.nodes(), ctx.cluster.ssh().concurrency(), m -> {
            resetMachine(m);
            return m;
        });
        Parallel.throwFirstFailure(nodes);
        List<Machine> masters = new ArrayList<>(ctx.cluster.masters());
        ctx.source().ifPresent(s -> {
            masters.removeIf(m -> m.hostname().equals(s.hostname()));
            masters.add(s);
        });
        for (Machine m : masters) {
            resetMachine(m);
        }
        if (!ctx.cluster.loadBalancer().isExternal()) {
            var lbs = Parallel.map(ctx.cluster.machines(), ctx.cluster.ssh().concurrency(), m -> {
                if (ctx.facts.host(m).haproxyConfigSha256().isPresent() || ctx.facts.host(m).haproxyActive()) {
                    ctx.step(PlannedStep.of(PHASE, m.hostname(), PlannedStep.Kind.RESET, "stop haproxy and remove its configuration", null),
                            () -> new HaproxyService(ctx.host(m)).remove());
                }
                return m;
            });
            Parallel.throwFirstFailure(lbs);
        }
        ctx.tell(l -> l.phaseFinished(PHASE, Context.since(start)));
    }

    private void resetMachine(Machine m) {
        ctx.step(PlannedStep.of(PHASE, m.hostname(), PlannedStep.Kind.RESET, "kubeadm reset -f and remove the SDK's files",
                null), () -> {
            if (ctx.facts.host(m).kubeletConf() || ctx.facts.host(m).adminConf()) {
                ctx.host(m).run(HostCommands.kubeadm("reset", "-f")).orThrow();
            }
            Removal.removeSdkFiles(ctx, m, ctx.cluster.isMaster(m));
        });
    }
}
