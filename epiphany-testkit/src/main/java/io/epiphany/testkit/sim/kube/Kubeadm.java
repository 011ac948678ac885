package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.Program;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED {@code kubeadm}: {@code version -o short}, {@code init --config}, {@code join --config},
 * {@code reset -f}, {@code token create}, {@code config validate --config}. Follows kubeadm's documented behaviour
 * and messages (preflight errors, discovery, shared-certificate check, learner etcd members, reset skipping the etcd
 * member when the Node is gone); waits are instantaneous. This class dispatches and holds the helpers every
 * subcommand shares; the subcommands are {@link KubeadmInit}, {@link KubeadmJoin} (with
 * {@link KubeadmJoinControlPlane}), {@link KubeadmReset}, {@link KubeadmTokens}, {@link KubeadmPhases},
 * {@link KubeadmUpgrade}, {@link KubeadmCerts} and {@link ImagePull}.
 */
public final class Kubeadm implements Program {
    static final String STACK_HINT = "To see the stack trace of this error execute with --v=5 or higher";

    @Override
    public boolean changesState(List<String> args) {
        return !args.isEmpty() && !args.get(0).equals("version")
                && !(args.size() > 1 && args.get(0).equals("config") && args.get(1).equals("validate"))
                && !(args.size() > 2 && args.get(0).equals("config") && args.get(2).equals("list"));
    }

    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        String sub = a.isEmpty() ? "" : a.get(0);
        switch (sub) {
            case "version":
                if (!a.equals(List.of("version", "-o", "short"))) {
                    return inv.fail(1, "only 'kubeadm version -o short' is supported by the SIMULATED kubeadm");
                }
                String version = inv.host().host(h -> h.kubeadmVersion);
                inv.out().println(version);
                return 0;
            case "init":
                return a.size() > 1 && a.get(1).equals("phase") ? KubeadmPhases.run(inv) : new KubeadmInit(inv).run();
            case "join":
                return new KubeadmJoin(inv).run();
            case "reset":
                return new KubeadmReset(inv).run();
            case "token":
                return a.size() > 1 && a.get(1).equals("delete") ? KubeadmTokens.delete(inv) : KubeadmTokens.create(inv);
            case "upgrade":
                return KubeadmUpgrade.run(inv);
            case "config":
                if (a.size() > 2 && a.get(1).equals("images")) {
                    return a.get(2).equals("pull") ? ImagePull.run(inv)
                            : a.get(2).equals("list") ? ImagePull.list(inv) : configValidate(inv);
                }
                return configValidate(inv);
            case "certs":
                return KubeadmCerts.run(inv);
            default:
                return inv.fail(1, "unknown command \"" + sub + "\" for \"kubeadm\" (SIMULATED kubeadm supports "
                        + "version, init, join, reset, token create, config validate)");
        }
    }

    // ---- shared helpers -------------------------------------------------------------------------------------

    static int preflightErrors(Invocation inv, List<String> errors) {
        inv.err().println("error execution phase preflight: [preflight] Some fatal errors occurred:");
        errors.forEach(e -> inv.err().println("\t[ERROR " + e));
        inv.err().println("[preflight] If you know what you are doing, you can make a check non-fatal with "
                + "`--ignore-preflight-errors=...`");
        inv.err().println(STACK_HINT);
        return 1;
    }

    /**
     * The preflight errors {@code --ignore-preflight-errors} (comma-separated check names, case-insensitive, or
     * {@code all}) does not name; the ignored ones are printed as warnings, as kubeadm does.
     */
    static List<String> ignored(Invocation inv, List<String> errors) {
        List<String> names = new ArrayList<>();
        for (String arg : inv.args()) {
            if (arg.startsWith("--ignore-preflight-errors=")) {
                names.addAll(List.of(arg.substring(arg.indexOf('=') + 1).toLowerCase(java.util.Locale.ROOT)
                        .split(",")));
            }
        }
        List<String> left = new ArrayList<>();
        for (String e : errors) {
            String check = e.substring(0, Math.max(0, e.indexOf(']'))).toLowerCase(java.util.Locale.ROOT);
            if (names.contains("all") || names.contains(check)) {
                inv.out().println("\t[WARNING " + e);
            } else {
                left.add(e);
            }
        }
        return left;
    }

    static int phaseError(Invocation inv, String phase, String message) {
        inv.err().println("error execution phase " + phase + ": " + message);
        inv.err().println(STACK_HINT);
        return 1;
    }

    static Optional<String> option(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(name) && i + 1 < args.size()) {
                return Optional.of(args.get(i + 1));
            }
            if (args.get(i).startsWith(name + "=")) {
                return Optional.of(args.get(i).substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** Reads {@code --config}; prints kubeadm's error and returns null when it cannot. */
    static KubeadmConfig readConfig(Invocation inv) throws IOException {
        Optional<String> path = option(inv.args(), "--config");
        if (path.isEmpty()) {
            inv.fail(1, "the SIMULATED kubeadm needs --config <file>");
            return null;
        }
        if (!inv.host().files().exists(path.get())) {
            inv.err().println("unable to read config from \"" + path.get() + "\" : open " + path.get()
                    + ": no such file or directory");
            inv.err().println(STACK_HINT);
            return null;
        }
        try {
            KubeadmConfig c = KubeadmConfig.parse(inv.host().files().readString(path.get()));
            Optional<String> refused = KubeadmReleases.configError(inv.host().host(h -> h.kubeadmVersion), c);
            if (refused.isPresent()) {
                inv.err().println(refused.get());
                inv.err().println(STACK_HINT);
                return null;
            }
            c.unknownFields().forEach(w -> inv.err().println("W0101 00:00:00.000000       1 strict.go:54] " + w));
            return c;
        } catch (RuntimeException | IOException e) {
            inv.err().println("unable to read config from \"" + path.get() + "\": " + e.getMessage());
            inv.err().println(STACK_HINT);
            return null;
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The wait-control-plane failure when the kube-apiserver cannot start (its certificates or keys missing), shared
     * by init and a control-plane join.
     */
    static int apiserverRefused(Invocation inv, String advertise) {
        return phaseError(inv, "wait-control-plane", "failed while waiting for the control plane to start: "
                + "kube-apiserver check failed at https://" + advertise + ":6443/livez: Get \"https://"
                + advertise + ":6443/livez?timeout=10s\": dial tcp " + advertise
                + ":6443: connect: connection refused");
    }

    private static int configValidate(Invocation inv) throws IOException {
        if (inv.args().size() < 2 || !inv.args().get(1).equals("validate")) {
            return inv.fail(1, "only 'kubeadm config validate --config <file>' is supported by the SIMULATED kubeadm");
        }
        KubeadmConfig config = readConfig(inv);
        if (config == null) {
            return 1;
        }
        if (!config.unknownFields().isEmpty()) {
            config.unknownFields().forEach(inv.err()::println);
            return 1;
        }
        inv.out().println("ok");
        return 0;
    }
}
