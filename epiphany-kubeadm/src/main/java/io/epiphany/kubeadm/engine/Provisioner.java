package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Backup;
import io.epiphany.api.RestoreOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Machine;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.RemoteAccess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Plan, apply, kubeconfig and reset of a cluster: gathers facts, runs the phases in the design's order, verifies.
 * The list of phases reads like the design document.
 */
public final class Provisioner {
    /** The apply verb, in the design's order: repairs and broken members first, joins, then removals. */
    static List<Phase> phases() {
        return List.of(new KernelPhase(), new PackagesPhase(), new ContainerRuntimePhase(), new PullImagesPhase(),
                new LoadBalancerPhase(), RenewCertificatesPhase.expired(), new Repair(),
                RenewCertificatesPhase.expiringSoon(), new InitControlPlanePhase(), new CniPhase(), new UpgradePhase(),
                RemoveMastersPhase.broken(), new ReconfigurePhase(), new RotateEncryptionKeyPhase(),
                new JoinMastersPhase(), new JoinNodesPhase(), new NodeLabelsPhase(), new RemoveNodesPhase(),
                RemoveMastersPhase.healthy());
    }

    /** Each phase's work, selected once from the facts. */
    private record Prepared(Phase phase, Work work) {}

    public Plan plan(Cluster cluster, ApplyOptions options) {
        return withAccess(options, access -> {
            Context ctx = context(cluster, options, access);
            return plan(ctx, prepare(ctx));
        });
    }

    /** The restore verb: the apply verb with the control plane restored from a backup instead of initialised. */
    static List<Phase> restorePhases(Backup backup) {
        return phases().stream().map(p -> p instanceof InitControlPlanePhase ? new RestorePhase(backup) : p).toList();
    }

    private static List<Prepared> prepare(Context ctx) {
        return prepare(ctx, phases());
    }

    private static List<Prepared> prepare(Context ctx, List<Phase> phases) {
        return beforeAnyChange("Plan", () -> prepareNow(ctx, phases), List.of());
    }

    private static List<Prepared> prepareNow(Context ctx, List<Phase> phases) {
        boolean recovering = CertificatesExpired.recovering(ctx.facts);
        if (!recovering) {
            Guards.check(ctx);
        }
        List<Prepared> out = new ArrayList<>();
        for (Phase p : recovering ? List.<Phase>of(RenewCertificatesPhase.expired()) : phases) {
            out.add(new Prepared(p, p.prepare(ctx)));
        }
        Phase tokens = new DeleteBootstrapTokenPhase(out.stream().flatMap(p -> p.work().planned().stream()).toList());
        out.add(new Prepared(tokens, tokens.prepare(ctx)));
        return out;
    }

    private static Plan plan(Context ctx, List<Prepared> prepared) {
        List<PlannedStep> steps = new ArrayList<>();
        prepared.forEach(p -> steps.addAll(p.work().planned()));
        return Plan.of(ctx.cluster, steps, Findings.of(ctx), ctx.facts.digest(), notes(ctx));
    }

    /** Carries out a plan made earlier (perhaps shown to a person): refused when the hosts changed since. */
    public ApplyResult apply(Plan plan, ApplyOptions options) {
        long start = System.nanoTime();
        return withAccess(options, access -> plan.isEmpty() ? applyReviewed(plan, options, access, start)
                : locked(plan.cluster(), options, access, () -> applyReviewed(plan, options, access, start)));
    }

    private static ApplyResult applyReviewed(Plan plan, ApplyOptions options, RemoteAccess access, long start) {
        Facts facts = gather(plan.cluster(), options, access);
        if (!facts.digest().equals(plan.factsDigest())) {
            throw new ApplyException("Plan", null, "the hosts changed since this plan was made; make a new plan "
                    + "and review it", List.of(), List.of("everything: nothing was changed"), null);
        }
        Context ctx = context(plan.cluster(), options, access, facts);
        List<Prepared> prepared = prepare(ctx);
        Plan fresh = plan(ctx, prepared);
        if (!fresh.steps().equals(plan.steps())) {
            throw new ApplyException("Plan", null, "this plan's steps are not the ones the engine plans from the "
                    + "hosts' facts; make a new plan with cluster.plan()", List.of(),
                    List.of("everything: nothing was changed"), null);
        }
        return execute(ctx, prepared, fresh, start);
    }

    /**
     * Plans; a converged cluster is only verified (nothing to change, so nothing to lock and nothing written).
     * Otherwise the cluster lock is taken and the plan is made again under it from fresh facts, so two callers can
     * never both act on the same state, and that plan is carried out.
     */
    public ApplyResult apply(Cluster cluster, ApplyOptions options) {
        long start = System.nanoTime();
        return withAccess(options, access -> {
            Context first = context(cluster, options, access);
            List<Prepared> firstWork = prepare(first);
            Plan firstPlan = plan(first, firstWork);
            if (firstPlan.isEmpty()) {
                return execute(first, firstWork, firstPlan, start);
            }
            return locked(cluster, options, access, () -> {
                Context ctx = context(cluster, options, access);
                List<Prepared> prepared = prepare(ctx);
                return execute(ctx, prepared, plan(ctx, prepared), start);
            });
        });
    }

    /** Runs exactly the prepared steps, phase by phase, then verifies. */
    private static ApplyResult execute(Context ctx, List<Prepared> prepared, Plan plan, long start) {
        ctx.planned(plan.steps());
        for (Prepared p : prepared) {
            if (p.work().steps().isEmpty()) {
                continue;
            }
            long phaseStart = System.nanoTime();
            ctx.tell(l -> l.phaseStarted(p.phase().title(), p.work().planned()));
            try {
                p.work().run(ctx);
            } catch (ApplyException e) {
                throw e;
            } catch (RuntimeException e) {
                // outside any one step (waiting for a stage's hosts): still the phase, with what was done
                throw Thread.currentThread().isInterrupted()
                        ? ctx.interrupted(p.phase().title(), null, "while its steps ran", e)
                        : new ApplyException(p.phase().title(), null, e.getMessage(), ctx.completed(), ctx.notDone(),
                                e);
            }
            ctx.tell(l -> l.phaseFinished(p.phase().title(), Context.since(phaseStart)));
        }
        if (CertificatesExpired.recovering(ctx.facts)) {
            return new ApplyResult(plan, Duration.ofNanos(System.nanoTime() - start), List.of("expired certificates "
                    + "renewed on every master and the control plane healthy; apply again to converge the rest"));
        }
        long verifyStart = System.nanoTime();
        ctx.tell(l -> l.phaseStarted(Verification.PHASE, List.of()));
        List<String> verified = new ArrayList<>(ctx.results());
        verified.addAll(beforeAnyChange(Verification.PHASE, () -> Verification.verify(ctx), ctx.completed()));
        ctx.tell(l -> l.phaseFinished(Verification.PHASE, Context.since(verifyStart)));
        return new ApplyResult(plan, Duration.ofNanos(System.nanoTime() - start), verified);
    }

    public Kubeconfig kubeconfig(Cluster cluster, ApplyOptions options) {
        return withAccess(options, access -> {
            Hosts hosts = new Hosts(cluster, access);
            List<String> tried = new ArrayList<>();
            for (Machine m : cluster.masters()) {
                try {
                    Optional<byte[]> admin = hosts.get(m).read(KubePaths.ADMIN_CONF);
                    if (admin.isPresent()) {
                        return new Kubeconfig(new String(admin.get(), StandardCharsets.UTF_8));
                    }
                    tried.add(m.hostname() + ": no " + KubePaths.ADMIN_CONF);
                } catch (RuntimeException e) {
                    tried.add(e.getMessage());
                }
            }
            throw new ApplyException("Kubeconfig", null, "no master has " + KubePaths.ADMIN_CONF + " (is the cluster "
                    + "applied?): " + tried, List.of(), List.of(), null);
        });
    }

    public void reset(Cluster cluster, ApplyOptions options) {
        withAccess(options, access -> {
            // destructive: confirmed against the cluster found on the machines, not against the description, before
            // the lock is taken (a refusal writes nothing) and again under it
            Guards.sameCluster(cluster, context(cluster, options, access).facts, "reset");
            return locked(cluster, options, access, () -> {
                Context ctx = context(cluster, options, access);
                Guards.sameCluster(cluster, ctx.facts, "reset");
                new Teardown(ctx).run();
                return null;
            });
        });
    }

    /**
     * Disaster recovery from a backup: the archive checked before any host is contacted, a cluster still running on
     * the machines refused (read-only, before the lock) unless the caller confirmed replacing it, then under the lock
     * checked again, the machines reset if confirmed, and the restore verb planned from fresh facts and carried out.
     */
    public ApplyResult restore(Cluster cluster, Backup given, RestoreOptions restore, ApplyOptions options) {
        long start = System.nanoTime();
        Backup backup = RestoreChecks.archive(cluster, given);
        return withAccess(options, access -> {
            Hosts hosts = new Hosts(cluster, access);
            RestoreChecks.refuseLive(cluster, RestoreChecks.live(cluster, hostsOnly(cluster, options, hosts), hosts),
                    restore);
            return locked(cluster, options, access, () -> {
                Facts machines = hostsOnly(cluster, options, hosts);
                List<String> live = RestoreChecks.live(cluster, machines, hosts);
                RestoreChecks.refuseLive(cluster, live, restore);
                if (!live.isEmpty()) {
                    Context resetting = context(cluster, options, access, machines);
                    new Teardown(resetting).run();
                    RestoreChecks.clearEtcdData(resetting, live);
                }
                Context ctx = context(cluster, options, access);
                if (ctx.facts.clusterExists()) {
                    throw RestoreChecks.refuse("a cluster still answers on the machines after they were reset: "
                            + ctx.facts.apiMaster().orElse("admin.conf present"));
                }
                List<Prepared> prepared = prepare(ctx, restorePhases(backup));
                return execute(ctx, prepared, plan(ctx, prepared), start);
            });
        });
    }

    private static Facts hostsOnly(Cluster cluster, ApplyOptions options, Hosts hosts) {
        return new FactsGatherer(cluster, hosts, options.knownMachines(), options.clock()).hostsOnly();
    }

    /**
     * Runs a mutating verb under the cluster lock on the masters, taken before the facts are read so that two
     * callers can never both plan from the same state; released however the verb ends.
     */
    private static <T> T locked(Cluster cluster, ApplyOptions options, RemoteAccess access,
            java.util.function.Supplier<T> body) {
        Hosts hosts = new Hosts(cluster, access);
        List<io.epiphany.api.remote.RemoteHost> masters = cluster.masters().stream().map(hosts::get).toList();
        // taken and released uninterrupted: a lock half-taken (a directory without its owner file) or left behind
        // would lock the next apply out; an interruption meanwhile is seen by the body's first step
        try (ClusterLock lock = Cleanup.uninterrupted(() -> ClusterLock.acquire(masters,
                ClusterLock.Settings.of(options)))) {
            return body.get();
        }
    }

    private static Context context(Cluster cluster, ApplyOptions options, RemoteAccess access) {
        return context(cluster, options, access, gather(cluster, options, access));
    }

    private static Facts gather(Cluster cluster, ApplyOptions options, RemoteAccess access) {
        return beforeAnyChange(FactsGatherer.PHASE, () -> {
            try {
                return new FactsGatherer(cluster, new Hosts(cluster, access), options.knownMachines(),
                        options.clock()).gather();
            } catch (CertificatesExpired e) {
                return e.facts(); // the API does not answer because certificates expired: plan their renewal alone
            }
        }, List.of());
    }

    /**
     * Reading, planning or verifying, which change nothing: any failure that is not yet an {@link ApplyException} or
     * a {@link io.epiphany.api.ConfigException} (an interruption, a bug) becomes one of {@code phase}.
     */
    private static <T> T beforeAnyChange(String phase, java.util.function.Supplier<T> body, List<String> completed) {
        List<String> notDone = completed.isEmpty() ? List.of("everything: nothing was changed") : List.of();
        if (Thread.currentThread().isInterrupted()) {
            throw Context.interrupted(phase, null, "before it started", completed, notDone, null);
        }
        try {
            return body.get();
        } catch (ApplyException | io.epiphany.api.ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Thread.currentThread().isInterrupted()
                    ? Context.interrupted(phase, null, "while reading the hosts", completed, notDone, e)
                    : new ApplyException(phase, null, String.valueOf(e.getMessage()), completed, notDone, e);
        }
    }

    private static Context context(Cluster cluster, ApplyOptions options, RemoteAccess access, Facts facts) {
        HostValidation.check(cluster, facts);
        return new Context(cluster, options, new Hosts(cluster, access), new RenderedConfigFiles(cluster), facts);
    }

    private static List<String> notes(Context ctx) {
        List<String> notes = new ArrayList<>(ctx.cluster.warnings());
        notes.addAll(io.epiphany.kubeadm.render.FlagChanges.of(ctx.cluster));
        notes.addAll(ctx.notes());
        if (CertificatesExpired.recovering(ctx.facts)) {
            notes.add("the cluster's API answers on no master and certificates have expired: this plan only renews "
                    + "them; apply again afterwards for everything else");
        }
        return notes;
    }

    private static <T> T withAccess(ApplyOptions options, Function<RemoteAccess, T> body) {
        if (options.remoteAccess().isPresent()) {
            return body.apply(options.remoteAccess().get());
        }
        try (RemoteAccess access = RemoteAccess.load()) {
            return body.apply(access);
        }
    }
}
