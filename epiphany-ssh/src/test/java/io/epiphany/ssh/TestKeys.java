package io.epiphany.ssh;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/** Generates key pairs and writes OpenSSH private key files, in Java only (the fast tests need no ssh-keygen). */
final class TestKeys {
    static {
        // as SshRemoteAccess does: the tests' first MINA call (a key generated here) would set MINA's providers up
        JdkEd25519.install();
    }

    private TestKeys() {}

    static KeyPair generate(String type, int bits) throws Exception {
        return KeyUtils.generateKeyPair(type, bits);
    }

    static KeyPair ed25519() throws Exception {
        return generate("ssh-ed25519", 256);
    }

    /** Writes {@code pair} as an OpenSSH private key file, encrypted with AES-256-CTR when a passphrase is given. */
    static Path write(KeyPair pair, Path file, String passphrase) throws Exception {
        OpenSSHKeyEncryptionContext encryption = null;
        if (passphrase != null) {
            encryption = new OpenSSHKeyEncryptionContext();
            encryption.setPassword(passphrase);
            encryption.setCipherName("AES");
            encryption.setCipherMode("CTR");
            encryption.setCipherType("256");
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "test", encryption, out);
        }
        return file;
    }
}
