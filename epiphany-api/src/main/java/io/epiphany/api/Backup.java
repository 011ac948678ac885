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
        Map<String, Source> sources = new LinkedHashMap<>();
        parts.forEach((name, content) -> sources.put(name, Source.of(content)));
        return write(archive, new Manifest(cluster, kubernetesVersion, created, takenOn, members, etcdRevision,
                etcdKeys, List.of()), sources);
    }

    /**
     * {@link #write(Path, String, String, Instant, String, List, long, long, Map)} with the etcd snapshot streamed
     * from a local file (read twice, for its SHA-256 and into the archive; never whole in memory) as the first part,
     * then {@code parts}, which must not hold {@link #SNAPSHOT}.
     */
    public static Backup write(Path archive, String cluster, String kubernetesVersion, Instant created, String takenOn,
            List<String> members, long etcdRevision, long etcdKeys, Path snapshot, Map<String, byte[]> parts) {
        if (parts.containsKey(SNAPSHOT)) {
            throw new IllegalArgumentException("the snapshot is the file " + snapshot + ", not a part");
        }
        Map<String, Source> sources = new LinkedHashMap<>();
        sources.put(SNAPSHOT, Source.of(snapshot));
        parts.forEach((name, content) -> sources.put(name, Source.of(content)));
        return write(archive, new Manifest(cluster, kubernetesVersion, created, takenOn, members, etcdRevision,
                etcdKeys, List.of()), sources);
    }

    /** A part's content, opened as often as needed: bytes held, or a local file streamed. */
    private interface Source {
        InputStream open() throws IOException;

        static Source of(byte[] content) {
            return () -> new java.io.ByteArrayInputStream(content);
        }

        static Source of(Path file) {
            return () -> Files.newInputStream(file);
        }
    }

    private static Backup write(Path archive, Manifest head, Map<String, Source> parts) {
        Path dir = archive.toAbsolutePath().getParent();
        try {
            List<Part> described = new ArrayList<>();
            for (Map.Entry<String, Source> p : parts.entrySet()) {
                try (InputStream in = p.getValue().open()) {
                    Digest d = Digest.of(in);
                    described.add(new Part(checkName(p.getKey()), d.size(), d.sha256()));
                }
            }
            Manifest manifest = new Manifest(head.cluster(), head.kubernetesVersion(), head.created(),
                    head.takenOn(), head.members(), head.etcdRevision(), head.etcdKeys(), described);
            Path tmp = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile(dir, "." + archive.getFileName(), ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, "." + archive.getFileName(), ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
                    entry(zip, MANIFEST, new java.io.ByteArrayInputStream(manifestText(manifest)
                            .getBytes(StandardCharsets.UTF_8)));
                    for (Map.Entry<String, Source> p : parts.entrySet()) {
                        try (InputStream in = p.getValue().open()) {
                            entry(zip, p.getKey(), in);
                        }
                    }
                }
                // a part that changed between its digest and its copy would make an archive verify() refuses
                Backup written = read(tmp, null);
                Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return new Backup(archive, written.manifest, written.archiveSha256);
            } finally {
                Files.deleteIfExists(tmp);
            }
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

    /** One part's content, after the archive was verified; for restoring. Only that part is held in memory. */
    public byte[] part(String name) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        copyPart(name, content);
        return content.toByteArray();
    }

    /**
     * Streams one part of the verified archive to {@code out} (the snapshot need not fit in memory); refused when it
     * is not in the manifest, or when its content no longer matches it (then {@code out} received it anyway: discard
     * what it wrote).
     */
    public void copyPart(String name, OutputStream out) {
        Part expected = manifest.parts().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(path + ": no verified part " + name));
        Map<String, Digest> seen = entries(path, name, out);
        Digest d = seen.get(name);
        if (d == null || d.size() != expected.size() || !d.sha256().equals(expected.sha256())) {
            throw new IllegalArgumentException(path + ": no verified part " + name + " (the archive changed after "
                    + "it was verified)");
        }
    }

    private static Backup read(Path archive, String expectedSha) {
        String sha;
        try (InputStream in = Files.newInputStream(archive)) {
            sha = Digest.of(in).sha256();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the backup archive " + archive, e);
        }
        if (expectedSha != null && !expectedSha.equalsIgnoreCase(sha)) {
            throw new IllegalArgumentException(archive + ": SHA-256 " + sha + ", recorded " + expectedSha
                    + ": the archive was changed");
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Map<String, Digest> entries = entries(archive, MANIFEST, text);
        if (entries.remove(MANIFEST) == null) {
            throw new IllegalArgumentException(archive + ": no " + MANIFEST + ": not an Epiphany backup");
        }
        Manifest m = parseManifest(archive, text.toString(StandardCharsets.UTF_8));
        List<String> problems = new ArrayList<>();
        for (Part p : m.parts()) {
            Digest content = entries.remove(p.name());
            if (content == null) {
                problems.add(p.name() + " is missing");
            } else if (content.size() != p.size() || !content.sha256().equals(p.sha256())) {
                problems.add(p.name() + " differs from the manifest (" + content.size() + " bytes, SHA-256 "
                        + content.sha256() + "; manifest: " + p.size() + " bytes, " + p.sha256() + ")");
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

    /** A part's size and SHA-256, read in one pass. */
    private record Digest(long size, String sha256) {
        static Digest of(InputStream in) throws IOException {
            MessageDigest md = newSha256();
            byte[] buf = new byte[64 * 1024];
            long size = 0;
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
                size += n;
            }
            return new Digest(size, HexFormat.of().formatHex(md.digest()));
        }
    }

    /** The manifest is small; a bigger one is not an archive this class wrote. */
    private static final int MAX_MANIFEST = 1024 * 1024;

    /**
     * Every entry's size and SHA-256, streamed; entry {@code copy} is also copied to {@code out} (the manifest at
     * most {@link #MAX_MANIFEST} bytes). A name twice is refused.
     */
    private static Map<String, Digest> entries(Path archive, String copy, OutputStream out) {
        Map<String, Digest> found = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(archive); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                InputStream content = zip;
                if (e.getName().equals(copy)) {
                    long limit = copy.equals(MANIFEST) ? MAX_MANIFEST : Long.MAX_VALUE;
                    content = new Tee(zip, out, limit, archive + ": " + copy + " is larger than " + limit + " bytes");
                }
                if (found.put(e.getName(), Digest.of(content)) != null) {
                    throw new IllegalArgumentException(archive + " was tampered with: " + e.getName() + " twice");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(archive + " is not a readable ZIP archive: " + e.getMessage(), e);
        }
        return found;
    }

    /** What is read is also written to {@code out}, up to {@code limit} bytes. */
    private static final class Tee extends java.io.FilterInputStream {
        private final OutputStream out;
        private final long limit;
        private final String tooLarge;
        private long copied;

        Tee(InputStream in, OutputStream out, long limit, String tooLarge) {
            super(in);
            this.out = out;
            this.limit = limit;
            this.tooLarge = tooLarge;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                copied += n;
                if (copied > limit) {
                    throw new IllegalArgumentException(tooLarge);
                }
                out.write(b, off, n);
            }
            return n;
        }

        @Override
        public void close() {
            // the ZIP stream stays open for the next entry
        }
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

    private static void entry(ZipOutputStream zip, String name, InputStream content) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(0);
        zip.putNextEntry(e);
        content.transferTo(zip);
        zip.closeEntry();
    }

    private static String checkName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("..") || name.contains("\\")
                || name.equals(MANIFEST)) {
            throw new IllegalArgumentException("invalid backup part name: " + name);
        }
        return name;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
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
