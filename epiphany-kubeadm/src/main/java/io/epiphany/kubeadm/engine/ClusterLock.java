package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.Shell;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster lock an apply or reset holds on the masters while it changes anything. It lives on the masters, so it
 * outlives the SDK process: on each master, in hostname order (so two callers meet on the same first master and only
 * one gets past it), a plain {@code mkdir /var/lib/epiphany/lock} either creates the lock directory or fails because
 * it exists (mkdir(2) is atomic), and an owner file in it says who holds it, since when and until when (epoch
 * seconds of the master's own clock, so the SDK machines' clocks do not matter).
 *
 * <p>A second caller is refused at once with the holder. A lock past its expiry (its holder died) is taken over: the
 * lock directory is renamed aside (rename(2) is atomic, so of two callers taking over only one succeeds), checked to
 * be the lock that was judged stale, and created anew. {@link Settings#force()} takes over a live lock the same way.
 * {@link #release()} removes the lock from every master where this caller still holds it.
 *
 * <p>A master that cannot be reached is skipped as long as the lock is held on a majority of the masters: two
 * callers that each hold a majority share at least one master, so they cannot both hold the lock, and a dead master
 * does not stop the apply that removes it.
 */
final class ClusterLock implements AutoCloseable {
    static final String DIR = "/var/lib/epiphany";
    static final String LOCK = DIR + "/lock";
    static final String OWNER = LOCK + "/owner";
    static final String PHASE = "Lock";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLock.class);
    /** A caller that just created the directory writes its owner file right after: wait that long for it. */
    private static final int OWNER_READS = 5;
    private static final Duration OWNER_WAIT = Duration.ofMillis(100);

    /** How to take the lock: its lifetime, whether to take over a live lock, and who takes it. */
    record Settings(Duration ttl, boolean force, String owner) {
        Settings {
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ApplyOptions.lockTtl must be positive, not " + ttl);
            }
            owner = owner.replaceAll("[\\p{Cntrl}]", "?");
        }

        static Settings of(ApplyOptions options) {
            return new Settings(options.lockTtl(), options.forceLockTakeover(), thisProcess());
        }

        /** {@code user@machine pid N}: enough for a person to find the holder. */
        static String thisProcess() {
            String machine;
            try {
                machine = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                machine = "unknown-host";
            }
            return System.getProperty("user.name") + "@" + machine + " pid " + ProcessHandle.current().pid();
        }
    }

    /** What an owner file says; {@code id} tells two holders of one process apart. */
    record Holder(String owner, String id, long since, long expires) {
        static Optional<Holder> parse(String text) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            try {
                return Optional.of(new Holder(fields.get("owner"), fields.get("id"),
                        Long.parseLong(fields.get("since")), Long.parseLong(fields.get("expires"))));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }

        String text() {
            return "owner=" + owner + "\nid=" + id + "\nsince=" + since + "\nexpires=" + expires + "\n";
        }

        String describe() {
            return owner + " since " + Instant.ofEpochSecond(since) + ", expires " + Instant.ofEpochSecond(expires);
        }
    }

    private final String id;
    private final List<RemoteHost> held = new ArrayList<>(); // in the order taken
    private final List<String> unreachable = new ArrayList<>();
    private boolean released;

    private ClusterLock(String id) {
        this.id = id;
    }

    /**
     * Takes the lock on every master (sorted by hostname whatever the order given), or on none: when one master
     * refuses, the masters already locked are released before the {@link ApplyException} is thrown.
     *
     * @throws ApplyException phase {@value #PHASE}, naming the master and the holder ("cluster is locked by ...
     *     since ..., expires ...") or the transport failure; nothing on the cluster was changed
     */
    static ClusterLock acquire(List<RemoteHost> masters, Settings settings) {
        List<RemoteHost> ordered = new ArrayList<>(masters);
        ordered.sort(Comparator.comparing(RemoteHost::hostname));
        ClusterLock lock = new ClusterLock(UUID.randomUUID().toString());
        int majority = ordered.size() / 2 + 1;
        for (int i = 0; i < ordered.size(); i++) {
            RemoteHost h = ordered.get(i);
            try {
                lock.take(h, settings);
                lock.held.add(h);
            } catch (RemoteException e) {
                lock.unreachable.add(h.hostname());
                LOG.warn("{}: cannot take the cluster lock there ({}); a majority of the masters is enough",
                        h.hostname(), e.getMessage());
                if (lock.unreachable.size() > ordered.size() - majority) {
                    lock.releaseQuietly();
                    throw failure(h, "cannot take the cluster lock on a majority of the " + ordered.size()
                            + " masters: unreachable " + lock.unreachable + " (last: " + e.getMessage() + ")", e);
                }
            } catch (RuntimeException e) {
                lock.releaseQuietly();
                throw e instanceof ApplyException ? (ApplyException) e : failure(h, "cannot take the cluster lock "
                        + LOCK + ": " + e.getMessage(), e);
            }
        }
        return lock;
    }

    /** Masters the lock could not be taken on because they could not be reached. */
    List<String> unreachable() {
        return List.copyOf(unreachable);
    }

    /**
     * Moves the expiry to {@code ttl} from now on every master where this caller still holds the lock: for an
     * operation that may outlast the lock's lifetime.
     *
     * @throws ApplyException phase {@value #PHASE} when the lock was taken over by another caller meanwhile
     */
    void renew(Settings settings) {
        for (RemoteHost h : held) {
            Optional<Holder> holder = readOwner(h, OWNER, 1);
            if (holder.isEmpty() || !id.equals(holder.get().id())) {
                throw failure(h, "the cluster lock was taken over meanwhile" + holder.map(o -> " by "
                        + o.describe()).orElse("") + "; stop: another apply may be running", null);
            }
            long now = now(h);
            h.upload(RemoteFile.of(OWNER, new Holder(holder.get().owner(), id, holder.get().since(),
                    now + settings.ttl().toSeconds()).text(), 0644));
        }
    }

    /** The hosts this caller holds the lock on, in the order taken. */
    List<String> hosts() {
        return held.stream().map(RemoteHost::hostname).toList();
    }

    private void take(RemoteHost h, Settings settings) {
        CommandResult made = h.run(Command.shell("mkdir -p " + Shell.quote(DIR) + " && mkdir " + Shell.quote(LOCK))
                .asRoot());
        long now = now(h);
        if (made.exitCode() == 0) {
            writeOwner(h, settings, now);
            return;
        }
        if (!made.stderr().contains("File exists")) {
            throw failure(h, "cannot create the lock directory " + LOCK + " (exit " + made.exitCode() + "): "
                    + made.stderr().strip(), null);
        }
        Optional<Holder> holder = readOwner(h, OWNER, OWNER_READS);
        if (holder.isPresent() && holder.get().expires() > now && !settings.force()) {
            throw failure(h, "cluster is locked by " + holder.get().describe() + "; wait for that apply or reset to "
                    + "finish; if its process is gone, wait until the lock expires or set "
                    + "ApplyOptions.forceLockTakeover(true)", null);
        }
        if (holder.isEmpty() && !settings.force()) {
            throw failure(h, "cluster is being locked by another caller right now, or a caller died while taking "
                    + "the lock (" + LOCK + " has no readable owner file); apply again in a moment, or if no other "
                    + "apply or reset is running set ApplyOptions.forceLockTakeover(true)", null);
        }
        takeOver(h, holder, settings, now);
    }

    /** Renames the judged lock aside (atomic: one taker wins), checks it was that lock, and creates ours. */
    private void takeOver(RemoteHost h, Optional<Holder> judged, Settings settings, long now) {
        String aside = DIR + "/lock.taken-over-" + id;
        CommandResult moved = h.run(Command.of("mv", "-f", LOCK, aside).asRoot());
        if (moved.exitCode() != 0) {
            throw failure(h, "another caller is taking over the cluster lock at the same moment; apply again", null);
        }
        Optional<Holder> found = readOwner(h, aside + "/owner", 1);
        if (!found.equals(judged)) {
            // someone replaced the lock between our look and our rename: give theirs back and stand aside
            h.run(Command.shell("test -e " + Shell.quote(LOCK) + " || mv -f " + Shell.quote(aside) + " "
                    + Shell.quote(LOCK)).asRoot());
            throw failure(h, "another caller took the cluster lock at the same moment"
                    + found.map(f -> " (" + f.describe() + ")").orElse("") + "; apply again", null);
        }
        CommandResult made = h.run(Command.of("mkdir", LOCK).asRoot());
        if (made.exitCode() != 0) {
            throw failure(h, "another caller took the cluster lock while it was being taken over; apply again", null);
        }
        writeOwner(h, settings, now);
        boolean expired = judged.map(j -> j.expires() <= now).orElse(false);
        LOG.warn("{}: took over the cluster lock {} of {} ({})", h.hostname(), LOCK,
                judged.map(Holder::describe).orElse("an unknown caller"),
                expired ? "it had expired" : "forced: ApplyOptions.forceLockTakeover");
        h.run(Command.shell("rm -f " + Shell.quote(aside + "/owner") + " && rmdir " + Shell.quote(aside)).asRoot());
    }

    /** Writes our owner file into the lock directory just created; without it, the directory is removed again. */
    private void writeOwner(RemoteHost h, Settings settings, long now) {
        Holder me = new Holder(settings.owner(), id, now, now + settings.ttl().toSeconds());
        try {
            h.upload(RemoteFile.of(OWNER, me.text(), 0644));
        } catch (RuntimeException e) {
            try {
                h.run(Command.of("rmdir", LOCK).asRoot());
            } catch (RuntimeException ignored) {
                // the directory stays without an owner: the next caller reports it and needs forceLockTakeover
            }
            throw e;
        }
    }

    /** The owner file, read with cat (not as a file transfer: it is no secret), retried briefly while absent. */
    private static Optional<Holder> readOwner(RemoteHost h, String path, int attempts) {
        for (int i = 0; i < attempts; i++) {
            CommandResult cat = h.run(Command.of("cat", path).asRoot().readOnly());
            if (cat.exitCode() == 0) {
                return Holder.parse(cat.stdout());
            }
            if (i + 1 < attempts) {
                sleep(OWNER_WAIT);
            }
        }
        return Optional.empty();
    }

    private static long now(RemoteHost h) {
        String out = h.run(Command.of("date", "+%s").readOnly()).orThrow().stdout().strip();
        try {
            return Long.parseLong(out);
        } catch (NumberFormatException e) {
            throw failure(h, "`date +%s` printed '" + out + "', not the epoch seconds", e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException("local", "interrupted while waiting for the cluster lock's owner file");
        }
    }

    /**
     * Removes the lock from every master where this caller still holds it (a lock taken over by a forced caller is
     * left to that caller), in the reverse order of taking; also when the thread was interrupted (the flag stays set),
     * so an interrupted apply does not leave the next one locked out until the lock expires.
     *
     * @throws ApplyException phase Unlock, naming the masters where removing it failed (it expires on its own)
     */
    void release() {
        if (released) {
            return;
        }
        released = true;
        Cleanup.uninterrupted(() -> {
            removeHeld();
            return null;
        });
    }

    private void removeHeld() {
        List<String> failed = new ArrayList<>();
        Throwable first = null;
        for (int i = held.size() - 1; i >= 0; i--) {
            RemoteHost h = held.get(i);
            try {
                Optional<Holder> holder = readOwner(h, OWNER, 1);
                if (holder.isEmpty() || !id.equals(holder.get().id())) {
                    LOG.warn("{}: the cluster lock is no longer ours ({}); left as it is", h.hostname(),
                            holder.map(Holder::describe).orElse("gone"));
                    continue;
                }
                h.run(Command.shell("rm -f " + Shell.quote(OWNER) + " && rmdir " + Shell.quote(LOCK)).asRoot())
                        .orThrow();
            } catch (RuntimeException e) {
                failed.add(h.hostname() + ": " + e.getMessage());
                first = first == null ? e : first;
            }
        }
        if (!failed.isEmpty()) {
            throw new ApplyException("Unlock", null, "cannot remove the cluster lock " + LOCK + " from "
                    + String.join("; ", failed) + "; it expires on its own", List.of(), List.of(), first);
        }
    }

    private void releaseQuietly() {
        try {
            release();
        } catch (ApplyException e) {
            LOG.warn("{}", e.getMessage());
        }
    }

    @Override
    public void close() {
        release();
    }

    private static ApplyException failure(RemoteHost h, String message, Throwable cause) {
        return new ApplyException(PHASE, h.hostname(), message, List.of(),
                List.of("every step: nothing on the cluster was changed"), cause);
    }
}
