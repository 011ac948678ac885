package io.epiphany.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.config.hosts.KnownHostHashValue;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * An OpenSSH known_hosts file: the keys recorded for a host (plain and hashed {@code |1|} entries, {@code [host]:port}
 * for non-standard ports), and appending a first-seen key for trust-on-first-use. Read on each lookup so that edits
 * by other tools are seen; appends are serialised per file.
 */
final class KnownHosts {
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final Path file;

    KnownHosts(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    Path file() {
        return file;
    }

    /** What the file says about a host. */
    record Lookup(List<PublicKey> keys, List<PublicKey> revoked) {
        boolean known() {
            return !keys.isEmpty();
        }
    }

    Lookup lookup(String host, int port) throws IOException {
        synchronized (lock()) {
            List<PublicKey> keys = new ArrayList<>();
            List<PublicKey> revoked = new ArrayList<>();
            if (!Files.exists(file)) {
                return new Lookup(keys, revoked);
            }
            for (KnownHostEntry entry : KnownHostEntry.readKnownHostEntries(file)) {
                if (!entry.isHostMatch(host, port)) {
                    continue;
                }
                PublicKey key = resolve(entry.getKeyEntry());
                if (key == null) {
                    continue; // a key type this client cannot parse cannot match what the server presented either
                }
                String marker = entry.getMarker();
                if (marker == null || marker.isEmpty()) {
                    keys.add(key);
                } else if ("revoked".equals(marker)) {
                    revoked.add(key);
                }
                // @cert-authority lines are about certificates, which this client does not accept as host keys
            }
            return new Lookup(keys, revoked);
        }
    }

    /**
     * Appends {@code key} for the host unless a concurrent connection already did. The file and its directory are
     * created private to the user (0600 / 0700) as OpenSSH expects.
     */
    void add(String host, int port, PublicKey key) throws IOException {
        synchronized (lock()) {
            if (lookup(host, port).keys().stream().anyMatch(k -> org.apache.sshd.common.config.keys.KeyUtils
                    .compareKeys(k, key))) {
                return;
            }
            Path dir = file.getParent();
            if (dir != null && !Files.exists(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            }
            String pattern = KnownHostHashValue.createHostPattern(host, port);
            String line = pattern + " " + PublicKeyEntry.toString(key) + "\n";
            byte[] existing = Files.readAllBytes(file);
            String prefix = existing.length > 0 && existing[existing.length - 1] != '\n' ? "\n" : "";
            Files.write(file, (prefix + line).getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        }
    }

    private Object lock() {
        return LOCKS.computeIfAbsent(file, f -> new Object());
    }

    private static PublicKey resolve(AuthorizedKeyEntry entry) {
        if (entry == null) {
            return null;
        }
        try {
            return entry.resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
        } catch (IOException | GeneralSecurityException e) {
            return null;
        }
    }
}
