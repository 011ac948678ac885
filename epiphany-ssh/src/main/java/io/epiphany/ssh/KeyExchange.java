package io.epiphany.ssh;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

/**
 * The per-connection key-exchange preference ({@code SshSettings.keyExchange}): the names travel in the connection
 * context, and a listener on the shared client gives the new session those factories before its first KEXINIT.
 */
final class KeyExchange implements SessionListener {
    static final AttributeKey<List<KeyExchangeFactory>> FACTORIES = new AttributeKey<>();
    private static final Map<List<String>, List<KeyExchangeFactory>> CACHE = new ConcurrentHashMap<>();

    /** The connection context of one hop: its target (for the host-key check) and its key exchanges. */
    static AttributeRepository context(HostTarget target, List<String> names) {
        return AttributeRepository.ofAttributesMap(Map.of(HostKeyCheck.TARGET, target, FACTORIES, factories(names)));
    }

    /**
     * MINA's factories for these names, in this order.
     *
     * @throws IllegalArgumentException for a name MINA does not know or cannot run here
     */
    static List<KeyExchangeFactory> factories(List<String> names) {
        return CACHE.computeIfAbsent(List.copyOf(names), n -> n.stream().map(name -> {
            DHFactory f = BuiltinDHFactories.fromFactoryName(name);
            if (f == null || !f.isSupported()) {
                throw new IllegalArgumentException("SshSettings.keyExchange: '" + name + "' is not available in "
                        + "this JVM; available: " + BuiltinDHFactories.VALUES.stream().filter(DHFactory::isSupported)
                        .map(DHFactory::getName).toList());
            }
            return ClientBuilder.DH2KEX.apply(f);
        }).toList());
    }

    /** The key exchange a session negotiated, once its first exchange is done. */
    static Optional<String> negotiated(ClientSession session) {
        return Optional.ofNullable(session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
    }

    @Override
    public void sessionCreated(Session session) {
        AttributeRepository context = session instanceof ClientSession c ? c.getConnectionContext() : null;
        List<KeyExchangeFactory> factories = context == null ? null : context.getAttribute(FACTORIES);
        if (factories != null) {
            session.setKeyExchangeFactories(factories);
        }
    }
}
