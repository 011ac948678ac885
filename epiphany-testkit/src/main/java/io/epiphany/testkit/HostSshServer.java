package io.epiphany.testkit;

import io.epiphany.testkit.sim.SimulatedOs;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * The SSH server of one {@link SimulatedHost}: public-key login with the fleet's client key only, exec requests run by
 * the SIMULATED shell, SFTP over the host's file tree (root-owned, write-counted), sessions tracked so a power-off
 * can drop them.
 */
final class HostSshServer {
    private HostSshServer() {}

    /** A fresh server: MINA's SshServer cannot be started again once stopped. */
    static SshServer create(SimulatedHost host, KeyPair hostKey, PublicKey clientKey, FleetIo io, SimulatedOs os,
            Path root, SftpEventListener writeCounter, List<ServerSession> sessions) {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        // OpenSSH's sshd sends what one loop iteration produced in one write; MINA writes packet by packet, and with
        // Nagle each reply behind an unacknowledged one would wait for the client's delayed ACK (~40 ms an exec).
        CoreModuleProperties.TCP_NODELAY.set(server, true);
        server.setIoServiceFactoryFactory(io.ioFactory());
        server.setScheduledExecutorService(io.timer(), false);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, clientKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> new ShellCommand(command, io.commands(), host, os));
        SftpSubsystemFactory sftp = new SftpSubsystemFactory();
        sftp.setFileSystemAccessor(new RootOwnedFiles());
        sftp.addSftpEventListener(writeCounter);
        sftp.setErrorStatusDataHandler(new org.apache.sshd.sftp.server.SftpErrorStatusDataHandler() {
            @Override
            public String resolveErrorMessage(org.apache.sshd.sftp.server.SftpSubsystemEnvironment env, int id,
                    Throwable e, int subStatus, int cmd, Object... args) {
                // say why a write failed ("No space left on device"), as the client shows it to the user
                return e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                        : org.apache.sshd.sftp.server.SftpErrorStatusDataHandler.super.resolveErrorMessage(env, id, e,
                                subStatus, cmd, args);
            }
        });
        server.setSubsystemFactories(List.of(sftp));
        server.setFileSystemFactory(new org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory(root));
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                sessions.add((ServerSession) session);
            }

            @Override
            public void sessionClosed(Session session) {
                sessions.remove(session);
            }
        });
        return server;
    }
}
