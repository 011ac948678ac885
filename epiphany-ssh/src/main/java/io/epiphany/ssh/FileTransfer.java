package io.epiphany.ssh;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.Shell;
import io.epiphany.api.remote.UploadResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files on one host. Root logins use SFTP (one client per session, reused): stat + SHA-256 of the current content to
 * skip unchanged files, {@code mkdir -p} of the parents, write to a hidden temporary name in the same directory with
 * the final mode and owner set before any content is written, then an atomic rename. Non-root logins (which need
 * {@code sudo}) and hosts without the SFTP subsystem use exec ({@link ExecFiles}). File content is never logged.
 */
final class FileTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(FileTransfer.class);
    private static final AttributeKey<SftpClient> SFTP = new AttributeKey<>();
    private static final int CHUNK = 32 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SshRemoteHost host;
    private final ExecFiles exec;
    private final Map<String, int[]> ownerIds = new ConcurrentHashMap<>();
    private volatile boolean sftpUnavailable;

    FileTransfer(SshRemoteHost host) {
        this.host = host;
        this.exec = new ExecFiles(host);
    }

    UploadResult upload(RemoteFile file) {
        SftpClient sftp = sftp();
        return sftp == null ? logged(file, () -> exec.upload(file))
                : unlessInterrupted("upload of " + file, () -> logged(file, () -> sftpUpload(sftp, file)));
    }

    private UploadResult logged(RemoteFile file, IoCall<UploadResult> upload) {
        try {
            UploadResult result = upload.call();
            LOG.debug("upload {}: {}", file, result);
            return result;
        } catch (IOException e) {
            throw failure("upload of " + file, e);
        }
    }

    Optional<byte[]> read(String path) {
        SftpClient sftp = sftp();
        if (sftp == null) {
            return exec.read(path);
        }
        return sftpRead(sftp, path, InputStream::readAllBytes);
    }

    /**
     * Streams a file into {@code local} over SFTP (64 KiB at a time), or over exec (a non-root login, or no SFTP) in
     * pieces that each fit the output cap: {@code dd if=<path> bs=<piece> skip=<i> count=1 status=none}, until a
     * piece is short. Either way whatever its size.
     */
    boolean download(String path, java.nio.file.Path local) {
        SftpClient sftp = sftp();
        if (sftp == null) {
            return exec.download(path, local);
        }
        return sftpRead(sftp, path, in -> {
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(local,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                return in.transferTo(out);
            }
        }).isPresent();
    }

    /** What {@code use} makes of the file's content; empty when the file does not exist. */
    private <T> Optional<T> sftpRead(SftpClient sftp, String path, IoFunction<InputStream, T> use) {
        return unlessInterrupted("reading " + path, () -> {
            try (InputStream in = sftp.read(path)) {
                return Optional.of(use.apply(in));
            } catch (SftpException e) {
                if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    return Optional.empty();
                }
                throw failure("reading " + path, e);
            } catch (IOException e) {
                throw failure("reading " + path, e);
            }
        });
    }

    /** A function that may fail with an {@link IOException}. */
    private interface IoFunction<A, T> {
        T apply(A a) throws IOException;
    }

    /** A blocking call that may fail with an {@link IOException}. */
    private interface IoCall<T> {
        T call() throws IOException;
    }

    /**
     * Runs a blocking SFTP call on the caller's thread: {@link QuietSftpClient} does every wait itself, so an interrupt
     * never reaches MINA inside the call (MINA answered one by closing the whole session later, which cut off the next
     * command on that host) and the interrupted caller returns at once with a cancellation and its flag set. A caller
     * already interrupted sends nothing.
     */
    private <T> T unlessInterrupted(String what, java.util.function.Supplier<T> call) {
        if (Thread.currentThread().isInterrupted()) {
            throw new java.util.concurrent.CancellationException(what + " on " + host.hostname() + " interrupted");
        }
        return call.get();
    }

    /** The session's SFTP client, or null when files go over exec (non-root login, or no SFTP subsystem). */
    private SftpClient sftp() {
        if (sftpUnavailable || !"root".equals(host.target().user())) {
            return null;
        }
        ClientSession session = host.sessionNow();
        synchronized (session) {
            SftpClient client = session.getAttribute(SFTP);
            if (client != null && client.isOpen()) {
                return client;
            }
            try {
                client = QuietSftpClient.open(session);
                session.setAttribute(SFTP, client);
                return client;
            } catch (IOException e) {
                if (Interrupts.caused(e)) {
                    throw failure("starting SFTP", e); // not a missing subsystem: do not fall back for good
                }
                if (!session.isOpen()) {
                    throw new RemoteException(host.hostname(), "connection lost while starting SFTP", e);
                }
                sftpUnavailable = true;
                LOG.warn("{}: no SFTP subsystem ({}); files go over exec (cat) from now on", host.hostname(),
                        e.getMessage());
                return null;
            }
        }
    }

    /**
     * MINA's SFTP client turns an interrupt of the waiting thread into an {@link java.io.InterruptedIOException},
     * clearing the flag: the flag is set again and the failure is a cancellation (as for a command), not a transport
     * failure the caller would take for an unreachable host.
     */
    private RuntimeException failure(String what, IOException e) {
        if (Interrupts.caused(e)) {
            Thread.currentThread().interrupt();
            return new java.util.concurrent.CancellationException(what + " on " + host.hostname() + " interrupted");
        }
        return new RemoteException(host.hostname(), what + " failed: " + e.getMessage(), e);
    }

    private UploadResult sftpUpload(SftpClient sftp, RemoteFile file) throws IOException {
        String path = file.path();
        byte[] content = file.content();
        int[] owner = ids(file.owner());
        SftpClient.Attributes current = statOrNull(sftp, path);
        if (current != null && current.isRegularFile() && (current.getPermissions() & 07777) == file.mode()
                && current.getUserId() == owner[0] && current.getGroupId() == owner[1]
                && current.getSize() == content.length) {
            try (InputStream in = sftp.read(path)) {
                if (MessageDigest.isEqual(sha256(in.readAllBytes()), sha256(content))) {
                    return UploadResult.UNCHANGED;
                }
            }
        }
        String dir = parent(path);
        mkdirs(sftp, dir);
        String tmp = temporaryName(path);
        try {
            try (SftpClient.CloseableHandle handle = sftp.open(tmp, SftpClient.OpenMode.Create,
                    SftpClient.OpenMode.Exclusive, SftpClient.OpenMode.Write)) {
                // Mode and owner first: secret content never exists on the host with wider permissions.
                sftp.setStat(handle, new SftpClient.Attributes().perms(file.mode()));
                SftpClient.Attributes created = sftp.stat(handle);
                if (created.getUserId() != owner[0] || created.getGroupId() != owner[1]) {
                    sftp.setStat(handle, new SftpClient.Attributes().owner(owner[0], owner[1]));
                }
                for (int off = 0; off < content.length; off += CHUNK) {
                    sftp.write(handle, off, content, off, Math.min(CHUNK, content.length - off));
                }
            }
            rename(sftp, tmp, path);
            return UploadResult.WRITTEN;
        } catch (IOException | RuntimeException e) {
            try {
                sftp.remove(tmp);
            } catch (IOException ignored) {
                // best effort: the temporary name is hidden and random
            }
            throw e;
        }
    }

    private void rename(SftpClient sftp, String from, String to) throws IOException {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix != null && posix.isSupported()) {
            posix.posixRename(from, to);
            return;
        }
        // Plain SFTP v3 rename refuses to replace an existing file; mv -f is rename(2), atomic in one directory.
        ExecFiles.check(host, host.exec(Command.of("mv", "-f", from, to)), Command.of("mv", "-f", from, to));
    }

    private static SftpClient.Attributes statOrNull(SftpClient sftp, String path) throws IOException {
        try {
            return sftp.stat(path);
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return null;
            }
            throw e;
        }
    }

    private static void mkdirs(SftpClient sftp, String dir) throws IOException {
        if (dir.equals("/") || statOrNull(sftp, dir) != null) {
            return;
        }
        mkdirs(sftp, parent(dir));
        try {
            sftp.mkdir(dir);
        } catch (SftpException e) {
            if (statOrNull(sftp, dir) == null) { // lost a race with a concurrent upload: fine
                throw e;
            }
        }
    }

    /** uid and gid of a user on the host, looked up once. */
    private int[] ids(String owner) {
        if ("root".equals(owner)) {
            return new int[] {0, 0};
        }
        return ownerIds.computeIfAbsent(owner, o -> {
            Command id = Command.shell("id -u " + Shell.quote(o) + " && id -g " + Shell.quote(o)).readOnly();
            String[] lines = new String(ExecFiles.check(host, host.exec(id), id).stdout(), StandardCharsets.UTF_8)
                    .strip().split("\\R");
            try {
                return new int[] {Integer.parseInt(lines[0].strip()), Integer.parseInt(lines[1].strip())};
            } catch (RuntimeException e) {
                throw new RemoteException(host.hostname(), "cannot resolve owner '" + o + "' (id printed "
                        + String.join(" ", lines) + ")", e);
            }
        });
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String temporaryName(String path) {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        int slash = path.lastIndexOf('/');
        return path.substring(0, slash + 1) + "." + path.substring(slash + 1) + ".epiphany-"
                + HexFormat.of().formatHex(random);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
