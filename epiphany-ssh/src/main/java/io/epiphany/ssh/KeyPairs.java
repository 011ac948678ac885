package io.epiphany.ssh;

import io.epiphany.api.Secret;
import io.epiphany.api.SshSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Loads the client's OpenSSH private keys (ed25519 needs Bouncy Castle on MINA 2.x, which this module brings), once
 * per file and passphrase. Key material and passphrases never reach a log or a message.
 */
final class KeyPairs {
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
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("SshSettings.privateKey " + path + " does not exist or is not readable");
        }
        FilePasswordProvider password = passphrase.map(s -> FilePasswordProvider.of(s.reveal()))
                .orElse(FilePasswordProvider.EMPTY);
        try {
            Iterable<KeyPair> pairs = SecurityUtils.getKeyPairResourceParser().loadKeyPairs(null, path, password);
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
        }
    }
}
