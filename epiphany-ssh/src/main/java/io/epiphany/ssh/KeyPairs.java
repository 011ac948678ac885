package io.epiphany.ssh;

import io.epiphany.api.Secret;
import io.epiphany.api.SshSettings;
import io.epiphany.api.LocalFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.loader.KeyPairResourceParser;
import org.apache.sshd.common.config.keys.loader.openssh.OpenSSHKeyPairResourceParser;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Loads the client's private keys, once per file and passphrase: OpenSSH files and PEM ones (PKCS#1, SEC 1, PKCS#8),
 * ed25519 through the JDK ({@link JdkEd25519}); Bouncy Castle, registered at that point, only for a PEM file MINA's own
 * parsers cannot read (an encrypted PKCS#8 key). Key material and passphrases never reach a log or a message.
 */
final class KeyPairs {
    private static final String OPENSSH_BEGIN = "-----" + OpenSSHKeyPairResourceParser.BEGIN_MARKER + "-----";
    private static final String OPENSSH_END = "-----" + OpenSSHKeyPairResourceParser.END_MARKER + "-----";
    /** An OpenSSH RSA-16384 private key is about 12 KB; anything far larger is not a key file. */
    static final int MAX_KEY_FILE_BYTES = 64 * 1024;
    private final Map<CacheKey, List<KeyPair>> cache = new ConcurrentHashMap<>();

    /** Secret compares by value and hashes to a constant, so the passphrase itself never becomes a hash. */
    private record CacheKey(Path path, Optional<Secret> passphrase) {
        // written out for the reason HostTarget's are
        @Override
        public boolean equals(Object o) {
            return o instanceof CacheKey k && path.equals(k.path) && passphrase.equals(k.passphrase);
        }

        @Override
        public int hashCode() {
            return 31 * path.hashCode() + passphrase.hashCode();
        }
    }

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

    /**
     * An OpenSSH key is base64-decoded here and handed to MINA's parser past the step that hex-dumps the decoded
     * key at TRACE; other formats go through MINA's own reading, refused while its parsers are at TRACE.
     */
    private static Collection<KeyPair> parse(Path path, byte[] content, FilePasswordProvider password)
            throws IOException, GeneralSecurityException {
        NamedResource resource = NamedResource.ofName(path.toString());
        String text = new String(content, StandardCharsets.US_ASCII);
        int begin = text.indexOf(OPENSSH_BEGIN);
        int end = text.indexOf(OPENSSH_END);
        if (begin >= 0 && end > begin) {
            byte[] blob;
            try {
                blob = Base64.getMimeDecoder().decode(text.substring(begin + OPENSSH_BEGIN.length(), end));
            } catch (IllegalArgumentException e) {
                throw new IOException("the OpenSSH key's body is not base64");
            }
            try {
                return OpenSSHKeyPairResourceParser.INSTANCE.extractKeyPairs(null, resource,
                        OpenSSHKeyPairResourceParser.BEGIN_MARKER, OpenSSHKeyPairResourceParser.END_MARKER, password,
                        new ByteArrayInputStream(blob), Map.of());
            } finally {
                Arrays.fill(blob, (byte) 0);
            }
        }
        Optional<String> tracing = PacketLogs.tracing(PacketLogs.KEY_PARSER_LOGGERS);
        if (tracing.isPresent()) {
            throw new IllegalArgumentException(PacketLogs.refusal("SshSettings.privateKey " + path + " to the key "
                    + "parser", tracing.get(), "prints the decoded private key") + " (or convert the key to the "
                    + "OpenSSH format: ssh-keygen -p -f <key>)");
        }
        try {
            Collection<KeyPair> pairs = pem(SecurityUtils.getKeyPairResourceParser(), resource, password, content);
            if (!pairs.isEmpty()) {
                return pairs;
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            if (!JdkEd25519.registerBouncyCastle()) {
                throw e;
            }
        }
        if (!JdkEd25519.registerBouncyCastle()) {
            return List.of();
        }
        // MINA's PKCS#8 parser decrypts through Bouncy Castle once it is registered; Bouncy Castle's own parser reads
        // the PEM forms MINA's do not
        Collection<KeyPair> pairs = pem(SecurityUtils.getKeyPairResourceParser(), resource, password, content);
        return pairs.isEmpty() ? pem(SecurityUtils.getBouncycastleKeyPairResourceParser(), resource, password, content)
                : pairs;
    }

    private static Collection<KeyPair> pem(KeyPairResourceParser parser, NamedResource resource,
            FilePasswordProvider password, byte[] content) throws IOException, GeneralSecurityException {
        Collection<KeyPair> pairs = parser.loadKeyPairs(null, resource, password, new ByteArrayInputStream(content));
        return pairs == null ? List.of() : pairs;
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
            Iterable<KeyPair> pairs = parse(path, content, password);
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
            Arrays.fill(content, (byte) 0); // the parsed keys are all that is kept
        }
    }
}
