package io.epiphany.ssh;

import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.RemoteException;
import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.session.SessionHeartbeatController;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Opens authenticated sessions without blocking a thread: TCP connect, key exchange (host key judged by
 * {@link HostKeyCheck}), public-key authentication, each bounded by the settings' timeouts; jump hosts chained through
 * direct-tcpip forwarding; retries with exponential backoff for transient network errors only — never after a refused
 * host key or failed authentication. Every hop is first mapped through {@link SshSettings#addressBook()}; an address
 * a {@link SshSettings#closedNetwork()} does not include is refused before any socket is opened.
 */
final class Connector {
    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    /** The doubling stops here: 20 attempts (the most validation allows) then wait about 10 minutes in all (jitter included). */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final SshClient client;
    private final ScheduledExecutorService timer;
    private final KeyPairs keyPairs;
    /** Connects from TCP connect to authenticated (every hop of a chain), across every host of the access. */
    private final ChannelSlots connects;
    /**
     * Per jump host (the first hop, by address and port): its connects not yet authenticated. Every target behind it
     * opens a session to it, so a fan-out through one bastion would otherwise meet its sshd's {@code MaxStartups}.
     */
    private final Map<String, ChannelSlots> jumpStartups = new ConcurrentHashMap<>();
    /** OpenSSH's {@code MaxStartups} starts dropping connections beyond 10 unauthenticated ones (10:30:100). */
    static final int JUMP_HOST_STARTUPS = 10;

    Connector(SshClient client, ScheduledExecutorService timer, KeyPairs keyPairs, int maxConnectsInFlight) {
        this.client = client;
        this.timer = timer;
        this.keyPairs = keyPairs;
        this.connects = new ChannelSlots(maxConnectsInFlight);
    }

    /** An authenticated session to {@code target}; fails with a {@link RemoteException} naming the host. */
    CompletableFuture<ClientSession> connect(HostTarget target, SshSettings settings) {
        List<KeyPair> identities;
        List<HostTarget> hops = new ArrayList<>();
        try {
            if (settings.useSshConfig()) {
                throw new IllegalArgumentException("SshSettings.useSshConfig: reading ~/.ssh/config is not supported "
                        + "by epiphany-ssh yet; set user, port, privateKey and jumpHosts in SshSettings instead");
            }
            identities = keyPairs.load(settings);
            for (String jump : settings.jumpHosts()) {
                hops.add(HostTarget.jump(jump, settings).dialedWith(settings));
            }
            // before any socket: a closed network refuses here, once, without a retry
            hops.add(target.dialedWith(settings));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new RemoteException(target.name(), e.getMessage(), e));
        }
        return attempt(hops.get(hops.size() - 1), hops, identities, settings, 1);
    }

    private CompletableFuture<ClientSession> attempt(HostTarget target, List<HostTarget> hops,
            List<KeyPair> identities, SshSettings settings, int attempt) {
        // one slot per attempt, held until it is authenticated or failed (not during the backoff before a retry)
        return connects.acquire().thenCompose(slot -> chain(hops, identities, settings)
                .whenComplete((s, e) -> connects.release())).handle((session, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(session);
            }
            Throwable cause = unwrap(error);
            if (SdkFault.is(cause)) {
                return CompletableFuture.<ClientSession>failedFuture(cause);
            }
            boolean retryable = cause instanceof ConnectFailure && ((ConnectFailure) cause).retryable();
            if (retryable && attempt < settings.connectAttempts()) {
                long delay = backoffMillis(attempt);
                delay += ThreadLocalRandom.current().nextLong(delay / 2 + 1);
                try (MDC.MDCCloseable c = MDC.putCloseable("host", target.name())) {
                    LOG.info("{}: attempt {}/{} failed ({}); retrying in {} ms", target.display(), attempt,
                            settings.connectAttempts(), cause.getMessage(), delay);
                }
                CompletableFuture<ClientSession> next = new CompletableFuture<>();
                timer.schedule(() -> attempt(target, hops, identities, settings, attempt + 1).whenComplete((s, e) -> {
                    if (e == null) {
                        next.complete(s);
                    } else {
                        next.completeExceptionally(unwrap(e));
                    }
                }), delay, TimeUnit.MILLISECONDS);
                return next;
            }
            String tries = retryable ? " after " + attempt + " attempts" : "";
            return CompletableFuture.<ClientSession>failedFuture(new RemoteException(target.name(),
                    "cannot connect to " + target.display() + tries + ": " + cause.getMessage(), cause));
        }).thenCompose(f -> f);
    }

    /** Before attempt {@code attempt + 1}: 250 ms doubling per attempt, capped at {@link #MAX_BACKOFF}. */
    static long backoffMillis(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 16); // 250 ms << 16 is far past the cap, and no overflow
        return Math.min(FIRST_BACKOFF.toMillis() << doublings, MAX_BACKOFF.toMillis());
    }

    private CompletableFuture<ClientSession> chain(List<HostTarget> hops, List<KeyPair> identities,
            SshSettings settings) {
        HostTarget first = hops.get(0);
        CompletableFuture<ClientSession> session;
        if (hops.size() == 1) {
            session = hop(first, first.address(), first.port(), identities, settings);
        } else {
            ChannelSlots startups = jumpStartups.computeIfAbsent(first.address() + ":" + first.port(),
                    k -> new ChannelSlots(JUMP_HOST_STARTUPS));
            session = startups.acquire().thenCompose(slot -> hop(first, first.address(), first.port(), identities,
                    settings).whenComplete((s, e) -> startups.release()));
        }
        for (HostTarget next : hops.subList(1, hops.size())) {
            session = session.thenCompose(jump -> through(jump, next, identities, settings));
        }
        return session;
    }

    /** The next hop, reached through a local forwarding on the jump session; closing the hop closes the jump. */
    private CompletableFuture<ClientSession> through(ClientSession jump, HostTarget next, List<KeyPair> identities,
            SshSettings settings) {
        ExplicitPortForwardingTracker tracker;
        try {
            tracker = jump.createLocalPortForwardingTracker(new SshdSocketAddress("127.0.0.1", 0),
                    new SshdSocketAddress(next.address(), next.port()));
        } catch (IOException e) {
            jump.close(true);
            return CompletableFuture.failedFuture(new ConnectFailure("cannot forward through jump host "
                    + jump.getConnectAddress() + " to " + next.display() + ": " + e.getMessage(), true, e));
        }
        SshdSocketAddress bound = tracker.getBoundAddress();
        return hop(next, bound.getHostName(), bound.getPort(), identities, settings).whenComplete((s, e) -> {
            Runnable closeJump = () -> {
                try {
                    tracker.close();
                } catch (IOException ignored) {
                    // the jump session is closed next anyway
                }
                jump.close(true);
            };
            if (e != null) {
                closeJump.run();
            } else {
                s.addCloseFutureListener(f -> closeJump.run());
            }
        });
    }

    private CompletableFuture<ClientSession> hop(HostTarget target, String tcpHost, int tcpPort,
            List<KeyPair> identities, SshSettings settings) {
        CompletableFuture<ClientSession> result = new CompletableFuture<>();
        ConnectFuture connecting;
        try {
            connecting = client.connect(target.user(), tcpHost, tcpPort,
                    KeyExchange.context(target, settings.keyExchange()), null);
        } catch (IOException e) {
            result.completeExceptionally(classify(target, e, null));
            return result;
        }
        var connectTimer = timer.schedule(() -> {
            if (result.completeExceptionally(new ConnectFailure("TCP connect timed out after "
                    + settings.connectTimeout().toMillis() + " ms", true, null))) {
                connecting.cancel();
            }
        }, settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        connecting.addListener(f -> {
            connectTimer.cancel(false);
            if (!f.isConnected()) {
                result.completeExceptionally(classify(target, f.getException(), null));
                return;
            }
            ClientSession session = f.getSession();
            if (result.isDone()) {
                session.close(true);
                return;
            }
            authenticate(target, session, identities, settings, result);
        });
        return result;
    }

    private void authenticate(HostTarget target, ClientSession session, List<KeyPair> identities,
            SshSettings settings, CompletableFuture<ClientSession> result) {
        identities.forEach(session::addPublicKeyIdentity);
        if (!settings.keepAliveInterval().isZero()) {
            // The connection service copies HEARTBEAT_* properties when the session is constructed (before this
            // point), so a per-connection keep-alive must use the session heartbeat, read when the service starts.
            session.setSessionHeartbeat(SessionHeartbeatController.HeartbeatType.IGNORE, settings.keepAliveInterval());
        }
        AuthFuture auth;
        try {
            auth = session.auth();
        } catch (IOException e) {
            session.close(true);
            result.completeExceptionally(classify(target, e, session));
            return;
        }
        var authTimer = timer.schedule(() -> {
            if (result.completeExceptionally(new ConnectFailure("key exchange and authentication timed out after "
                    + settings.authTimeout().toMillis() + " ms", true, null))) {
                session.close(true);
            }
        }, settings.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
        auth.addListener(a -> {
            authTimer.cancel(false);
            if (a.isSuccess()) {
                if (!result.complete(session)) {
                    session.close(true);
                }
                return;
            }
            Throwable failure = classify(target, a.getException(), session);
            session.close(true);
            result.completeExceptionally(failure);
        });
    }

    /**
     * Network trouble is worth another attempt; a refused host key or refused credentials never are. The SDK's own
     * faults ({@link SdkFault}) are returned as they are, never classified as the host's.
     */
    private static Throwable classify(HostTarget target, Throwable raw, ClientSession session) {
        Throwable error = raw;
        while ((error instanceof java.util.concurrent.ExecutionException || error instanceof CompletionException)
                && error.getCause() != null) {
            error = error.getCause();
        }
        if (SdkFault.is(error)) {
            return error;
        }
        HostKeyRejection rejection = session == null ? null : session.getAttribute(HostKeyRejection.KEY);
        if (rejection != null) {
            return new ConnectFailure(rejection.message(), false, null);
        }
        String message = error == null ? "cancelled" : String.valueOf(error.getMessage());
        if (session != null && message.contains("authentication methods")) {
            return new ConnectFailure("authentication as '" + target.user() + "' refused (public key not accepted: "
                    + "check SshSettings.privateKey and the host's authorized_keys)", false, error);
        }
        // Refused/unreachable/reset/timed out, and a session closed during key exchange (sshd's MaxStartups).
        boolean network = error instanceof IOException;
        return new ConnectFailure(error == null ? "connection cancelled"
                : error.getClass().getSimpleName() + ": " + message, network, error);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
