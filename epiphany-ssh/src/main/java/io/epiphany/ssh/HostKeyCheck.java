package io.epiphany.ssh;

import io.epiphany.api.HostKeyPolicy;
import java.io.IOException;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one host-key decision of the client. The host is judged by its {@link HostTarget} (carried in the connection
 * context), not by the socket address, so a host reached through a jump host's forwarded port is still checked under
 * its own name. Order: a pinned {@code SHA256:} fingerprint wins; then {@link HostKeyPolicy}: known_hosts only
 * (STRICT), known_hosts plus recording unknown hosts (ACCEPT_NEW, a changed key is still refused), or anything
 * (INSECURE_ACCEPT_ALL, logged as a warning on every connection).
 */
final class HostKeyCheck implements ServerKeyVerifier {
    static final AttributeKey<HostTarget> TARGET = new AttributeKey<>();
    /** What known_hosts held for the target when its connection began (absent: read at the check). */
    static final AttributeKey<KnownHosts.Lookup> LOOKUP = new AttributeKey<>();
    private static final Logger LOG = LoggerFactory.getLogger(HostKeyCheck.class);

    static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        AttributeRepository context = session.getConnectionContext();
        HostTarget target = context == null ? null : context.getAttribute(TARGET);
        String presented = fingerprint(serverKey);
        if (target == null) {
            return refuse(session, "unknown-session", new HostKeyRejection("connection without a target",
                    "a configured host", presented));
        }
        try (MDC.MDCCloseable c = MDC.putCloseable("host", target.name())) {
            HostKeyRejection rejection = judge(target, context.getAttribute(LOOKUP), serverKey, presented);
            if (rejection != null) {
                return refuse(session, target.display(), rejection);
            }
            return true;
        }
    }

    /**
     * What known_hosts holds for the target, when the check will consult it (no pinned fingerprint, not
     * INSECURE_ACCEPT_ALL); empty also when it cannot be read, which the check then reports.
     */
    static java.util.Optional<KnownHosts.Lookup> knownHostsLookup(HostTarget target) {
        if (target.pinnedFingerprint().isPresent() || target.policy() == HostKeyPolicy.INSECURE_ACCEPT_ALL) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new KnownHosts(target.knownHosts()).lookup(target.address(), target.port()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static HostKeyRejection judge(HostTarget target, KnownHosts.Lookup atConnect, PublicKey key,
            String presented) {
        if (target.pinnedFingerprint().isPresent()) {
            String pinned = normalise(target.pinnedFingerprint().get());
            if (pinned.equals(presented)) {
                LOG.debug("host key of {} matches the pinned fingerprint {}", target.display(), presented);
                return null;
            }
            return new HostKeyRejection("does not match the pinned fingerprint", pinned, presented);
        }
        if (target.policy() == HostKeyPolicy.INSECURE_ACCEPT_ALL) {
            LOG.warn("INSECURE: accepting host key {} of {} WITHOUT verification (HostKeyPolicy.INSECURE_ACCEPT_ALL);"
                    + " anyone on the network path can impersonate this host", presented, target.display());
            return null;
        }
        KnownHosts file = new KnownHosts(target.knownHosts());
        KnownHosts.Lookup lookup;
        try {
            // read when the connection began (moments ago, for its host-key algorithms): not read twice per connect
            lookup = atConnect != null ? atConnect : file.lookup(target.address(), target.port());
        } catch (IOException e) {
            return new HostKeyRejection("known_hosts " + file.file() + " unreadable: " + e.getMessage(),
                    "a readable known_hosts", presented);
        }
        if (lookup.revoked().stream().anyMatch(k -> KeyUtils.compareKeys(k, key))) {
            return new HostKeyRejection("key is marked @revoked in " + file.file(), "a key that is not revoked",
                    presented);
        }
        if (lookup.keys().stream().anyMatch(k -> KeyUtils.compareKeys(k, key))) {
            return null;
        }
        if (lookup.known()) {
            return new HostKeyRejection("HOST KEY CHANGED since it was recorded in " + file.file(),
                    fingerprints(lookup.keys()), presented);
        }
        if (target.policy() == HostKeyPolicy.ACCEPT_NEW) {
            try {
                file.add(target.address(), target.port(), key);
            } catch (IOException e) {
                return new HostKeyRejection("unknown host and known_hosts " + file.file() + " is not writable: "
                        + e.getMessage(), "a writable known_hosts for ACCEPT_NEW", presented);
            }
            LOG.info("first connection to {}: trusted and recorded host key {} in {} (HostKeyPolicy.ACCEPT_NEW)",
                    target.display(), presented, file.file());
            return null;
        }
        return new HostKeyRejection("host not in " + file.file() + " and HostKeyPolicy is STRICT",
                "an entry for " + target.address() + (target.port() == 22 ? "" : " port " + target.port())
                        + " (add it with ssh-keyscan after checking the fingerprint, pin the fingerprint on the"
                        + " Machine, or use ACCEPT_NEW)",
                presented);
    }

    private static boolean refuse(ClientSession session, String who, HostKeyRejection rejection) {
        session.setAttribute(HostKeyRejection.KEY, rejection);
        LOG.error("{}: {}", who, rejection.message());
        return false;
    }

    private static String fingerprints(List<PublicKey> keys) {
        return keys.stream().map(HostKeyCheck::fingerprint).collect(Collectors.joining(" or "));
    }

    private static String normalise(String fingerprint) {
        String f = fingerprint.trim();
        return f.startsWith("SHA256:") ? f : "SHA256:" + f;
    }
}
