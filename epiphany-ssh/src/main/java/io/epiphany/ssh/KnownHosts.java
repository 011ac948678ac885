package io.epiphany.ssh;

import io.epiphany.api.LocalFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.config.hosts.KnownHostHashValue;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * An OpenSSH known_hosts file: the keys recorded for a host (plain and hashed {@code |1|} entries, {@code [host]:port}
 * for non-standard ports), and appending a first-seen key for trust-on-first-use. Read on each lookup so that edits
 * by other tools are seen (parsed again only when the text changed); appends are serialised per file.
 */
final class KnownHosts {
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();
    /** Per file, under its lock: the last text read and its entries. */
    private static final Map<Path, Parsed> PARSED = new ConcurrentHashMap<>();
    /** Room for hundreds of thousands of hosts; a far larger file is not a known_hosts file. */
    static final int MAX_BYTES = 32 * 1024 * 1024;
    private static final Pattern KEY_TYPE = Pattern.compile("[a-z0-9][a-z0-9@.-]{2,63}");

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
        List<KnownHostEntry> entries;
        synchronized (lock()) { // never a half-appended line
            entries = Files.exists(file) ? entries() : List.of();
        }
        // matched outside the lock (the entries do not change): each connection's check runs beside the others
        List<PublicKey> keys = new ArrayList<>();
        List<PublicKey> revoked = new ArrayList<>();
        for (KnownHostEntry entry : entries) {
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
            String existing = content();
            checkSyntax(existing);
            String pattern = KnownHostHashValue.createHostPattern(host, port);
            String line = pattern + " " + PublicKeyEntry.toString(key) + "\n";
            String prefix = !existing.isEmpty() && !existing.endsWith("\n") ? "\n" : "";
            Files.write(file, (prefix + line).getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        }
    }

    /**
     * The file's entries, parsed again only when its text changed since the last lookup. Parsing is most of a
     * lookup's cost (each entry's host patterns and base64 key; about 20 µs an entry), and every connection reads the
     * file under its lock: without this, N connections parse N entries each, one after another.
     */
    private List<KnownHostEntry> entries() throws IOException {
        String content = content();
        Parsed last = PARSED.get(file);
        if (last == null || !last.content().equals(content)) {
            last = new Parsed(content, List.copyOf(KnownHostEntry.readKnownHostEntries(new StringReader(content),
                    true)));
            PARSED.put(file, last);
        }
        return last.entries();
    }

    /** A file's text and the entries parsed from it (public keys only: nothing secret is kept). */
    private record Parsed(String content, List<KnownHostEntry> entries) {}

    /** The file's text, bounded and from a regular file only (a device or pipe would hang every connection). */
    private String content() throws IOException {
        return new String(LocalFiles.read(file, MAX_BYTES, "known_hosts"), StandardCharsets.UTF_8);
    }

    /**
     * Refuses to append to a file that is not a known_hosts file: every line must be blank, a comment, or
     * {@code [@marker] hosts keytype base64-key [comment]} with the key's own type inside its base64 blob (as
     * OpenSSH writes it). A mistyped path (a copy of /etc/passwd, a config file) is left as it is.
     */
    private void checkSyntax(String content) throws IOException {
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (!line.isEmpty() && !line.startsWith("#") && !isEntry(line)) {
                throw new IOException(file + " line " + (i + 1) + " is not a known_hosts entry, so this is not a "
                        + "known_hosts file: host keys are only appended to one (fix SshSettings.knownHosts)");
            }
        }
    }

    private static boolean isEntry(String line) {
        String[] words = line.split("\\s+");
        int at = words[0].startsWith("@") ? 1 : 0;
        if (at == 1 && !words[0].equals("@revoked") && !words[0].equals("@cert-authority")) {
            return false;
        }
        if (words.length < at + 3 || !KEY_TYPE.matcher(words[at + 1]).matches()) {
            return false;
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(words[at + 2]);
        } catch (IllegalArgumentException e) {
            return false;
        }
        // SSH wire format: uint32 length, then the key type again
        if (blob.length < 4) {
            return false;
        }
        int length = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        return length == words[at + 1].length() && blob.length >= 4 + length
                && new String(blob, 4, length, StandardCharsets.US_ASCII).equals(words[at + 1]);
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
