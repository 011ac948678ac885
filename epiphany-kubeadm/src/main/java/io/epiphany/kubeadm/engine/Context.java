package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.ProgressListener;
import io.epiphany.api.Secret;
import io.epiphany.api.remote.RemoteHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The state of one operation: the cluster description, the facts, the hosts, and what has been done so far (so a
 * failure can say what was completed and what was not).
 */
final class Context {
    private static final Logger LOG = LoggerFactory.getLogger("io.epiphany.kubeadm");

    /** The host name of cluster-wide steps. */
    static final String CLUSTER = "cluster";

    final Cluster cluster;
    final ApplyOptions options;
    final Hosts hosts;
    final ConfigFiles files;
    final Facts facts;
    /** Masters the load balancers send traffic to: joined and healthy ones only. */
    final List<Machine> backends = Collections.synchronizedList(new ArrayList<>());
    /** Hosts whose HAProxy is configured by now, so backend changes reach them. */
    final Set<Machine> balancedHosts = Collections.synchronizedSet(new LinkedHashSet<>());
    /**
     * Each host's live haproxy.cfg as the facts read it and this run rewrote it, for a change the running HAProxy can
     * take through its runtime API (the host's script checks it still is), marked as a drain or ready marked it.
     * Absent: not known (a drain or ready that failed part-way; a write in flight).
     */
    final java.util.Map<Machine, String> haproxyFiles = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> completed = Collections.synchronizedList(new ArrayList<>());
    /** What the phases noticed and deliberately left alone, for the plan's notes. */
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    private List<PlannedStep> planned = List.of();
    private Membership membership;
    private Machine source;
    private volatile Machine etcdVia;
    private Secret token;
    private String caCertHash;

    Context(Cluster cluster, ApplyOptions options, Hosts hosts, ConfigFiles files, Facts facts) {
        this.cluster = cluster;
        this.options = options;
        this.hosts = hosts;
        this.files = files;
        this.facts = facts;
        for (Machine m : cluster.masters()) {
            if (facts.joinedMaster(m)) {
                backends.add(m);
            }
        }
        // a retired master the load balancers still send to stays a backend until "Remove masters" drains it and
        // rewrites the configs; dropping it with the first config write would close its connections undrained
        for (Machine m : facts.retired()) {
            if (facts.retiredMaster(m) && facts.hosts().values().stream().anyMatch(f -> f.balancerServers().stream()
                    .anyMatch(s -> s.server().equals(m.hostname())))) {
                backends.add(m);
            }
        }
        if (backends.isEmpty() && !facts.clusterExists()) {
            backends.add(cluster.masters().get(0)); // the master about to be initialised
        }
        for (Machine m : cluster.machines()) {
            if (facts.host(m).haproxyConfig().isPresent()) {
                balancedHosts.add(m);
                haproxyFiles.put(m, facts.host(m).haproxyConfig().get());
            }
        }
        facts.apiMaster().flatMap(this::machine).ifPresent(m -> source = m);
        facts.etcdVia().flatMap(this::machine).ifPresent(m -> etcdVia = m);
    }

    /** What the run produced that the caller needs (e.g. the snapshot file); in the result's verified lines. */
    private final List<String> results = Collections.synchronizedList(new ArrayList<>());

    void result(String text) {
        results.add(text);
    }

    List<String> results() {
        return List.copyOf(results);
    }

    /** Something a phase noticed and left alone; shown in the plan. */
    void note(String text) {
        notes.add(text);
    }

    List<String> notes() {
        return List.copyOf(notes);
    }

    /** A described or retired machine by name. */
    Optional<Machine> machine(String hostname) {
        return cluster.machine(hostname).or(() -> facts.retired().stream()
                .filter(m -> m.hostname().equals(hostname)).findFirst());
    }

    /** The membership changes of this apply, worked out once from the facts. */
    synchronized Membership membership() {
        if (membership == null) {
            membership = Membership.plan(this);
        }
        return membership;
    }

    void planned(List<PlannedStep> steps) {
        this.planned = List.copyOf(steps);
    }

    RemoteHost host(Machine m) {
        return hosts.get(m);
    }

    /** The master files are copied from and cluster commands run on: reachable, joined, holding admin.conf. */
    Optional<Machine> source() {
        return Optional.ofNullable(source);
    }

    Machine requireSource(String phase) {
        if (source == null) {
            throw new ApplyException(phase, null, "no reachable master of the running cluster holds "
                    + KubePaths.ADMIN_CONF, completed(), notDone(), null);
        }
        return source;
    }

    void source(Machine master) {
        this.source = master;
        this.etcdVia = master;
    }

    /**
     * Live etcd membership with health, read through the master that answered last, else any other master: a broken
     * member never blinds the run.
     */
    List<EtcdMember> liveMembers(String phase) {
        List<Machine> candidates = new ArrayList<>();
        if (etcdVia != null) {
            candidates.add(etcdVia);
        }
        cluster.masters().stream().filter(m -> !candidates.contains(m)).forEach(candidates::add);
        facts.retired().stream().filter(facts::retiredMaster).filter(m -> facts.host(m).reachable())
                .filter(m -> !candidates.contains(m)).forEach(candidates::add);
        List<String> tried = new ArrayList<>();
        Optional<Etcd.View> view = Etcd.read(cluster, candidates, this::host, tried);
        if (view.isEmpty()) {
            throw new ApplyException(phase, null, "etcd did not answer on any master: " + tried, completed(),
                    notDone(), null);
        }
        etcdVia = view.get().via();
        return view.get().members();
    }

    /** The master whose etcd answered last: where membership commands run. */
    Machine etcdHost(String phase) {
        if (etcdVia == null) {
            liveMembers(phase);
        }
        return etcdVia;
    }

    Optional<Secret> token() {
        return Optional.ofNullable(token);
    }

    void token(Secret t) {
        this.token = t;
    }

    Optional<String> caCertHash() {
        return Optional.ofNullable(caCertHash);
    }

    void caCertHash(String hash) {
        this.caCertHash = hash;
    }

    List<String> completed() {
        return List.copyOf(completed);
    }

    List<String> notDone() {
        List<String> done = completed();
        List<String> out = new ArrayList<>();
        for (PlannedStep s : planned) {
            if (!done.contains(s.toString())) {
                out.add(s.toString());
            }
        }
        return out;
    }

    /** Tells the listener; a listener that throws is logged and never changes the course of the operation. */
    void tell(java.util.function.Consumer<ProgressListener> call) {
        try {
            call.accept(options.listener());
        } catch (RuntimeException ex) {
            LOG.warn("progress listener failed: {}", ex.toString());
        }
    }

    /**
     * Runs one planned step with progress events, the host in the logging context, and failures turned into an
     * {@link ApplyException} naming the phase, host and cause, with what was and was not done.
     */
    void step(PlannedStep s, Runnable body) {
        String host = s.host().equals(CLUSTER) ? null : s.host();
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(s.phase(), host, "before " + s.action(), null);
        }
        long start = System.nanoTime();
        tell(l -> l.stepStarted(s));
        try (MDC.MDCCloseable c = MDC.putCloseable("host", s.host())) {
            LOG.info("{}: {}", s.phase(), s.action());
            body.run();
        } catch (RuntimeException e) {
            tell(l -> l.stepFailed(s, since(start), e.getMessage()));
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted(s.phase(), host, "during " + s.action(), e);
            }
            throw e instanceof ApplyException a ? a
                    : new ApplyException(s.phase(), host, s.action() + ": " + e.getMessage(), completed(), notDone(), e);
        }
        if (Thread.currentThread().isInterrupted()) {
            // the body may have let a cancelled command pass as a tolerated failure: the step is not known done
            tell(l -> l.stepFailed(s, since(start), "interrupted"));
            throw interrupted(s.phase(), host, "during " + s.action(), null);
        }
        completed.add(s.toString());
        tell(l -> l.stepFinished(s, since(start)));
    }

    /**
     * The failure of an interrupted operation: says so and what was and was not done. The caller's interrupt flag
     * stays set (whoever interrupted the thread may rely on it).
     */
    ApplyException interrupted(String phase, String host, String where, Throwable cause) {
        return interrupted(phase, host, where, completed(), notDone(), cause);
    }

    static ApplyException interrupted(String phase, String host, String where, List<String> completed,
            List<String> notDone, Throwable cause) {
        return new ApplyException(phase, host, "interrupted (Thread.interrupt) " + where + "; a command that had "
                + "started on a host may still finish there, the next apply continues from what the hosts report",
                completed, notDone, cause);
    }

    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
