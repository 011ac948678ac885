package io.epiphany.ssh;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.signature.Signature;

/**
 * The host-key algorithms one connection offers (KEXINIT's {@code server_host_key_algorithms}), chosen the way
 * OpenSSH's client chooses them: the algorithms of the keys known_hosts already holds for this host go first.
 *
 * <p>Why: a server with several host keys presents the one of the client's first algorithm it has. MINA's own order
 * puts ECDSA before Ed25519, and OpenSSH's puts Ed25519 first, so after a plain {@code ssh host} (which records the
 * host's Ed25519 key only) MINA was shown the ECDSA key, found the host known under another key and refused it as
 * "HOST KEY CHANGED": a false alarm of the kind that teaches people to delete known_hosts lines. Certificates are
 * not offered: {@link HostKeyCheck} compares plain keys and does not accept a certificate as a host key, so a host
 * with a host certificate that was asked for it first would be refused too.
 *
 * <p>The known ones go in OpenSSH's own order (its {@code KEX_DEFAULT_PK_ALG}: Ed25519, ECDSA, RSA with SHA-2), so a
 * host known_hosts lists under several keys shows the SDK the key it shows {@code ssh}. The rest keep MINA's order
 * (as does everything for a pinned fingerprint or a host known_hosts does not list, so what those connections are
 * shown does not change).
 */
final class HostKeyAlgorithms {
    private static final String CERTIFICATE = "-cert-v01@openssh.com";
    /** OpenSSH 9's client preference among plain host-key algorithms (myproposal.h), security keys left out. */
    private static final List<String> OPENSSH_ORDER = List.of("ssh-ed25519", "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa");

    private HostKeyAlgorithms() {
    }

    /**
     * {@code offered} without certificates, the algorithms of the {@code known} keys first in OpenSSH's order, then
     * the others in {@code offered}'s.
     */
    static List<NamedFactory<Signature>> order(List<NamedFactory<Signature>> offered, List<PublicKey> known) {
        Set<String> knownAlgorithms = new LinkedHashSet<>();
        for (PublicKey key : known) {
            knownAlgorithms.addAll(algorithms(KeyUtils.getKeyType(key)));
        }
        List<NamedFactory<Signature>> first = new ArrayList<>();
        List<NamedFactory<Signature>> rest = new ArrayList<>();
        for (NamedFactory<Signature> f : offered) {
            if (!f.getName().endsWith(CERTIFICATE)) {
                (knownAlgorithms.contains(f.getName()) ? first : rest).add(f);
            }
        }
        first.sort(java.util.Comparator.comparingInt(f -> rank(f.getName())));
        first.addAll(rest);
        return first;
    }

    private static int rank(String algorithm) {
        int i = OPENSSH_ORDER.indexOf(algorithm);
        return i < 0 ? OPENSSH_ORDER.size() : i; // one OpenSSH does not name: after those it does, stable sort
    }

    /** The signature algorithms that prove a key of this type (RFC 8332 for RSA's SHA-2 ones). */
    private static List<String> algorithms(String keyType) {
        return keyType == null ? List.of() : keyType.equals("ssh-rsa")
                ? List.of("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa") : List.of(keyType);
    }
}
