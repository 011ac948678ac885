package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Finding;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.ControlPlaneConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Renews kubeadm's non-CA certificates that expire within
 * {@link io.epiphany.api.ApplyOptions#certificateRenewalThreshold()} (the one threshold: {@link Findings} reports
 * from {@link #expiring(Context, Machine, boolean)} too), one master at a time: the master is drained from every
 * HAProxy, {@code kubeadm certs renew all --config <file>} renews its leaf certificates and the client certificates of
 * admin.conf, super-admin.conf, controller-manager.conf and scheduler.conf (with {@code --config} kubeadm needs no API
 * server, so an expired certificate does not stop it), its etcd, kube-apiserver, kube-controller-manager and
 * kube-scheduler containers are stopped with {@code crictl stop} so that the kubelet starts them again (restartPolicy
 * Always) reading the new files, and the next master waits until this one's API server answers {@code /readyz} and
 * every etcd member is healthy; then it takes traffic again. That is {@link #expiringSoon()}, after Repair, so an
 * unhealthy member is mended before the gates ask for health. When a certificate has already expired (an etcd peer's
 * breaks the members' health on every master at once, an admin.conf's the API: {@link CertificatesExpired}),
 * {@link #expired()}, before Repair (which could not mend it), renews every master without the gates and awaits the
 * control plane once after the last. CAs are never renewed (kubeadm does not): a CA inside the threshold is a finding
 * with the manual procedure.
 */
final class RenewCertificatesPhase implements Phase {
    static final String TITLE = "Renew certificates";
    static final String EXPIRED_TITLE = "Renew expired certificates";
    /** The containers restarted after a renewal, in this order (etcd first: its peers need the new peer cert). */
    static final List<String> CONTAINERS = List.of("etcd", "kube-apiserver", "kube-controller-manager",
            "kube-scheduler");

    private final boolean expired;

    private RenewCertificatesPhase(boolean expired) {
        this.expired = expired;
    }

    /** Before Repair: acts only when a certificate has already expired (that is what Repair could not mend). */
    static RenewCertificatesPhase expired() {
        return new RenewCertificatesPhase(true);
    }

    /** After Repair: acts only when certificates expire soon and none has yet (the gates need a healthy cluster). */
    static RenewCertificatesPhase expiringSoon() {
        return new RenewCertificatesPhase(false);
    }

    @Override
    public String title() {
        return expired ? EXPIRED_TITLE : TITLE;
    }

    /** The master's certificates (name to expiry) inside the threshold: leaf ones, or CAs when {@code authorities}. */
    static Map<String, Instant> expiring(Context ctx, Machine m, boolean authorities) {
        Instant limit = ctx.options.clock().instant().plus(ctx.options.certificateRenewalThreshold());
        Map<String, Instant> out = new TreeMap<>();
        ctx.facts.controlPlane(m).ifPresent(cp -> cp.certificates().forEach((name, c) -> {
            if (c.authority() == authorities && c.notAfter().isBefore(limit)) {
                out.put(name, c.notAfter());
            }
        }));
        return out;
    }

    /** One finding per certificate inside the threshold, saying what the plan or the operator does about it. */
    static void findings(Context ctx, Machine m, List<Finding> out) {
        Instant now = ctx.options.clock().instant();
        expiring(ctx, m, false).forEach((name, at) -> out.add(Finding.of(m.hostname(), name + (at.isBefore(now)
                ? " expired on " : " expires on ") + at, "the plan renews it (`kubeadm certs renew all`) and restarts "
                + "this master's control plane, one master at a time")));
        expiring(ctx, m, true).forEach((name, at) -> out.add(Finding.of(m.hostname(), "certificate authority " + name
                + (at.isBefore(now) ? " expired on " : " expires on ") + at, "kubeadm does not renew CAs and neither "
                + "does the SDK: rotate it by hand before it expires (Kubernetes: \"Manual rotation of CA "
                + "certificates\"); every certificate it signed stops being trusted when it does")));
    }

    @Override
    public Work prepare(Context ctx) {
        if (!ctx.facts.clusterExists()) {
            return Work.none();
        }
        Instant now = ctx.options.clock().instant();
        Map<Machine, Map<String, Instant>> due = new LinkedHashMap<>();
        for (Machine m : ctx.cluster.masters()) {
            Map<String, Instant> certs = expiring(ctx, m, false);
            if (ctx.facts.host(m).reachable() && !certs.isEmpty()) {
                due.put(m, certs);
            }
        }
        // an expired certificate (an etcd peer's, an API server's) is itself what breaks the health the gates ask
        // for, on every master at once: then all are renewed without the gates and the control plane is awaited after
        boolean recover = due.values().stream().anyMatch(c -> c.values().stream().anyMatch(at -> at.isBefore(now)));
        if (recover != expired) {
            return Work.none();
        }
        List<Step> steps = new ArrayList<>();
        due.forEach((m, certs) -> {
            String action = "renew " + certs.size() + " certificate(s) expiring by " + certs.values().stream()
                    .max(Instant::compareTo).orElseThrow() + " (" + String.join(", ", certs.keySet()) + ") with "
                    + "`kubeadm certs renew all`, restart " + String.join(", ", CONTAINERS) + "; drained from every "
                    + "HAProxy meanwhile; " + (recover ? "certificates already expired, so without the health gates "
                    + "(the control plane is awaited once every master is renewed)" : "only while every etcd member "
                    + "is healthy and its API server ready, verified before the next master");
            steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.RENEW, action, null),
                    () -> renew(ctx, m, recover)));
        });
        if (recover) {
            List<Machine> renewed = List.copyOf(due.keySet());
            steps.add(new Step(PlannedStep.of(title(), Context.CLUSTER, PlannedStep.Kind.RENEW, "wait until the API "
                    + "server of " + renewed.stream().map(Machine::hostname).toList() + " is ready and every etcd "
                    + "member healthy, then put them back in every HAProxy", null), () -> renewed.forEach(m -> {
                        Health.awaitMaster(ctx, title(), m, "its expired certificates were renewed");
                        LoadBalancerPhase.readyEverywhere(ctx, m);
                    })));
        }
        return Work.inOrder(steps);
    }

    private void renew(Context ctx, Machine m, boolean recover) {
        RemoteHost h = ctx.host(m);
        if (!recover) {
            Health.requireMaster(ctx, title(), m);
        }
        LoadBalancerPhase.drainEverywhere(ctx, m);
        h.upload(RemoteFile.of(ControlPlaneConfig.PATH, ControlPlaneConfig.render(ctx.cluster, m), 0600));
        try {
            h.run(HostCommands.kubeadm("certs", "renew", "all", "--config", ControlPlaneConfig.PATH)).orThrow();
        } finally {
            h.run(HostCommands.remove(ControlPlaneConfig.PATH));
        }
        for (String container : CONTAINERS) {
            restart(ctx, title(), m, container);
        }
        if (!recover) {
            Health.awaitMaster(ctx, title(), m, "its certificates were renewed and its control plane restarted");
            LoadBalancerPhase.readyEverywhere(ctx, m);
        }
    }

    /**
     * Stops the component's running container; the kubelet starts a new one (a new ID) that reads its files again
     * (renewed certificates, a rewritten encryption config).
     */
    static void restart(Context ctx, String phase, Machine m, String container) {
        RemoteHost h = ctx.host(m);
        Optional<String> id = Etcd.container(ctx.cluster, h, container);
        if (id.isEmpty()) {
            return; // not running: the kubelet starts it with the new files whenever it does
        }
        h.run(Etcd.crictlStop(ctx.cluster, id.get())).orThrow();
        Poll poll = new Poll(ctx.options.healthTimeout());
        do {
            Optional<String> now = Etcd.container(ctx.cluster, h, container);
            if (now.isPresent() && !now.get().equals(id.get())) {
                return;
            }
        } while (poll.again());
        throw new ApplyException(phase, m.hostname(), "the kubelet did not start a new " + container + " container "
                + "within " + ctx.options.healthTimeout().toSeconds() + " s after `crictl stop`", ctx.completed(),
                ctx.notDone(), null);
    }

}
