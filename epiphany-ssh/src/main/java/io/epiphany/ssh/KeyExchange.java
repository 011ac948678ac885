package io.epiphany.ssh;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

/**
 * The per-connection KEXINIT preferences: the key exchanges ({@code SshSettings.keyExchange}) and the host-key
 * algorithms ({@link HostKeyAlgorithms}, from the host's known_hosts entries). Both travel in the connection context,
 * and a listener on the shared client gives the new session those factories before its first KEXINIT.
 */
final class KeyExchange implements SessionListener {
    static final AttributeKey<List<KeyExchangeFactory>> FACTORIES = new AttributeKey<>();
    private static final Map<List<String>, List<KeyExchangeFactory>> CACHE = new ConcurrentHashMap<>();

    /**
     * The connection context of one hop: its target (for the host-key check), its key exchanges, and what known_hosts
     * holds for it when the check will ask known_hosts (read once here, for the host-key algorithms and the check).
     */
    static AttributeRepository context(HostTarget target, List<String> names) {
        Map<AttributeKey<?>, Object> context = new java.util.HashMap<>();
        context.put(HostKeyCheck.TARGET, target);
        context.put(FACTORIES, factories(names));
        HostKeyCheck.knownHostsLookup(target).ifPresent(lookup -> context.put(HostKeyCheck.LOOKUP, lookup));
        return AttributeRepository.ofAttributesMap(context);
    }

    /**
     * MINA's factories for these names, in this order.
     *
     * @throws IllegalArgumentException for a name MINA does not know or cannot run here
     */
    static List<KeyExchangeFactory> factories(List<String> names) {
        return CACHE.computeIfAbsent(List.copyOf(names), n -> n.stream().map(name -> {
            DHFactory f = BuiltinDHFactories.fromFactoryName(name);
            if (f == null || !supported(f)) {
                throw new IllegalArgumentException("SshSettings.keyExchange: '" + name + "' is not available in "
                        + "this JVM; available: " + BuiltinDHFactories.VALUES.stream().filter(KeyExchange::supported)
                        .map(DHFactory::getName).toList());
            }
            return ClientBuilder.DH2KEX.apply(f);
        }).toList());
    }

    /**
     * Whether MINA can run {@code f} here. For the post-quantum hybrids MINA's own answer loads Bouncy Castle's KEM
     * classes, and the first class from that signed jar costs the JVM a check of the jar's signature (about 0.25 CPU-s
     * at start-up, BENCHMARKS.md "Start-up"); a look for the class files MINA 2.20 uses answers the same without
     * loading them, and they load when a server picks that exchange. ML-KEM's lightweight classes moved to
     * {@code org.bouncycastle.crypto} in a release long after 1.78 fixed sntrup761's key size (what MINA checks for
     * it), so they vouch for both. FIPS mode refuses both, as MINA does.
     */
    static boolean supported(DHFactory f) {
        String name = f.getName();
        boolean mlkem = name.startsWith("mlkem");
        if (!mlkem && !name.startsWith("sntrup")) {
            return f.isSupported();
        }
        return !org.apache.sshd.common.util.security.SecurityUtils.isFipsMode()
                && present("org/bouncycastle/crypto/params/MLKEMParameters.class")
                && (mlkem || present("org/bouncycastle/pqc/crypto/ntruprime/SNTRUPrimeParameters.class"));
    }

    private static boolean present(String classFile) {
        return KeyExchange.class.getClassLoader().getResource(classFile) != null;
    }

    @Override
    public void sessionCreated(Session session) {
        AttributeRepository context = session instanceof ClientSession c ? c.getConnectionContext() : null;
        List<KeyExchangeFactory> factories = context == null ? null : context.getAttribute(FACTORIES);
        if (factories != null) {
            session.setKeyExchangeFactories(factories);
            KnownHosts.Lookup known = context.getAttribute(HostKeyCheck.LOOKUP);
            session.setSignatureFactories(HostKeyAlgorithms.order(session.getSignatureFactories(),
                    known == null ? List.of() : known.keys()));
        }
    }
}
