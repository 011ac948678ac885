package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.haproxy.HaproxyService;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * HAProxy on every master and node before kubeadm runs: installed when missing, configured with the masters that are
 * joined and healthy (or the one about to be initialised), written only when its content changed, checked with
 * {@code haproxy -c} on the host, reloaded without dropping connections.
 */
final class LoadBalancerPhase implements Phase {
    @Override
    public String title() {
        return "Load balancers";
    }

    @Override
    public List<PlannedStep> plan(Context ctx) {
        List<PlannedStep> steps = new ArrayList<>();
        if (ctx.cluster.loadBalancer().isExternal()) {
            return steps;
        }
        List<Machine> backends = List.copyOf(ctx.backends);
        String sha = FactsGatherer.sha256(ctx.files.haproxyConfig(backends).getBytes(StandardCharsets.UTF_8));
        String names = backends.stream().map(Machine::hostname).collect(Collectors.joining(", "));
        for (Machine m : ctx.cluster.machines()) {
            HostFacts f = ctx.facts.host(m);
            List<String> actions = new ArrayList<>();
            if (!f.has("haproxy")) {
                actions.add("install haproxy with " + f.packageManager().orElse("?"));
            }
            if (!f.haproxyConfigSha256().map(sha::equals).orElse(false)) {
                actions.add("write haproxy.cfg (backends: " + names + "), check it with haproxy -c, "
                        + (f.haproxyActive() ? "reload" : "start") + " haproxy");
            } else if (!f.haproxyActive()) {
                actions.add("start haproxy");
            }
            if (!actions.isEmpty()) {
                steps.add(new PlannedStep(title(), m.hostname(), String.join("; ", actions), null));
            }
        }
        return steps;
    }

    @Override
    public void run(Context ctx) {
        String config = ctx.files.haproxyConfig(List.copyOf(ctx.backends));
        String sha = FactsGatherer.sha256(config.getBytes(StandardCharsets.UTF_8));
        List<PlannedStep> steps = plan(ctx);
        var outcomes = Parallel.map(steps, ctx.cluster.ssh().concurrency(), s -> {
            Machine m = ctx.cluster.machine(s.host()).orElseThrow();
            HostFacts f = ctx.facts.host(m);
            ctx.step(s, () -> {
                HaproxyService haproxy = new HaproxyService(ctx.host(m));
                boolean running = f.haproxyActive();
                if (!f.has("haproxy")) {
                    haproxy.install(f.packageManager().orElseThrow());
                    running = haproxy.isActive(); // apt-get starts it with the package's own config: reload, not start
                }
                if (!f.haproxyConfigSha256().map(sha::equals).orElse(false)) {
                    haproxy.configure(config, running);
                } else {
                    haproxy.start(false);
                }
            });
            return m;
        });
        Phases.throwFirstFailure(outcomes);
        ctx.balancedHosts.addAll(ctx.cluster.machines());
    }

    /**
     * Points every host's HAProxy at the current backends, in parallel, each config checked before reload. Called
     * after a master joined (it is added only once healthy) or before one is removed.
     */
    static void updateBackends(Context ctx, PlannedStep step) {
        if (ctx.cluster.loadBalancer().isExternal()) {
            return;
        }
        String config = ctx.files.haproxyConfig(List.copyOf(ctx.backends));
        ctx.step(step, () -> {
            var outcomes = Parallel.map(List.copyOf(ctx.balancedHosts), ctx.cluster.ssh().concurrency(), m -> {
                new HaproxyService(ctx.host(m)).configure(config, true);
                return m;
            });
            Phases.throwFirstFailure(outcomes);
        });
    }
}
