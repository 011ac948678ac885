package io.epiphany.ssh;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteCommandException;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.Shell;
import io.epiphany.api.remote.UploadResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files on one host over exec, for non-root logins (through {@code sudo}) and hosts without the SFTP subsystem:
 * {@code stat}/{@code sha256sum} to compare, {@code cat > tmp} with the content on stdin (in 0600 pieces joined on the
 * host when it is larger than one send window), {@code chmod}, {@code chown}, {@code mv -f}; {@code cat} to read, and
 * {@code dd} piece by piece to download a file of any size. File content is never logged.
 */
final class ExecFiles {
    private static final Logger LOG = LoggerFactory.getLogger(ExecFiles.class);
    /** Content sent on a channel's stdin must fit its first send window (see {@link ExecCall}). */
    static final int MAX_EXEC_UPLOAD = 1024 * 1024;

    private final SshRemoteHost host;

    ExecFiles(SshRemoteHost host) {
        this.host = host;
    }

    UploadResult upload(RemoteFile file) {
        byte[] content = file.content();
        String p = Shell.quote(file.path());
        Command probe = Command.shell("stat -c %a:%U " + p + " && sha256sum " + p).asRoot().readOnly();
        ExecOutcome seen = host.exec(probe);
        if (seen.exitStatus() != null && seen.exitStatus() == 0) {
            String[] lines = new String(seen.stdout(), StandardCharsets.UTF_8).strip().split("\\R");
            String expected = Integer.toOctalString(file.mode()) + ":" + file.owner();
            if (lines.length == 2 && lines[0].strip().equals(expected)
                    && lines[1].startsWith(HexFormat.of().formatHex(FileTransfer.sha256(content)))) {
                return UploadResult.UNCHANGED;
            }
        }
        String tmp = FileTransfer.temporaryName(file.path());
        String mkdir = "mkdir -p " + Shell.quote(FileTransfer.parent(file.path())) + " && ";
        String t = Shell.quote(tmp);
        String install = " && chmod " + Integer.toOctalString(file.mode()) + " " + t + " && chown "
                + Shell.quote(file.owner()) + " " + t + " && mv -f " + t + " " + p + " || { rm -f " + t + "; exit 1; }";
        if (content.length <= MAX_EXEC_UPLOAD) {
            Command write = Command.shell(mkdir + "umask 077 && cat > " + t + install).asRoot().stdin(content);
            check(host, host.exec(write), write);
            return UploadResult.WRITTEN;
        }
        // stdin must fit one send window: the content goes in pieces, each its own 0600 file, joined at the end
        java.util.List<String> pieces = new java.util.ArrayList<>();
        try {
            for (int off = 0; off < content.length; off += MAX_EXEC_UPLOAD) {
                String piece = Shell.quote(tmp + ".part" + pieces.size());
                pieces.add(piece);
                int end = Math.min(content.length, off + MAX_EXEC_UPLOAD);
                byte[] part = java.util.Arrays.copyOfRange(content, off, end);
                Command write = Command.shell((off == 0 ? mkdir : "") + "umask 077 && cat > " + piece).asRoot()
                        .stdin(part);
                check(host, host.exec(write), write);
            }
            Command join = Command.shell("umask 077 && cat " + String.join(" ", pieces) + " > " + t + install)
                    .asRoot();
            check(host, host.exec(join), join);
            return UploadResult.WRITTEN;
        } finally {
            Command clean = Command.shell("rm -f " + String.join(" ", pieces)).asRoot();
            try {
                host.exec(clean);
            } catch (RuntimeException e) {
                LOG.warn("{}: could not remove the pieces of an upload of {}: {}", host.hostname(), file.path(),
                        e.getMessage());
            }
        }
    }

    Optional<byte[]> read(String path) {
        Command cat = Command.of("cat", path).asRoot().readOnly();
        ExecOutcome outcome = host.exec(cat);
        if (outcome.exitStatus() != null && outcome.exitStatus() != 0
                && new String(outcome.stderr(), StandardCharsets.UTF_8).contains("No such file")) {
            return Optional.empty();
        }
        check(host, outcome, cat);
        if (outcome.truncated()) {
            throw new RemoteException(host.hostname(), path + " is larger than the output cap; read it in parts");
        }
        return Optional.of(outcome.stdout());
    }

    /** The most an exec download asks in one piece: within the output cap, and not more memory than this. */
    private static final int MAX_EXEC_PIECE = 8 * 1024 * 1024;

    boolean download(String path, java.nio.file.Path local) {
        int piece = Math.min(MAX_EXEC_PIECE, host.maxOutputBytes() / 2); // well within the cap
        byte[] first = execPiece(path, piece, 0);
        if (first == null) {
            return false; // local untouched
        }
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(local,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(first);
            // a file that kept growing would keep this going: the files read this way are written once, then read
            for (long i = 1, last = first.length; last == piece; i++) {
                byte[] next = execPiece(path, piece, i);
                if (next == null) {
                    throw new RemoteException(host.hostname(), path + " was removed while it was read");
                }
                out.write(next);
                last = next.length;
            }
            return true;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not write " + local, e);
        }
    }

    /** Piece {@code i} of a file ({@code dd}), null when the file does not exist. */
    private byte[] execPiece(String path, int piece, long i) {
        Command dd = Command.of("dd", "if=" + path, "bs=" + piece, "skip=" + i, "count=1", "status=none").asRoot()
                .readOnly();
        ExecOutcome outcome = host.exec(dd);
        if (outcome.exitStatus() != null && outcome.exitStatus() != 0
                && new String(outcome.stderr(), StandardCharsets.UTF_8).contains("No such file")) {
            return null;
        }
        check(host, outcome, dd);
        if (outcome.truncated()) {
            throw new RemoteException(host.hostname(), "a piece of " + path + " is larger than the output cap");
        }
        return outcome.stdout();
    }

    static ExecOutcome check(SshRemoteHost host, ExecOutcome outcome, Command command) {
        if (outcome.exitStatus() == null || outcome.exitStatus() != 0) {
            throw new RemoteCommandException(new CommandResult(host.hostname(), command.toString(),
                    outcome.exitStatus() == null ? -1 : outcome.exitStatus(), "",
                    command.redact(new String(outcome.stderr(), StandardCharsets.UTF_8))));
        }
        return outcome;
    }
}
