package io.epiphany.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A backup archive of a cluster as {@link Cluster#backup(Path)} wrote it: one ZIP file (written by the JDK, mode
 * 0600) holding the etcd snapshot ({@code etcd/snapshot.db}), the shared PKI ({@code pki/...}: the cluster, front-proxy
 * and etcd CAs with their keys, the service-account key pair), the encryption config and audit policy
 * ({@code config/...}), and first a text manifest: cluster name, Kubernetes version, etcd members, when and where it
 * was taken, the snapshot's revision and key count, and the size and SHA-256 of every part. The archive holds the
 * cluster's most secret keys: keep it like them. {@link #toString()} names no content.
 *
 * <p>{@link #verify(Path)} reads an archive back and refuses it when a part is missing, extra, duplicated, or differs
 * from its manifest line. That detects corruption and any change the manifest does not also match; against someone
 * who rewrites the manifest too, compare {@link #archiveSha256()} with the value recorded when the backup was taken
 * ({@link #verify(Path, String)}).
 */
public final class Backup {
    /** The first entry of every archive. */
    public static final String MANIFEST = "epiphany-backup.manifest";
    /** The etcd snapshot's entry. */
    public static final String SNAPSHOT = "etcd/snapshot.db";
    private static final String FORMAT = "epiphany-backup 1";

    /** One part of the archive: its entry name, size in bytes and SHA-256 (hex). */
    public record Part(String name, long size, String sha256) {}

    /**
     * What a backup describes; {@code members} are etcd's members as {@code name peerURL}.
     *
     * @param takenOn the master the snapshot was taken on
     */
    public record Manifest(String cluster, String kubernetesVersion, Instant created, String takenOn,
                           List<String> members, long etcdRevision, long etcdKeys, List<Part> parts) {
        public Manifest {
            members = List.copyOf(members);
            parts = List.copyOf(parts);
        }
    }

    private final Path path;
    private final Manifest manifest;
    private final String archiveSha256;

    private Backup(Path path, Manifest manifest, String archiveSha256) {
        this.path = path;
        this.manifest = manifest;
        this.archiveSha256 = archiveSha256;
    }

    public Path path() {
        return path;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The SHA-256 of the whole archive file: record it apart from the archive to detect a rewritten manifest. */
    public String archiveSha256() {
        return archiveSha256;
    }

    /**
     * Writes an archive atomically (a temporary file in the same directory, mode 0600 from its creation, renamed):
     * the manifest, then {@code parts} in their order. For engines; users call {@link Cluster#backup(Path)}.
     */
    public static Backup write(Path archive, String cluster, String kubernetesVersion, Instant created, String takenOn,
            List<String> members, long etcdRevision, long etcdKeys, Map<String, byte[]> parts) {
        List<Part> described = new ArrayList<>();
        parts.forEach((name, content) -> described.add(new Part(checkName(name), content.length, sha256(content))));
        Manifest manifest = new Manifest(cluster, kubernetesVersion, created, takenOn, members, etcdRevision, etcdKeys,
                described);
        Path dir = archive.toAbsolutePath().getParent();
        try {
            Path tmp = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile(dir, "." + archive.getFileName(), ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, "." + archive.getFileName(), ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
                    entry(zip, MANIFEST, manifestText(manifest).getBytes(StandardCharsets.UTF_8));
                    for (Map.Entry<String, byte[]> p : parts.entrySet()) {
                        entry(zip, p.getKey(), p.getValue());
                    }
                }
                Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return new Backup(archive, manifest, sha256(Files.readAllBytes(archive)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the backup archive " + archive, e);
        }
    }

    /**
     * Reads an archive and checks every part against the manifest; an {@link IllegalArgumentException} says what
     * differs.
     */
    public static Backup verify(Path archive) {
        return read(archive, null);
    }

    /** {@link #verify(Path)}, and the whole file must have the SHA-256 recorded when the backup was taken. */
    public static Backup verify(Path archive, String expectedArchiveSha256) {
        return read(archive, Objects.requireNonNull(expectedArchiveSha256, "expectedArchiveSha256"));
    }

    /** One part's content, after the archive was verified; for restoring. */
    public byte[] part(String name) {
        Map<String, byte[]> parts = entries(path);
        byte[] content = parts.get(name);
        if (content == null || manifest.parts().stream().noneMatch(p -> p.name().equals(name)
                && p.sha256().equals(sha256(content)))) {
            throw new IllegalArgumentException(path + ": no verified part " + name);
        }
        return content;
    }

    private static Backup read(Path archive, String expectedSha) {
        byte[] file;
        try {
            file = Files.readAllBytes(archive);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the backup archive " + archive, e);
        }
        String sha = sha256(file);
        if (expectedSha != null && !expectedSha.equalsIgnoreCase(sha)) {
            throw new IllegalArgumentException(archive + ": SHA-256 " + sha + ", recorded " + expectedSha
                    + ": the archive was changed");
        }
        Map<String, byte[]> entries = entries(archive);
        byte[] text = entries.remove(MANIFEST);
        if (text == null) {
            throw new IllegalArgumentException(archive + ": no " + MANIFEST + ": not an Epiphany backup");
        }
        Manifest m = parseManifest(archive, new String(text, StandardCharsets.UTF_8));
        List<String> problems = new ArrayList<>();
        for (Part p : m.parts()) {
            byte[] content = entries.remove(p.name());
            if (content == null) {
                problems.add(p.name() + " is missing");
            } else if (content.length != p.size() || !sha256(content).equals(p.sha256())) {
                problems.add(p.name() + " differs from the manifest (" + content.length + " bytes, SHA-256 "
                        + sha256(content) + "; manifest: " + p.size() + " bytes, " + p.sha256() + ")");
            }
        }
        entries.keySet().forEach(n -> problems.add(n + " is not in the manifest"));
        if (m.parts().stream().noneMatch(p -> p.name().equals(SNAPSHOT))) {
            problems.add("the manifest lists no " + SNAPSHOT);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(archive + " was tampered with or is damaged: "
                    + String.join("; ", problems));
        }
        return new Backup(archive, m, sha);
    }

    private static Map<String, byte[]> entries(Path archive) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(archive); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                zip.transferTo(content);
                if (out.put(e.getName(), content.toByteArray()) != null) {
                    throw new IllegalArgumentException(archive + " was tampered with: " + e.getName() + " twice");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(archive + " is not a readable ZIP archive: " + e.getMessage(), e);
        }
        return out;
    }

    private static String manifestText(Manifest m) {
        StringBuilder b = new StringBuilder(FORMAT).append('\n');
        b.append("cluster ").append(m.cluster()).append('\n');
        b.append("kubernetes-version ").append(m.kubernetesVersion()).append('\n');
        b.append("created ").append(m.created()).append('\n');
        b.append("taken-on ").append(m.takenOn()).append('\n');
        b.append("etcd-revision ").append(m.etcdRevision()).append('\n');
        b.append("etcd-keys ").append(m.etcdKeys()).append('\n');
        m.members().forEach(x -> b.append("member ").append(x).append('\n'));
        m.parts().forEach(p -> b.append("part ").append(p.sha256()).append(' ').append(p.size()).append(' ')
                .append(p.name()).append('\n'));
        return b.toString();
    }

    private static Manifest parseManifest(Path archive, String text) {
        List<String> lines = text.lines().toList();
        if (lines.isEmpty() || !lines.get(0).equals(FORMAT)) {
            throw new IllegalArgumentException(archive + ": the manifest does not start with '" + FORMAT + "'");
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> members = new ArrayList<>();
        List<Part> parts = new ArrayList<>();
        try {
            for (String line : lines.subList(1, lines.size())) {
                String[] kv = line.split(" ", 2);
                if (kv[0].equals("member")) {
                    members.add(kv[1]);
                } else if (kv[0].equals("part")) {
                    String[] p = kv[1].split(" ", 3);
                    parts.add(new Part(checkName(p[2]), Long.parseLong(p[1]), p[0]));
                } else {
                    values.put(kv[0], kv[1]);
                }
            }
            return new Manifest(values.get("cluster"), values.get("kubernetes-version"),
                    Instant.parse(values.get("created")), values.get("taken-on"), members,
                    Long.parseLong(values.get("etcd-revision")), Long.parseLong(values.get("etcd-keys")), parts);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(archive + ": the manifest cannot be read: " + e, e);
        }
    }

    private static void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(0);
        zip.putNextEntry(e);
        zip.write(content);
        zip.closeEntry();
    }

    private static String checkName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("..") || name.contains("\\")
                || name.equals(MANIFEST)) {
            throw new IllegalArgumentException("invalid backup part name: " + name);
        }
        return name;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Backup[" + path + ", cluster " + manifest.cluster() + ", taken on " + manifest.takenOn() + " at "
                + manifest.created() + ", etcd revision " + manifest.etcdRevision() + ", " + manifest.parts().size()
                + " parts, SHA-256 " + archiveSha256 + "]";
    }
}
