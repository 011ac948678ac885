package io.epiphany.ssh;

import io.epiphany.api.remote.RemoteException;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Apache MINA SSHD's loggers that print payload bytes at TRACE: the session hex-dumps every packet before it is
 * encrypted and after it is decrypted ({@code encode}/{@code decode} in AbstractSession, logged under the session's
 * class), channels and the SFTP client dump the data they receive ({@code handleData}), and the key parsers dump a
 * decoded private key. The embedding application owns the logging configuration, so while one of these is at TRACE
 * the SDK refuses to carry secret material (secret commands, the sudo password, secret files, file reads) and says
 * which logger to lower. Checked on each operation: logging can be reconfigured at run time.
 */
final class PacketLogs {
    /** Loggers that print the plaintext of channel data: every packet, exec data, SFTP data. */
    static final List<String> PACKET_LOGGERS = List.of(
            "org.apache.sshd.client.session.ClientSessionImpl",
            "org.apache.sshd.client.channel.ChannelExec",
            "org.apache.sshd.common.channel.ChannelAsyncOutputStream",
            "org.apache.sshd.common.channel.ChannelOutputStream",
            "org.apache.sshd.sftp.client.impl.DefaultSftpClient",
            "org.apache.sshd.sftp.client.impl.DefaultSftpClient$SftpChannelSubsystem",
            "org.apache.sshd.sftp.client.impl.DefaultSftpClient$SftpChannelSubsystem$1",
            "org.apache.sshd.sftp.client.impl.SftpInputStreamAsync",
            "org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync");
    /**
     * Parsers of key formats other than OpenSSH's that hex-dump the decoded key at TRACE (OpenSSH keys are decoded
     * by {@link KeyPairs} past the dumping step).
     */
    static final List<String> KEY_PARSER_LOGGERS = List.of(
            "org.apache.sshd.common.util.security.bouncycastle.BouncyCastleKeyPairResourceParser",
            "org.apache.sshd.common.config.keys.loader.pem.PKCS8PEMResourceKeyPairParser",
            "org.apache.sshd.common.config.keys.loader.pem.RSAPEMResourceKeyPairParser",
            "org.apache.sshd.common.config.keys.loader.pem.ECDSAPEMResourceKeyPairParser",
            "org.apache.sshd.common.config.keys.loader.pem.DSSPEMResourceKeyPairParser",
            "org.apache.sshd.common.config.keys.loader.pem.PEMResourceParserUtils$1",
            "org.apache.sshd.common.util.security.eddsa.Ed25519PEMResourceKeyParser",
            "org.apache.sshd.common.util.security.eddsa.generic.GenericEd25519PEMResourceKeyParser");

    private PacketLogs() {}

    /** The first of {@code loggers} at TRACE. */
    static Optional<String> tracing(List<String> loggers) {
        return loggers.stream().filter(name -> LoggerFactory.getLogger(name).isTraceEnabled()).findFirst();
    }

    /** Fails when a packet logger is at TRACE; {@code what} says what would have been exposed. */
    static void refuseSecretsWhileTracing(String host, String what) {
        tracing(PACKET_LOGGERS).ifPresent(logger -> {
            throw new RemoteException(host, refusal(what, logger, "prints the content of every packet"));
        });
    }

    static String refusal(String what, String logger, String why) {
        return "refusing to send " + what + ": logger " + logger + " is at TRACE, where Apache MINA SSHD " + why
                + "; set it (or org.apache.sshd) to DEBUG or higher in the application's logging configuration";
    }
}
