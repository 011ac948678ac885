package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.KubernetesVersion;
import io.epiphany.api.Machine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything an upgrade needs before its first change, checked from the facts (no host is changed, only a member's
 * containerd version is read) and refused from {@code plan()} with every problem at once: host preparation on, every
 * etcd member healthy, every Node Ready, the version skew policy (kubernetes.io/releases/version-skew-policy: the
 * kubelet never newer than the API server and at most 3 minors older; kubectl within one minor of it; kubeadm the
 * control plane's minor or the next), containerd 2.x and cgroup v2 for 1.36+, etcd 3.5 at 3.5.26 or newer before 3.6,
 * and no certificate expiring before the upgrade can have ended.
 */
final class UpgradePreflight {
    /** etcd 3.5 below this must not go to 3.6: removed members can come back (etcd.io, "zombie members upgrade"). */
    static final String ETCD_BEFORE_36 = "3.5.26";
    /** The kubelet may be this many minors older than the API server (version-skew-policy, from 1.28). */
    static final int KUBELET_SKEW = 3;

    private UpgradePreflight() {}

    /**
     * A bound on how long the upgrade can take: each of its sequential stages (a master, a batch of workers, hop
     * after hop) waits at most for its drain, two health gates and the settle time.
     */
    static Duration estimate(Context ctx, int stages) {
        return ctx.options.drainTimeout().plus(ctx.options.healthTimeout().multipliedBy(2))
                .plus(ctx.options.upgradeSettleTime()).multipliedBy(Math.max(1, stages));
    }

    /** Throws the refusal naming every problem; {@code duration}: {@link #estimate}. */
    static void check(Context ctx, KubernetesVersion running, KubernetesVersion target, KubernetesVersion firstHop,
            Duration duration) {
        List<String> problems = new ArrayList<>();
        if (!ctx.cluster.hostPreparation().enabled()) {
            problems.add("an upgrade installs kubeadm, kubelet and kubectl " + target + " on every machine, and "
                    + "hostPreparation is off: turn it on for the upgrade");
        }
        ctx.facts.members().stream().filter(e -> !e.healthy()).forEach(e -> problems.add("etcd member " + e.name()
                + " is not healthy"));
        Instant now = ctx.options.clock().instant();
        for (Machine m : ctx.cluster.machines()) {
            HostFacts f = ctx.facts.host(m);
            Optional<NodeInfo> node = ctx.facts.node(m.hostname());
            if (node.isEmpty()) {
                problems.add(m.hostname() + ": not a Node of the cluster yet (join it first, or upgrade before adding it)");
            } else if (!node.get().ready() && !node.get().annotations().containsKey(UpgradeSteps.DRAINED)) {
                problems.add(m.hostname() + ": Node not Ready (" + node.get().readyMessage() + ")");
            }
            problems.addAll(skew(m.hostname(), node.flatMap(n -> KubernetesVersion.parse(n.kubeletVersion())),
                    f.versions(), running, firstHop));
            if (f.setup().os().isEmpty()) {
                problems.add(m.hostname() + ": cannot install packages on '" + f.setup().osName() + "'");
            }
            runtime(ctx, m, f, target, problems);
            ctx.facts.controlPlane(m).map(cp -> cp.images().getOrDefault("etcd", "")).flatMap(UpgradeSteps::etcdVersion)
                    .filter(e -> e.startsWith("3.5.") && UpgradeSteps.olderThan(e, ETCD_BEFORE_36))
                    .ifPresent(e -> problems.add(m.hostname() + ": etcd " + e + " must be " + ETCD_BEFORE_36 + " or "
                            + "newer before kubeadm moves it to 3.6 (removed members can come back as zombies: "
                            + "etcd.io, kubeadm#3247); upgrade etcd within 3.5 first"));
            ctx.facts.controlPlane(m).ifPresent(cp -> problems.addAll(certificates(m.hostname(), cp.certificates(),
                    now, duration, ctx.options.certificateRenewalThreshold())));
        }
        if (!problems.isEmpty()) {
            throw new ApplyException("Plan", null, "cannot upgrade " + running + " → " + target + ": "
                    + problems.size() + " problem(s):\n    " + String.join("\n    ", problems), List.of(),
                    List.of("everything: no host was changed"), null);
        }
    }

    /** The installed binaries and the running kubelet against the API server, now and during the first hop. */
    static List<String> skew(String host, Optional<KubernetesVersion> kubelet, Map<String, String> installed,
            KubernetesVersion api, KubernetesVersion firstHop) {
        List<String> problems = new ArrayList<>();
        kubelet.filter(k -> k.compareTo(api) > 0).ifPresent(k -> problems.add(host + ": kubelet " + k
                + " is newer than the API server " + api + " (a kubelet must never be newer: version-skew-policy)"));
        kubelet.filter(k -> firstHop.minor() - k.minor() > KUBELET_SKEW).ifPresent(k -> problems.add(host
                + ": kubelet " + k + " would be more than " + KUBELET_SKEW + " minors older than the API server "
                + firstHop + " while its hop runs (version-skew-policy): upgrade it to " + api.major() + "."
                + (firstHop.minor() - KUBELET_SKEW) + " or newer first"));
        version(installed, "kubectl").filter(k -> Math.abs(k.minor() - api.minor()) > 1).ifPresent(k -> problems.add(
                host + ": kubectl " + k + " is more than one minor from the API server " + api
                        + " (version-skew-policy: ±1): install kubectl " + api.major() + "." + api.minor()));
        // the upgrade installs each hop's kubeadm before running it; one older than the previous minor shows a host
        // that missed an upgrade
        version(installed, "kubeadm").filter(k -> k.minor() < api.minor() - 1 || k.minor() > firstHop.minor())
                .ifPresent(k -> problems.add(host + ": kubeadm " + k + " is outside " + api.major() + "."
                        + (api.minor() - 1) + " to " + firstHop + " (version-skew-policy: kubeadm manages its own "
                        + "minor and the one before): install kubeadm " + api.major() + "." + api.minor()));
        return problems;
    }

    private static Optional<KubernetesVersion> version(Map<String, String> installed, String binary) {
        return Optional.ofNullable(installed.get(binary)).flatMap(KubernetesVersion::parse);
    }

    /** containerd 2.x and cgroup v2 for 1.36+ (kubernetes-2026.md: 1.35 is the last with containerd 1.x). */
    private static void runtime(Context ctx, Machine m, HostFacts f, KubernetesVersion target, List<String> problems) {
        if (target.minor() < 36) {
            return;
        }
        // a member's runtime is not part of its facts (SetupFactsReader): read here, only for an upgrade
        Optional<String> containerd = f.setup().containerdVersion().or(() -> SetupFactsReader
                .containerdVersion(ctx.host(m).run(SetupFactsReader.containerdVersion())));
        if (!containerd.map(SetupFacts::containerd2).orElse(false)) {
            problems.add(m.hostname() + ": containerd " + containerd.orElse("?") + ": " + target
                    + " needs containerd 2.x (1.35 is the last release supporting 1.x)");
        }
        // a member's cgroup is not read either: its running 1.35+ kubelet (failCgroupV1 on by default) shows v2
        if (f.setup().kernelRead() && f.setup().cgroupV1()) {
            problems.add(m.hostname() + ": cgroup v1: the kubelet " + target + " refuses to start on it "
                    + "(failCgroupV1, KEP-5573): boot the host with cgroup v2 (systemd.unified_cgroup_hierarchy=1)");
        }
    }

    /**
     * A certificate that expires before the upgrade can have ended and that nothing renews before then: a CA
     * (kubeadm renews none), or a leaf certificate beyond the renewal threshold (inside it, the renewal phase before
     * the upgrade renews it; kubeadm's certificateRenewal renews a master's only when its turn comes).
     */
    static List<String> certificates(String host, Map<String, ControlPlaneFacts.Certificate> certificates, Instant now,
            Duration duration, Duration renewalThreshold) {
        Instant end = now.plus(duration);
        Instant renewedBefore = now.plus(renewalThreshold);
        List<String> problems = new ArrayList<>();
        new java.util.TreeMap<>(certificates).forEach((name, c) -> {
            boolean renewedFirst = !c.authority() && c.notAfter().isBefore(renewedBefore);
            if (c.notAfter().isBefore(end) && !renewedFirst) {
                problems.add(host + ": " + (c.authority() ? "certificate authority " : "certificate ") + name
                        + " expires on " + c.notAfter() + ", before the upgrade can have ended (at most "
                        + duration.toMinutes() + " min from now): " + (c.authority() ? "rotate the CA by hand first "
                        + "(kubeadm renews no CA)" : "renew it first (kubeadm certs renew, or a "
                        + "certificateRenewalThreshold that covers it)"));
            }
        });
        return problems;
    }
}
