package io.epiphany.ssh;

import io.epiphany.api.Secret;
import io.epiphany.api.SshSettings;
import io.epiphany.api.LocalFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Loads the client's OpenSSH private keys (ed25519 needs Bouncy Castle on MINA 2.x, which this module brings), once
 * per file and passphrase. Key material and passphrases never reach a log or a message.
 */
final class KeyPairs {
    /** An OpenSSH RSA-16384 private key is about 12 KB; anything far larger is not a key file. */
    static final int MAX_KEY_FILE_BYTES = 64 * 1024;
    private final Map<CacheKey, List<KeyPair>> cache = new ConcurrentHashMap<>();

    /** Secret compares by value and hashes to a constant, so the passphrase itself never becomes a hash. */
    private record CacheKey(Path path, Optional<Secret> passphrase) {}

    List<KeyPair> load(SshSettings settings) {
        if (settings.useAgent()) {
            throw new IllegalArgumentException("SshSettings.useAgent: SSH agent authentication is not supported by "
                    + "epiphany-ssh yet; configure SshSettings.privateKey instead");
        }
        Path path = settings.privateKey().orElseThrow(() -> new IllegalArgumentException(
                "SshSettings.privateKey is not set: the SDK never falls back to ~/.ssh/id_* on its own"));
        Optional<Secret> passphrase = settings.privateKeyPassphrase();
        return cache.computeIfAbsent(new CacheKey(path.toAbsolutePath().normalize(), passphrase),
                k -> read(path, passphrase));
    }

    private static List<KeyPair> read(Path path, Optional<Secret> passphrase) {
        byte[] content;
        try {
            // bounded, regular files only: /dev/zero or a pipe must not hang the caller or exhaust memory
            content = LocalFiles.read(path, MAX_KEY_FILE_BYTES, "SshSettings.privateKey");
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        FilePasswordProvider password = passphrase.map(s -> FilePasswordProvider.of(s.reveal()))
                .orElse(FilePasswordProvider.EMPTY);
        try {
            Iterable<KeyPair> pairs = SecurityUtils.getKeyPairResourceParser().loadKeyPairs(null,
                    NamedResource.ofName(path.toString()), password, new ByteArrayInputStream(content));
            List<KeyPair> list = new ArrayList<>();
            if (pairs != null) {
                pairs.forEach(list::add);
            }
            if (list.isEmpty()) {
                throw new IllegalArgumentException("SshSettings.privateKey " + path
                        + " holds no private key this client can read (expected an OpenSSH or PEM ed25519, ECDSA or "
                        + "RSA key)");
            }
            return List.copyOf(list);
        } catch (IOException | GeneralSecurityException e) {
            String hint = passphrase.isPresent() ? "check SshSettings.privateKeyPassphrase"
                    : "if the key is encrypted, set SshSettings.privateKeyPassphrase";
            // Parser messages do not contain key material; the passphrase is never part of them.
            throw new IllegalArgumentException("cannot load SshSettings.privateKey " + path + ": "
                    + e.getClass().getSimpleName() + " " + e.getMessage() + " (" + hint + ")", e);
        } finally {
            java.util.Arrays.fill(content, (byte) 0); // the parsed keys are all that is kept
        }
    }
}
