package io.epiphany.testkit.sim;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The file tree of one SIMULATED host: host paths such as {@code /etc/kubernetes/admin.conf} live under a root
 * directory of the machine running the simulation. Every change is reported to a listener (the host's write counter),
 * and writes fail like a full disk when the host's disk-full fault is on.
 */
public final class HostFiles {
    /** Told about every change to the host's files. */
    @FunctionalInterface
    public interface ChangeListener {
        void changed(String hostPath);
    }

    /** Where relative paths start: root's home, as for a command run over SSH as root. */
    public static final String HOME = "/root";

    private final Path root;
    private final ChangeListener listener;
    private final BooleanSupplier diskFull;

    public HostFiles(Path root, ChangeListener listener, BooleanSupplier diskFull) {
        this.root = root.toAbsolutePath().normalize();
        this.listener = listener;
        this.diskFull = diskFull;
    }

    public Path root() {
        return root;
    }

    /** The local path of a host path; never outside the host's root. */
    public Path resolve(String hostPath) {
        String absolute = hostPath.startsWith("/") ? hostPath : HOME + "/" + hostPath;
        Path p = root.resolve(absolute.substring(1)).normalize();
        if (!p.startsWith(root)) {
            return root;
        }
        return p;
    }

    public boolean exists(String hostPath) {
        return Files.exists(resolve(hostPath));
    }

    public boolean isDirectory(String hostPath) {
        return Files.isDirectory(resolve(hostPath));
    }

    /** Whether anyone may read the file (others-read bit), as a non-root user needs. */
    public boolean worldReadable(String hostPath) throws IOException {
        return Files.getPosixFilePermissions(resolve(hostPath)).contains(PosixFilePermission.OTHERS_READ);
    }

    /** The permission bits of a file (e.g. 0644). */
    public int mode(String hostPath) throws IOException {
        int mode = 0;
        for (PosixFilePermission p : Files.getPosixFilePermissions(resolve(hostPath))) {
            mode |= 0400 >> p.ordinal();
        }
        return mode;
    }

    /** Sets the permission bits of a file, as chmod does. */
    public void chmod(String hostPath, int mode) throws IOException {
        Files.setPosixFilePermissions(resolve(hostPath), permissions(mode));
        listener.changed(hostPath);
    }

    /** The content of a file; {@link NoSuchFileException} when missing. */
    public byte[] read(String hostPath) throws IOException {
        return Files.readAllBytes(resolve(hostPath));
    }

    public String readString(String hostPath) throws IOException {
        return new String(read(hostPath), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Writes a file with its parents, replacing it. */
    public void write(String hostPath, byte[] content, int mode) throws IOException {
        checkSpace(hostPath);
        Path p = resolve(hostPath);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        Files.setPosixFilePermissions(p, permissions(mode));
        listener.changed(hostPath);
    }

    public void write(String hostPath, String content, int mode) throws IOException {
        write(hostPath, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), mode);
    }

    /** Creates a directory and its parents; true when something was created. */
    public boolean mkdirs(String hostPath) throws IOException {
        Path p = resolve(hostPath);
        if (Files.isDirectory(p)) {
            return false;
        }
        checkSpace(hostPath);
        Files.createDirectories(p);
        listener.changed(hostPath);
        return true;
    }

    /**
     * Creates one directory whose parent exists, atomically (mkdir(2)): fails with
     * {@link java.nio.file.FileAlreadyExistsException} when anything exists at the path, which is what makes a plain
     * {@code mkdir} usable as a lock.
     */
    public void mkdir(String hostPath) throws IOException {
        checkSpace(hostPath);
        Files.createDirectory(resolve(hostPath));
        listener.changed(hostPath);
    }

    /** Renames a file, replacing the target. */
    public void move(String from, String to) throws IOException {
        checkSpace(to);
        Files.move(resolve(from), resolve(to), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        listener.changed(to);
    }

    /** Deletes a file or an empty directory; true when it existed. */
    public boolean delete(String hostPath) throws IOException {
        boolean deleted = Files.deleteIfExists(resolve(hostPath));
        if (deleted) {
            listener.changed(hostPath);
        }
        return deleted;
    }

    /** Deletes what is inside a directory (the directory stays), as kubeadm reset does. */
    public void clearDirectory(String hostPath) throws IOException {
        Path dir = resolve(hostPath);
        if (!Files.isDirectory(dir)) {
            return;
        }
        boolean changed = false;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                    changed = true;
                }
            }
        }
        if (changed) {
            listener.changed(hostPath);
        }
    }

    /** Names in a directory, sorted; empty when it is missing. */
    public List<String> list(String hostPath) throws IOException {
        Path dir = resolve(hostPath);
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                s.forEach(p -> names.add(p.getFileName().toString()));
            }
        }
        names.sort(null);
        return names;
    }

    private void checkSpace(String hostPath) throws IOException {
        if (diskFull.getAsBoolean()) {
            throw new FileSystemException(hostPath, null, "No space left on device");
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder sb = new StringBuilder();
        String rwx = "rwx";
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = (mode >> shift) & 7;
            for (int i = 0; i < 3; i++) {
                sb.append((bits & (4 >> i)) != 0 ? rwx.charAt(i) : '-');
            }
        }
        return PosixFilePermissions.fromString(sb.toString());
    }
}
