package io.epiphany.kubeadm.engine;

import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.api.Secret;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.CaCertHash;
import io.epiphany.kubeadm.render.BootstrapTokenSecret;
import java.time.Duration;
import java.time.Instant;

/** What joining masters and nodes share: the token, the CA hash, and running {@code kubeadm join}. */
final class Joining {
    static final Duration TOKEN_TTL = Duration.ofHours(1);

    private Joining() {}

    /**
     * The credentials a join needs. After an init in this run they are known; on a running cluster the SDK creates a
     * fresh token of its own (the init token expires) and hashes the CA it reads from a master.
     */
    static synchronized void ensureCredentials(Context ctx, String phase) {
        Machine source = ctx.requireSource(phase);
        RemoteHost h = ctx.host(source);
        if (ctx.caCertHash().isEmpty()) {
            byte[] ca = h.read(KubePaths.pki(ctx.cluster, "ca.crt")).orElseThrow(() -> new IllegalStateException(
                    source.hostname() + " has no " + KubePaths.pki(ctx.cluster, "ca.crt")));
            ctx.caCertHash(CaCertHash.of(ca));
        }
        if (ctx.token().isEmpty()) {
            ctx.token(createToken(ctx, source));
        }
    }

    /**
     * A new bootstrap token as its Secret, from a {@code 0600} file that is removed again whatever happens: never on
     * a command line, where {@code kubeadm token create <token>} would put it (the host's process list shows it).
     * It expires {@link #TOKEN_TTL} after now on the master's own clock.
     */
    private static Secret createToken(Context ctx, Machine source) {
        RemoteHost h = ctx.host(source);
        Secret token = Secret.bootstrapToken();
        Instant expiration = ctx.options.clock().instant()
                .plusSeconds(ctx.facts.host(source).clockSkewSeconds()).plus(TOKEN_TTL);
        String path = KubePaths.SDK_DIR + "/" + BootstrapTokenSecret.name(token) + ".yaml";
        try {
            h.upload(RemoteFile.of(path, BootstrapTokenSecret.render(ctx.cluster, token, expiration), 0600).secret());
            h.run(HostCommands.kubectl("create", "-f", path).secret(token)).orThrow();
        } finally {
            Cleanup.run("remove " + path, () -> h.run(HostCommands.remove(path)).orThrow());
        }
        return token;
    }

    /** Writes the machine's JoinConfiguration and runs {@code kubeadm join}, cleaning a half-done earlier join first. */
    static void join(Context ctx, Machine m) {
        RemoteHost h = ctx.host(m);
        if (ctx.facts.host(m).kubeletConf()) {
            // an earlier join stopped after kubelet-start: kubeadm refuses to join over the leftovers
            h.run(HostCommands.kubeadm("reset", "-f")).orThrow();
        }
        Secret token = ctx.token().orElseThrow();
        HostFile join = ctx.files.joinConfig(m, token, ctx.caCertHash().orElseThrow());
        h.upload(RemoteFile.of(join.path(), join.content(), join.mode()).secret());
        h.run(HostCommands.kubeadm("join", "--config", join.path()).secret(token)).orThrow();
    }
}
