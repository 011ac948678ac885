package io.epiphany.ssh;

import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.UploadResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KexProposalOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One machine over one SSH session, opened lazily and reused by every command (each on its own channel, at most
 * {@link SshRemoteAccess.Builder#maxChannelsPerHost} at once). A session found dead before a command starts is
 * replaced transparently; a session that dies while a command runs fails that command (it may have had effects, so
 * it is never re-run silently).
 */
final class SshRemoteHost implements RemoteHost {
    private static final Logger LOG = LoggerFactory.getLogger(SshRemoteHost.class);

    private final HostTarget target;
    private final SshSettings settings;
    private final SshRemoteAccess access;
    private final ChannelSlots slots;
    private final FileTransfer files;
    private CompletableFuture<ClientSession> session; // guarded by this
    private boolean closed; // guarded by this

    SshRemoteHost(HostTarget target, SshSettings settings, SshRemoteAccess access) {
        this.target = target;
        this.settings = settings;
        this.access = access;
        this.slots = new ChannelSlots(access.maxChannelsPerHost());
        this.files = new FileTransfer(this);
    }

    @Override
    public String hostname() {
        return target.name();
    }

    HostTarget target() {
        return target;
    }

    @Override
    public CommandResult run(Command command) {
        return join(runAsync(command));
    }

    @Override
    public CompletableFuture<CommandResult> runAsync(Command command) {
        Privilege.Wire wire = Privilege.apply(command, target.user(), settings.sudoPassword());
        CompletableFuture<ExecOutcome> exec = execAsync(wire);
        CompletableFuture<CommandResult> result = exec.thenApply(outcome -> toResult(wire, outcome));
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                exec.cancel(true);
            }
        });
        return result;
    }

    @Override
    public UploadResult upload(RemoteFile file) {
        try (MDC.MDCCloseable c = MDC.putCloseable("host", target.name())) {
            if (file.isSecret()) {
                PacketLogs.refuseSecretsWhileTracing(target.name(), "the secret file " + file);
            }
            return files.upload(file);
        }
    }

    @Override
    public Optional<byte[]> read(String path) {
        try (MDC.MDCCloseable c = MDC.putCloseable("host", target.name())) {
            // what a file holds is not known before it is read: keys and kubeconfigs are read this way
            PacketLogs.refuseSecretsWhileTracing(target.name(), "the content of " + path);
            return files.read(path);
        }
    }

    @Override
    public boolean download(String path, java.nio.file.Path local) {
        try (MDC.MDCCloseable c = MDC.putCloseable("host", target.name())) {
            PacketLogs.refuseSecretsWhileTracing(target.name(), "the content of " + path);
            return files.download(path, local);
        }
    }

    /** The most of a command's stdout that is kept (the access's maxOutputBytes). */
    int maxOutputBytes() {
        return access.maxOutputBytes();
    }

    /** Runs a command and gives the raw outcome (for file transfer over exec); transport failures throw. */
    ExecOutcome exec(Command command) {
        Privilege.Wire wire = Privilege.apply(command, target.user(), settings.sudoPassword());
        ExecOutcome outcome = join(execAsync(wire));
        checkSudo(wire, outcome);
        return outcome;
    }

    /** The current session, connecting or reconnecting as needed (blocking; for SFTP). */
    ClientSession sessionNow() {
        return join(session());
    }

    private CompletableFuture<ExecOutcome> execAsync(Privilege.Wire wire) {
        Command command = wire.command();
        if (command.hasSecrets()) { // its own secrets, or the sudo password Privilege added
            try {
                PacketLogs.refuseSecretsWhileTracing(target.name(), "`" + command + "`, which carries secrets");
            } catch (RemoteException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        Duration timeout = command.timeout().orElse(settings.commandTimeout());
        ExecCall call = new ExecCall(wire.line(), wire.stdin(), timeout, access.maxOutputBytes(),
                SshRemoteAccess.STDERR_TAIL_BYTES, access.timer(), access.stdinWriter());
        CompletableFuture<ExecOutcome> result = new CompletableFuture<>();
        long started = System.nanoTime();
        slots.acquire().thenCompose(v -> start(call, result, true)).whenComplete((outcome, error) -> {
            slots.release();
            try (MDC.MDCCloseable c = MDC.putCloseable("host", target.name())) {
                long ms = (System.nanoTime() - started) / 1_000_000;
                if (error != null) {
                    Throwable cause = unwrap(error);
                    String what = cause instanceof TimeoutException ? cause.getMessage()
                            : command.redact(String.valueOf(cause.getMessage()));
                    LOG.debug("`{}` failed after {} ms: {}", command.logText(), ms, what);
                    result.completeExceptionally(SdkFault.is(cause) ? cause : transportFailure(command, cause));
                } else {
                    LOG.debug("`{}` exited {} in {} ms", command.logText(), outcome.exitStatus(), ms);
                    result.complete(outcome);
                }
            }
        });
        // Cancelling the caller's future closes the channel: the remote command sees its channel go away.
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                call.cancel();
            }
        });
        return result;
    }

    private CompletableFuture<ExecOutcome> start(ExecCall call, CompletableFuture<ExecOutcome> caller,
            boolean mayReconnect) {
        if (caller.isDone()) {
            return CompletableFuture.failedFuture(new CancellationException("cancelled before it started"));
        }
        return session().thenCompose(s -> {
            try (MDC.MDCCloseable c = MDC.putCloseable("host", target.name())) {
                return call.start(s).handle((outcome, error) -> {
                    Throwable cause = error == null ? null : unwrap(error);
                    if (cause instanceof ExecCall.NotStarted && mayReconnect && (!s.isOpen() || s.isClosing())) {
                        LOG.info("session to {} closed before the command started; reconnecting", target.display());
                        return start(call, caller, false);
                    }
                    return error == null ? CompletableFuture.completedFuture(outcome)
                            : CompletableFuture.<ExecOutcome>failedFuture(cause);
                }).thenCompose(f -> f);
            }
        });
    }

    @Override
    public Optional<String> keyExchange() {
        return negotiated(KexProposalOption.ALGORITHMS);
    }

    @Override
    public Optional<String> hostKeyAlgorithm() {
        return negotiated(KexProposalOption.SERVERKEYS);
    }

    private synchronized Optional<String> negotiated(KexProposalOption option) {
        if (session == null || !session.isDone() || session.isCompletedExceptionally()) {
            return Optional.empty();
        }
        ClientSession s = session.join();
        return s.isOpen() ? Optional.ofNullable(s.getNegotiatedKexParameter(option)) : Optional.empty();
    }

    private synchronized CompletableFuture<ClientSession> session() {
        if (closed) {
            return CompletableFuture.failedFuture(new RemoteException(target.name(), "the RemoteAccess is closed"));
        }
        if (session != null) {
            if (!session.isDone()) {
                return session;
            }
            if (!session.isCompletedExceptionally()) {
                ClientSession s = session.join();
                if (s.isOpen() && !s.isClosing()) {
                    return session;
                }
                try (MDC.MDCCloseable c = MDC.putCloseable("host", target.name())) {
                    LOG.info("session to {} was closed; reconnecting", target.display());
                }
            }
        }
        session = access.connector().connect(target, settings);
        return session;
    }

    synchronized void close() {
        closed = true;
        if (session != null && session.isDone() && !session.isCompletedExceptionally()) {
            session.join().close(true);
        } else if (session != null) {
            session.thenAccept(s -> s.close(true));
        }
    }

    private CommandResult toResult(Privilege.Wire wire, ExecOutcome outcome) {
        Command command = wire.command();
        if (outcome.exitStatus() == null) {
            String why = outcome.exitSignal() != null ? "killed by signal " + outcome.exitSignal()
                    : "the channel closed without an exit status (connection lost or server closed it)";
            throw new RemoteException(target.name(), "`" + command + "` " + why + tail(command, outcome));
        }
        checkSudo(wire, outcome);
        return new CommandResult(target.name(), command.toString(), outcome.exitStatus(),
                command.redact(new String(outcome.stdout(), StandardCharsets.UTF_8)),
                command.redact(new String(outcome.stderr(), StandardCharsets.UTF_8)), outcome.truncated());
    }

    /** sudo's own refusals are configuration errors, not command failures: say what to fix. */
    private void checkSudo(Privilege.Wire wire, ExecOutcome outcome) {
        if (!wire.sudo() || outcome.exitStatus() == null || outcome.exitStatus() != 1) {
            return;
        }
        String err = new String(outcome.stderr(), StandardCharsets.UTF_8);
        String advice = null;
        if (err.contains("a password is required") || err.contains("a terminal is required")) {
            advice = "sudo wants a password for user '" + target.user() + "': allow password-less sudo (NOPASSWD in "
                    + "/etc/sudoers.d) or set SshSettings.sudoPassword";
        } else if (err.contains("incorrect password") || err.contains("Sorry, try again")) {
            advice = "sudo rejected SshSettings.sudoPassword for user '" + target.user() + "'";
        } else if (err.contains("not in the sudoers file") || err.contains("is not allowed to execute")) {
            advice = "user '" + target.user() + "' may not use sudo: add it to /etc/sudoers.d or log in as root";
        }
        if (advice != null) {
            throw new RemoteException(target.name(), "`" + wire.command() + "` needs root: " + advice);
        }
    }

    private static String tail(Command command, ExecOutcome outcome) {
        String err = command.redact(new String(outcome.stderr(), StandardCharsets.UTF_8)).strip();
        if (err.isEmpty()) {
            return "";
        }
        String[] lines = err.split("\\R");
        int from = Math.max(0, lines.length - 5);
        return "; stderr: " + String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }

    private RemoteException transportFailure(Command command, Throwable cause) {
        if (cause instanceof RemoteException) {
            return (RemoteException) cause;
        }
        if (cause instanceof CancellationException) {
            return new RemoteException(target.name(), "`" + command + "` was cancelled");
        }
        if (cause instanceof TimeoutException) {
            return new RemoteException(target.name(), "`" + command + "` " + cause.getMessage()
                    + " (raise Command.timeout or SshSettings.commandTimeout if it needs longer)");
        }
        return new RemoteException(target.name(), "`" + command + "` failed: "
                + command.redact(String.valueOf(cause.getMessage())));
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new CancellationException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e.getCause());
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause; // SdkFault: as it is
            }
            throw new CompletionException(cause);
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public String toString() {
        return "RemoteHost[" + target.name() + " " + target.display() + "]";
    }
}
