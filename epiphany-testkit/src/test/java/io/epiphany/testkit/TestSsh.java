package io.epiphany.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * A plain MINA SSH client for the simulation's own tests, with strict known_hosts checking against the fleet's file
 * (until the SDK's epiphany-ssh client is on main). Talks to the hosts only over 127.0.0.1.
 */
final class TestSsh implements AutoCloseable {
    /** What a command did. */
    record Result(int exit, String out, String err) {}

    private final SimulatedFleet fleet;
    private final SshClient client;
    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();

    TestSsh(SimulatedFleet fleet) {
        this.fleet = fleet;
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE,
                fleet.knownHosts()));
        client.setKeyIdentityProvider(new FileKeyPairProvider(fleet.privateKey()));
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.start();
    }

    ClientSession session(String host) throws IOException {
        ClientSession s = sessions.get(host);
        if (s != null && s.isOpen()) {
            return s;
        }
        String user = fleet.sshSettings().user();
        ClientSession fresh = client.connect(user, "127.0.0.1", fleet.host(host).sshPort())
                .verify(Duration.ofSeconds(10)).getSession();
        fresh.auth().verify(Duration.ofSeconds(10));
        sessions.put(host, fresh);
        return fresh;
    }

    Result run(String host, String line) throws IOException {
        return run(host, line, null);
    }

    Result run(String host, String line, byte[] stdin) throws IOException {
        try {
            return runOnce(host, line, stdin);
        } catch (org.apache.sshd.common.SshException closed) {
            // the host was powered off and on: the cached session may still look open while its close is on its
            // way; one fresh session (not a loop) is what a client reconnecting after a reboot does
            ClientSession stale = sessions.remove(host);
            if (stale != null) {
                stale.close(true);
            }
            return runOnce(host, line, stdin);
        }
    }

    private Result runOnce(String host, String line, byte[] stdin) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec channel = session(host).createExecChannel(line)) {
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(Duration.ofSeconds(10));
            try (OutputStream in = channel.getInvertedIn()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(30));
            Integer exit = channel.getExitStatus();
            if (exit == null) {
                throw new IOException(host + ": `" + line + "` ended without an exit status");
            }
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    void put(String host, String path, String content) throws IOException {
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session(host));
                OutputStream out = sftp.write(path)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        client.stop();
    }
}
