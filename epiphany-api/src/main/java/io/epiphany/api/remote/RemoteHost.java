package io.epiphany.api.remote;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One machine the SDK works on. Implementations reuse one connection for the whole operation and are thread-safe:
 * several commands may run at once on different channels.
 *
 * <p>A command that exits non-zero is returned, not thrown; transport failures (unreachable, host key refused,
 * authentication failed, timeout, connection dropped) throw {@link RemoteException} naming the host.
 */
public interface RemoteHost {
    /** The machine's hostname, as in the cluster model. */
    String hostname();

    /** Runs a command and waits for its exit status. A missing exit status is a failure, never 0. */
    CommandResult run(Command command);

    /** Runs a command without blocking a thread while it runs. */
    CompletableFuture<CommandResult> runAsync(Command command);

    /**
     * Puts a file atomically (temporary name in the same directory, then rename), creating parent directories,
     * unless the host already has the same content, mode and owner.
     */
    UploadResult upload(RemoteFile file);

    /** Reads a file; empty when it does not exist. Requires root when the file needs it. */
    Optional<byte[]> read(String path);

    /**
     * Copies a file into {@code local}, which the caller created (with the mode it wants: the content replaces
     * what it holds, its mode is kept); false, {@code local} untouched, when the remote file does not exist. Meant
     * for files too large to hold in memory: an implementation streams them where it can. This default reads the
     * whole file.
     */
    default boolean download(String path, java.nio.file.Path local) {
        Optional<byte[]> content = read(path);
        if (content.isEmpty()) {
            return false;
        }
        try {
            java.nio.file.Files.write(local, content.get());
            return true;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not write " + local, e);
        }
    }

    /**
     * The key exchange negotiated on the current connection (OpenSSH's name, e.g. {@code curve25519-sha256}); empty
     * when not connected, or for a host that is not reached over SSH.
     */
    default Optional<String> keyExchange() {
        return Optional.empty();
    }

    /**
     * The host-key algorithm the current connection's host proved itself with (e.g. {@code ssh-ed25519}); empty
     * when not connected, or for a host that is not reached over SSH.
     */
    default Optional<String> hostKeyAlgorithm() {
        return Optional.empty();
    }
}
