package io.epiphany.ssh;

import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.KeySetPublickeyAuthenticator;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An embedded MINA SSH server on 127.0.0.1 for the fast tests: one host key, public-key auth for the given client
 * keys, exec through {@link ProcessCommand}, optional SFTP (files go to the real local file system, so tests use
 * paths under their temp dir), direct-tcpip forwarding for jump-host tests. Counts sessions and commands.
 */
final class TestServer implements AutoCloseable {
    final SshServer server;
    final KeyPair hostKey;
    final AtomicInteger sessions = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    /** SSH_MSG_IGNORE messages received: the client's keep-alive heartbeat. */
    final AtomicInteger ignoreMessages = new AtomicInteger();
    private final List<ServerSession> open = Collections.synchronizedList(new ArrayList<>());
    /**
     * Sessions accepted and not yet authenticated, now and at most (sshd's MaxStartups counts these); a test may give
     * several servers the same two counters, before they are connected to, to see the sum over them.
     */
    volatile AtomicInteger unauthenticated = new AtomicInteger();
    volatile AtomicInteger maxUnauthenticated = new AtomicInteger();
    /** How long each public-key check takes (0: at once), so that connects overlap in tests of their bound. */
    volatile long authDelayMillis;

    private TestServer(List<KeyPair> hostKeys, List<PublicKey> authorized, boolean sftp, int port) throws IOException {
        this.hostKey = hostKeys.get(0);
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(port);
        // as the fleet's hosts (SimulatedHost): OpenSSH sends a loop's packets in one write, MINA packet by packet
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(server, true);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKeys));
        var keys = new KeySetPublickeyAuthenticator("test", authorized);
        server.setPublickeyAuthenticator((user, key, session) -> {
            if (authDelayMillis > 0) {
                try {
                    Thread.sleep(authDelayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return keys.authenticate(user, key, session);
        });
        server.setCommandFactory((channel, line) -> {
            commands.add(line);
            return new ProcessCommand(line, running, maxRunning);
        });
        if (sftp) {
            server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        }
        server.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
        server.setReservedSessionMessagesHandler(new org.apache.sshd.common.session.ReservedSessionMessagesHandler() {
            @Override
            public void handleIgnoreMessage(org.apache.sshd.common.session.Session session,
                    org.apache.sshd.common.util.buffer.Buffer buffer) {
                ignoreMessages.incrementAndGet();
            }
        });
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                sessions.incrementAndGet();
                open.add((ServerSession) session);
                maxUnauthenticated.accumulateAndGet(unauthenticated.incrementAndGet(), Math::max);
            }

            @Override
            public void sessionEvent(Session session, Event event) {
                if (event == Event.Authenticated) {
                    unauthenticated.decrementAndGet();
                }
            }

            @Override
            public void sessionClosed(Session session) {
                open.remove(session);
                if (!session.isAuthenticated()) {
                    unauthenticated.decrementAndGet();
                }
            }
        });
        server.start();
    }

    static TestServer start(KeyPair hostKey, List<PublicKey> authorized) throws IOException {
        return new TestServer(List.of(hostKey), authorized, true, 0);
    }

    static TestServer start(KeyPair hostKey, List<PublicKey> authorized, int port) throws IOException {
        return new TestServer(List.of(hostKey), authorized, true, port);
    }

    /** A server with several host keys, as an OpenSSH host has (Ed25519, ECDSA, RSA); {@link #hostKey} is the first. */
    static TestServer startWithHostKeys(List<KeyPair> hostKeys, List<PublicKey> authorized) throws IOException {
        return new TestServer(hostKeys, authorized, true, 0);
    }

    static TestServer startWithoutSftp(KeyPair hostKey, List<PublicKey> authorized) throws IOException {
        return new TestServer(List.of(hostKey), authorized, false, 0);
    }

    int port() {
        return server.getPort();
    }

    /** This server's line for a known_hosts file. */
    String knownHostsLine() {
        return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    String fingerprint() {
        return HostKeyCheck.fingerprint(hostKey.getPublic());
    }

    /** Drops every connection, as a crashing or rebooting host would. */
    void dropConnections() {
        List<ServerSession> copy;
        synchronized (open) {
            copy = new ArrayList<>(open);
        }
        copy.forEach(s -> s.close(true));
    }

    SshdSocketAddress address() {
        return new SshdSocketAddress("127.0.0.1", port());
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

}
