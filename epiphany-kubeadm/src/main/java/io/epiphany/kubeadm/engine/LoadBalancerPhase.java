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
 * {@code haproxy -c} on the host, reloaded without dropping connections; a later master joining or leaving reaches a
 * running HAProxy through its runtime API instead ({@link #write}).
 */
final class LoadBalancerPhase implements Phase {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.epiphany.kubeadm");

    @Override
    public String title() {
        return "Load balancers";
    }

    @Override
    public Work prepare(Context ctx) {
        if (ctx.cluster.loadBalancer().isExternal()) {
            return Work.none();
        }
        List<Machine> backends = List.copyOf(ctx.backends);
        String config = ctx.files.haproxyConfig(backends);
        String sha = FactsGatherer.sha256(config.getBytes(StandardCharsets.UTF_8));
        String names = backends.stream().map(Machine::hostname).collect(Collectors.joining(", "));
        List<Step> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.machines()) {
            HostFacts f = ctx.facts.host(m);
            boolean install = !f.has("haproxy");
            // socat is HAProxy's runtime API client (drain before a master leaves, cluster.loadBalancers())
            boolean runtimeClient = !install && !f.has("socat");
            boolean write = !f.haproxyConfigSha256().map(sha::equals).orElse(false);
            List<String> actions = new ArrayList<>();
            if (install) {
                actions.add("install haproxy and socat with " + f.packageManager().orElse("?"));
            } else if (runtimeClient) {
                actions.add("install socat (HAProxy's runtime API client) with " + f.packageManager().orElse("?"));
            }
            // what write() will find in ctx.haproxyFiles, which starts from these facts
            boolean runtime = !install && f.haproxyActive()
                    && f.haproxyConfig().map(l -> HaproxyService.changesOnlyServers(l, config)).orElse(false);
            if (write) {
                actions.add("write haproxy.cfg (backends: " + names + "), check it with haproxy -c, "
                        + (runtime ? "give the running haproxy the servers through its runtime API (reload if refused)"
                        : f.haproxyActive() ? "reload haproxy" : "start haproxy"));
            } else if (!f.haproxyActive()) {
                actions.add("start haproxy");
            }
            if (actions.isEmpty()) {
                continue;
            }
            steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.LOAD_BALANCER,
                    String.join("; ", actions), null), () -> {
                        HaproxyService haproxy = new HaproxyService(ctx.host(m));
                        boolean running = f.haproxyActive();
                        if (install) {
                            haproxy.install(f.packageManager().orElseThrow());
                            running = haproxy.isActive(); // apt-get starts it with the package's config: reload
                        } else if (runtimeClient) {
                            haproxy.ensureRuntimeClient(f.packageManager().orElseThrow());
                        }
                        if (write) {
                            write(ctx, m, config, running);
                        } else {
                            haproxy.start(false);
                        }
                        ctx.balancedHosts.add(m);
                    }));
        }
        return Work.inParallel(steps);
    }

    /** The step that points every host's HAProxy at the backends as they are when it runs. */
    static Step backendsStep(Context ctx, String phase, String action) {
        return new Step(PlannedStep.of(phase, Context.CLUSTER, PlannedStep.Kind.LOAD_BALANCER, action, null),
                () -> updateBackends(ctx));
    }

    /** How long a leaving master's open connections get to finish before HAProxy closes them. */
    static final java.time.Duration DRAIN_WAIT = java.time.Duration.ofSeconds(5);

    /**
     * Before a master leaves, every host stops sending it new connections and moves its open ones off (HAProxy's
     * runtime API, the config kept in step). Best effort: a host whose HAProxy has no runtime API yet (no socat, an
     * older config) still loses the master at the reload that follows, as before; the reason is logged.
     */
    static void drainEverywhere(Context ctx, Machine leaving) {
        Parallel.map(List.copyOf(ctx.balancedHosts), ctx.cluster.ssh().concurrency(), m -> {
            try {
                new HaproxyService(ctx.host(m)).drain(leaving.hostname(), DRAIN_WAIT);
                liveFileMarked(ctx, m, live -> HaproxyService.drainedConfig(live, leaving.hostname()));
            } catch (RuntimeException e) {
                ctx.haproxyFiles.remove(m); // the live file may or may not carry the mark now
                LOG.warn("{}: could not drain {} through HAProxy's runtime API ({}); the reload removes it", m.hostname(),
                        leaving.hostname(), e.getMessage());
            }
            return m;
        });
    }

    /**
     * Puts a master back in service on every host that balances to it, after {@link #drainEverywhere}. Best effort as
     * the drain: a host whose runtime API failed is logged, and its health check brings the master back.
     */
    static void readyEverywhere(Context ctx, Machine master) {
        Parallel.map(List.copyOf(ctx.balancedHosts), ctx.cluster.ssh().concurrency(), m -> {
            try {
                new HaproxyService(ctx.host(m)).ready(master.hostname());
                liveFileMarked(ctx, m, live -> HaproxyService.readyConfig(live, master.hostname()));
            } catch (RuntimeException e) {
                ctx.haproxyFiles.remove(m);
                LOG.warn("{}: could not set {} ready through HAProxy's runtime API ({}); its health check brings it "
                        + "back", m.hostname(), master.hostname(), e.getMessage());
            }
            return m;
        });
    }

    /**
     * Keeps the host's known live file in step with a drain or ready that marked it (so the removal after a drain
     * still goes through the runtime API); forgotten when it cannot be (the next write then reloads).
     */
    private static void liveFileMarked(Context ctx, Machine m, java.util.function.UnaryOperator<String> mark) {
        try {
            ctx.haproxyFiles.computeIfPresent(m, (k, live) -> mark.apply(live));
        } catch (IllegalArgumentException noSuchLine) {
            ctx.haproxyFiles.remove(m);
        }
    }

    /** Points every configured host's HAProxy at the current backends, in parallel, each config checked first. */
    static void updateBackends(Context ctx) {
        String config = ctx.files.haproxyConfig(List.copyOf(ctx.backends));
        List<Machine> hosts = List.copyOf(ctx.balancedHosts);
        Parallel.throwFirstFailure(Parallel.map(hosts, ctx.cluster.ssh().concurrency(), m -> {
            write(ctx, m, config, true);
            return m;
        }));
    }

    /**
     * {@code config} on one host in one exec: given to a running HAProxy through its runtime API when the host's live
     * file is known ({@link Context#haproxyFiles}) and only servers differ; else (or when HAProxy refuses) reloaded,
     * or started when it does not run.
     */
    private static void write(Context ctx, Machine m, String config, boolean running) {
        String live = ctx.haproxyFiles.remove(m); // unknown until the exec says what the file is
        HaproxyService haproxy = new HaproxyService(ctx.host(m));
        if (running && live != null) {
            haproxy.configure(config, live);
        } else {
            haproxy.configure(config, running);
        }
        ctx.haproxyFiles.put(m, config);
    }
}
