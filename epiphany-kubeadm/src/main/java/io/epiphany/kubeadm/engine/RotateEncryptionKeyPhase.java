package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Finding;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.Secret;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.EncryptionConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rotates the encryption-at-rest key by the Kubernetes procedure ("Rotating a decryption key"): (1) the new key is
 * added second on every master, (2) made first, (3) every Secret is rewritten so that it is stored under it
 * ({@code kubectl get secrets <names> -n <namespace> -o json}, then {@code kubectl replace -f -} with that on stdin, in
 * bounded batches of the names etcd lists page by page), (4) the
 * old keys are removed. After each config change that master's API server is restarted (its container stopped, the
 * kubelet starts a new one, which is when kube-apiserver reads the config), one master at a time, drained from every
 * HAProxy, with the health gates before and after. Opt-in ({@link io.epiphany.api.ApplyOptions#rotateEncryptionKey()});
 * the stages are selected from the masters' key lists and from which key etcd's Secrets are stored under, so an
 * interrupted rotation (or masters whose keys differ) is planned again and finished by the next apply, option or not.
 * Safety: no master makes the new key first before every master can read it, and a key is removed only while no
 * Secret is stored under it (checked again right before). Drift does not compare the config's content (only its
 * presence), so the rotation and ReconfigurePhase never undo each other.
 */
final class RotateEncryptionKeyPhase implements Phase {
    static final String TITLE = "Rotate encryption key";
    private static final String APISERVER = "kube-apiserver";
    private static final String MARKER_TEXT = "Written by Epiphany: this master's encryption config changed and its "
            + "API server has not been restarted since. The next apply restarts it.\n";

    @Override
    public String title() {
        return TITLE;
    }

    /** Each joined master's key names, in the description's order; empty when a master cannot be read. */
    private static Optional<Map<Machine, List<String>>> keyLists(Context ctx) {
        Map<Machine, List<String>> out = new LinkedHashMap<>();
        for (Machine m : ctx.cluster.masters()) {
            if (!ctx.facts.joinedMaster(m)) {
                continue; // a joining master copies the config of a running one
            }
            List<String> keys = ctx.facts.controlPlane(m).map(ControlPlaneFacts::encryptionKeys).orElse(List.of());
            if (!ctx.facts.host(m).reachable() || keys.isEmpty()) {
                return Optional.empty();
            }
            out.put(m, keys);
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    private static boolean underWay(Map<Machine, List<String>> lists) {
        return lists.values().stream().anyMatch(l -> l.size() > 1) || Set.copyOf(lists.values()).size() > 1;
    }

    /** A rotation under way (or differing keys) is a finding: the plan finishes it. */
    static void findings(Context ctx, List<Finding> out) {
        if (!ctx.cluster.encryption().enabled()) {
            return;
        }
        keyLists(ctx).filter(RotateEncryptionKeyPhase::underWay).ifPresent(lists -> out.add(Finding.of(Context.CLUSTER,
                "encryption key rotation not finished: the masters' keys are " + describe(lists), "the plan "
                + "finishes it (new key on every master, made first, Secrets rewritten, old keys removed)")));
    }

    @Override
    public Work prepare(Context ctx) {
        if (!ctx.facts.clusterExists() || !ctx.cluster.encryption().enabled()) {
            return Work.none();
        }
        Optional<Map<Machine, List<String>>> read = keyLists(ctx);
        boolean requested = ctx.options.rotateEncryptionKey();
        if (read.isEmpty()) {
            if (requested) {
                throw new ApplyException(TITLE, null, "rotateEncryptionKey: every joined master must be reachable and "
                        + "have its encryption config (" + ctx.cluster.encryption().configFile() + "); apply without "
                        + "the option first to repair the control plane, then rotate", List.of(),
                        List.of("everything: no host was changed"), null);
            }
            return Work.none();
        }
        Map<Machine, List<String>> lists = read.get();
        Set<String> all = new LinkedHashSet<>();
        lists.values().forEach(all::addAll);
        boolean pending = lists.keySet().stream().anyMatch(m -> ctx.facts.controlPlane(m)
                .map(ControlPlaneFacts::encryptionRestartPending).orElse(false));
        boolean underWay = underWay(lists) || pending;
        if (!underWay && !requested) {
            return Work.none();
        }
        String next = underWay ? EncryptionKeys.newest(all).orElseThrow() : EncryptionKeys.next(all);
        Optional<Map<String, Long>> stored = underWay ? storedByKey(ctx) : Optional.empty();
        List<Step> steps = new ArrayList<>();
        lists.forEach((m, keys) -> {
            if (ctx.facts.controlPlane(m).map(ControlPlaneFacts::encryptionRestartPending).orElse(false)) {
                steps.add(pendingRestart(ctx, m, keys));
            }
        });
        Map<Machine, List<String>> now = new LinkedHashMap<>(lists);
        for (Machine m : lists.keySet()) {
            List<String> keys = now.get(m);
            if (!keys.contains(next)) {
                List<String> target = new ArrayList<>(keys);
                target.add(1, next);
                steps.add(configStep(ctx, m, keys, target, next, "add the new key " + next + " second (it decrypts, "
                        + "the first still encrypts)"));
                now.put(m, List.copyOf(target));
            }
        }
        for (Machine m : lists.keySet()) {
            List<String> keys = now.get(m);
            if (!keys.get(0).equals(next)) {
                List<String> target = new ArrayList<>(List.of(next));
                keys.stream().filter(k -> !k.equals(next)).forEach(target::add);
                steps.add(configStep(ctx, m, keys, target, next, "make " + next + " first (it encrypts new writes; "
                        + "every master can read it now)"));
                now.put(m, List.copyOf(target));
            }
        }
        boolean rewrite = stored.map(s -> s.entrySet().stream().anyMatch(e -> e.getValue() > 0
                && !e.getKey().equals(next))).orElse(true);
        if (rewrite) {
            String counts = stored.map(s -> " (stored now: " + s + ")").orElse("");
            steps.add(new Step(PlannedStep.of(TITLE, Context.CLUSTER, PlannedStep.Kind.RECONFIGURE, "rewrite every "
                    + "Secret so that it is stored under " + next + counts + ": their names read from etcd in pages, "
                    + "then per namespace up to " + BATCH + " at a time `kubectl get secrets <names> -n <namespace> "
                    + "-o json`, `kubectl replace -f -`; then check in etcd that none is left under another key",
                    null), () -> rewrite(ctx, next)));
        }
        now.forEach((m, keys) -> {
            if (!keys.equals(List.of(next))) {
                steps.add(configStep(ctx, m, keys, List.of(next), next, "remove the old key(s) "
                        + keys.stream().filter(k -> !k.equals(next)).toList() + " (only while no Secret is stored "
                        + "under them, checked in etcd first)"));
            }
        });
        return Work.inOrder(steps);
    }

    private Step configStep(Context ctx, Machine m, List<String> from, List<String> to, String next, String why) {
        String action = why + ": keys " + from + " → " + to + " in " + ctx.cluster.encryption().configFile()
                + ", then its API server restarted (drained from every HAProxy meanwhile), only while every etcd "
                + "member is healthy and its API server ready, verified before the next master";
        return new Step(PlannedStep.of(TITLE, m.hostname(), PlannedStep.Kind.RECONFIGURE, action, null),
                () -> writeAndRestart(ctx, m, from, to, next));
    }

    private static void writeAndRestart(Context ctx, Machine m, List<String> from, List<String> to, String next) {
        Health.requireMaster(ctx, TITLE, m);
        Map<Machine, Map<String, Secret>> configs = configs(ctx);
        Map<String, Secret> ring = ring(configs);
        if (to.get(0).equals(next)) {
            // the new key encrypts only once every master can decrypt with it
            configs.forEach((other, keys) -> {
                if (!keys.containsKey(next)) {
                    throw fail(ctx, m, other.hostname() + " cannot read " + next + " yet; it must hold the key "
                            + "before any master encrypts with it");
                }
            });
        }
        List<String> removed = from.stream().filter(k -> !to.contains(k)).toList();
        if (!removed.isEmpty()) {
            Map<String, Long> stored = storedByKey(ctx).orElseThrow(() -> fail(ctx, m, "etcd could not be read to "
                    + "check that no Secret is stored under " + removed));
            removed.stream().filter(k -> stored.getOrDefault(k, 0L) > 0).findFirst().ifPresent(k -> {
                throw fail(ctx, m, stored.get(k) + " Secret(s) are still stored under " + k + ", so it is kept; "
                        + "apply again to rewrite them");
            });
        }
        List<Map.Entry<String, Secret>> keys = new ArrayList<>();
        for (String name : to) {
            Secret material = ring.get(name);
            if (material == null && !name.equals(next)) {
                throw fail(ctx, m, "no master holds the material of " + name);
            }
            // the new key is generated once: later steps find it on the master written first
            keys.add(Map.entry(name, material != null ? material : Secret.randomBase64(32)));
        }
        String path = ctx.cluster.encryption().configFile();
        LoadBalancerPhase.drainEverywhere(ctx, m);
        ctx.host(m).upload(RemoteFile.of(EncryptionKeys.restartMarker(ctx.cluster), MARKER_TEXT, 0600));
        ctx.host(m).upload(RemoteFile.of(path, EncryptionConfig.render(ctx.cluster, keys), 0600).secret());
        restartApiServer(ctx, m, "its API server was restarted with the keys " + to);
    }

    /** Restarts the (drained) master's API server, awaits the gates, drops the marker, puts it back in service. */
    private static void restartApiServer(Context ctx, Machine m, String after) {
        RenewCertificatesPhase.restart(ctx, TITLE, m, APISERVER);
        Health.awaitMaster(ctx, TITLE, m, after);
        ctx.host(m).run(HostCommands.remove(EncryptionKeys.restartMarker(ctx.cluster))).orThrow();
        LoadBalancerPhase.readyEverywhere(ctx, m);
    }

    /** A master whose config a rotation changed before its API server restarted: restarted before anything else. */
    private static Step pendingRestart(Context ctx, Machine m, List<String> keys) {
        return new Step(PlannedStep.of(TITLE, m.hostname(), PlannedStep.Kind.RECONFIGURE, "restart the API server "
                + "so that it reads the keys " + keys + " an interrupted rotation wrote (drained from every HAProxy "
                + "meanwhile), only while every etcd member is healthy, verified before the next master", null), () -> {
                    // its own API server may be down (the interrupted restart): only etcd must be healthy
                    List<String> unhealthy = ctx.liveMembers(TITLE).stream().filter(e -> !e.serving())
                            .map(EtcdMember::label).toList();
                    if (!unhealthy.isEmpty()) {
                        throw fail(ctx, m, "etcd members not healthy: " + unhealthy + "; the SDK restarts an API "
                                + "server only while every etcd member is healthy");
                    }
                    LoadBalancerPhase.drainEverywhere(ctx, m);
                    restartApiServer(ctx, m, "its API server was restarted with the keys " + keys);
                });
    }

    /** Every reachable joined master's keys (name to material) as its config holds them now. */
    private static Map<Machine, Map<String, Secret>> configs(Context ctx) {
        Map<Machine, Map<String, Secret>> out = new LinkedHashMap<>();
        for (Machine m : ctx.cluster.masters()) {
            if (ctx.facts.joinedMaster(m) && ctx.facts.host(m).reachable()) {
                out.put(m, ctx.host(m).read(ctx.cluster.encryption().configFile()).map(EncryptionKeys::material)
                        .orElse(Map.of()));
            }
        }
        return out;
    }

    /** Every key name's material across the masters; one name with two materials stops the rotation. */
    private static Map<String, Secret> ring(Map<Machine, Map<String, Secret>> configs) {
        Map<String, Secret> ring = new LinkedHashMap<>();
        Map<String, String> holder = new LinkedHashMap<>();
        configs.forEach((m, keys) -> keys.forEach((name, material) -> {
            Secret known = ring.putIfAbsent(name, material);
            holder.putIfAbsent(name, m.hostname());
            if (known != null && !known.reveal().equals(material.reveal())) {
                throw new ApplyException(TITLE, m.hostname(), "the encryption key " + name + " has different "
                        + "material on " + holder.get(name) + " and " + m.hostname() + "; one of them cannot read the "
                        + "other's Secrets: restore the config from a backup before rotating", List.of(),
                        List.of("the rotation"), null);
            }
        }));
        return ring;
    }

    /** Secrets named in one {@code kubectl get}: a bounded command line and output, split further when cut. */
    static final int BATCH = 100;

    /**
     * The documented {@code kubectl get secrets -o json | kubectl replace -f -}, in bounded batches so that any
     * number of Secrets works: the names come from etcd page by page ({@link SecretPages}), and each page's Secrets of
     * one namespace are read {@link #BATCH} at a time ({@code kubectl get secrets <names> -n <ns> -o json
     * --ignore-not-found}, halved when the output was cut) and written back with {@code kubectl replace -f -}.
     */
    private void rewrite(Context ctx, String next) {
        Machine source = ctx.requireSource(TITLE);
        RemoteHost h = ctx.host(source);
        try {
            SecretPages.forEachName(ctx.cluster, h, page -> SecretPages.byNamespace(page).forEach((ns, names) -> {
                for (int i = 0; i < names.size(); i += BATCH) {
                    rewriteBatch(ctx, source, ns, names.subList(i, Math.min(names.size(), i + BATCH)));
                }
            }));
        } catch (IllegalStateException e) {
            throw fail(ctx, source, "the Secrets' names could not be read from etcd: " + e.getMessage());
        }
        Map<String, Long> stored = storedByKey(ctx).orElseThrow(() -> fail(ctx, source, "etcd could not be read "
                + "to check the rewritten Secrets"));
        stored.forEach((key, n) -> {
            if (!key.equals(next) && n > 0) {
                throw fail(ctx, source, n + " Secret(s) are still stored under " + key + " after the rewrite "
                        + "(written meanwhile through an API server that had not restarted?); apply again");
            }
        });
    }

    private static void rewriteBatch(Context ctx, Machine source, String ns, List<String> names) {
        RemoteHost h = ctx.host(source);
        List<String> args = new ArrayList<>(List.of("get", "secrets"));
        args.addAll(names);
        args.addAll(List.of("-n", ns, "-o", "json", "--ignore-not-found"));
        CommandResult got = h.run(HostCommands.kubectl(args.toArray(String[]::new)).readOnly());
        if (!got.ok()) {
            throw fail(ctx, source, "`kubectl get secrets <" + names.size() + " names> -n " + ns + " -o json` "
                    + "exited " + got.exitCode() + ": " + got.stderrTail(3));
        }
        if (got.outputTruncated()) {
            if (names.size() == 1) {
                throw fail(ctx, source, "Secret " + ns + "/" + names.get(0) + " alone is larger than the SDK keeps "
                        + "of a command's output (the remote access's maxOutputBytes); raise it, or rewrite it by "
                        + "hand on a master (kubectl get secret " + names.get(0) + " -n " + ns + " -o json | kubectl "
                        + "replace -f -), then apply again");
            }
            int half = names.size() / 2;
            rewriteBatch(ctx, source, ns, names.subList(0, half));
            rewriteBatch(ctx, source, ns, names.subList(half, names.size()));
            return;
        }
        if (EncryptionKeys.noObjects(got.stdout())) {
            return; // deleted since etcd listed them
        }
        // the Secrets go back on stdin: never on a command line, never in a file
        CommandResult replaced = h.run(HostCommands.kubectl("replace", "-f", "-")
                .stdin(got.stdout().getBytes(StandardCharsets.UTF_8)));
        if (!replaced.ok()) {
            throw fail(ctx, source, "`kubectl replace -f -` of " + names.size() + " Secret(s) of namespace " + ns
                    + " exited " + replaced.exitCode() + ": " + replaced.stderrTail(3));
        }
    }

    /** Secrets per key name, read (in pages) in the etcd container of the first master whose etcd answers. */
    static Optional<Map<String, Long>> storedByKey(Context ctx) {
        for (Machine m : ctx.cluster.masters()) {
            if (ctx.facts.joinedMaster(m) && ctx.facts.host(m).reachable()) {
                try {
                    return Optional.of(SecretPages.countByKey(ctx.cluster, ctx.host(m)));
                } catch (IllegalStateException e) {
                    // the next master's etcd may answer
                }
            }
        }
        return Optional.empty();
    }

    private static ApplyException fail(Context ctx, Machine m, String why) {
        return new ApplyException(TITLE, m.hostname(), why, ctx.completed(), ctx.notDone(), null);
    }

    private static String describe(Map<Machine, List<String>> lists) {
        Map<String, List<String>> byHost = new LinkedHashMap<>();
        lists.forEach((m, l) -> byHost.put(m.hostname(), l));
        return byHost.toString();
    }
}
