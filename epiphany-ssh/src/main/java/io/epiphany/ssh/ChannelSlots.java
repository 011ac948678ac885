package io.epiphany.ssh;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * Bounds how many of something are in flight, waiters queued in order without holding a thread: the channels open at
 * once on one session (OpenSSH refuses more than {@code MaxSessions}, 10 by default), and the connects not yet
 * authenticated in one {@link SshRemoteAccess} (sshd's {@code MaxStartups}, 10:30:100 by default, drops the excess).
 */
final class ChannelSlots {
    private final int limit;
    private final Queue<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int used;

    ChannelSlots(int limit) {
        this.limit = limit;
    }

    CompletableFuture<Void> acquire() {
        synchronized (this) {
            if (used < limit) {
                used++;
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> slot = new CompletableFuture<>();
            waiting.add(slot);
            return slot;
        }
    }

    void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                used--;
                return;
            }
        }
        // The slot passes straight to the next waiter; completing outside the lock keeps callbacks lock-free.
        next.complete(null);
    }
}
