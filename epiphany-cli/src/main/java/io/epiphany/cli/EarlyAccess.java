package io.epiphany.cli;

import io.epiphany.api.remote.RemoteAccess;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The SSH runtime of a command that will connect, made on a background thread from the start of the process while
 * picocli parses the command line and Jackson reads and validates the file; the command then takes the ready one.
 * Making it is most of MINA's set-up and the JCA's first use (the provider list, SunEC, the key-exchange and cipher
 * checks): about a quarter of the wall time to the first connect (BENCHMARKS.md, "Start-up"). It needs nothing from
 * the file: {@link RemoteAccess#load()} takes no settings. Nothing is started for a command line that connects to
 * nothing ({@code render}, {@code completion}, {@code help}, {@code --help}, {@code --version}), nor with
 * {@code --simulated} (the fleet's start is the longer wait there). A failure to make it is thrown by {@link #take()}
 * as it is, where the command would have made the runtime itself.
 */
final class EarlyAccess {
    /** The subcommands whose run connects to the file's machines. */
    static final Set<String> CONNECTING = Set.of("plan", "apply", "kubeconfig", "reset", "backup", "restore",
            "certificates", "lb status", "encryption status");
    private static final Set<String> GROUPS = Set.of("lb", "encryption");
    private static final Set<String> NO_RUN = Set.of("-h", "--help", "-V", "--version", "--simulated");

    private static final EarlyAccess PROCESS = new EarlyAccess(RemoteAccess::load);

    private final Supplier<RemoteAccess> make;
    private final AtomicReference<CompletableFuture<RemoteAccess>> early = new AtomicReference<>();

    EarlyAccess(Supplier<RemoteAccess> make) {
        this.make = make;
    }

    /** This process's: started by {@link Main#main}, taken by the command. */
    static EarlyAccess process() {
        return PROCESS;
    }

    /** Starts making the runtime when {@code args} is a command line that will connect; true if it did. */
    boolean startFor(List<String> args) {
        String command = args.isEmpty() ? "" : args.size() > 1 && GROUPS.contains(args.get(0))
                ? args.get(0) + " " + args.get(1) : args.get(0);
        if (!CONNECTING.contains(command) || args.stream().anyMatch(NO_RUN::contains)) {
            return false;
        }
        CompletableFuture<RemoteAccess> f = new CompletableFuture<>();
        if (!early.compareAndSet(null, f)) {
            return false;
        }
        Thread t = new Thread(() -> {
            try {
                f.complete(make.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        }, "epiphany-early-ssh");
        t.setDaemon(true); // an invalid file ends the process before the runtime is taken: nothing to wait for
        t.start();
        return true;
    }

    /** The runtime made early (once), else a new one; the caller closes it. */
    RemoteAccess take() {
        CompletableFuture<RemoteAccess> f = early.getAndSet(null);
        if (f == null) {
            return make.get();
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw (Error) cause;
        }
    }
}
