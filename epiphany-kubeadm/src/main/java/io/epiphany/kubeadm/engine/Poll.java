package io.epiphany.kubeadm.engine;

import java.time.Duration;

/**
 * A bounded wait: {@link #again()} sleeps with a backoff from 100 ms to 2 s and says whether time is left. Quick
 * changes are seen quickly; slow ones do not hammer the hosts.
 */
final class Poll {
    private static final long FIRST_MILLIS = 100;
    private static final long MAX_MILLIS = 2000;

    private final long deadline;
    private long nextSleep = FIRST_MILLIS;

    Poll(Duration timeout) {
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    /** Sleeps before the next attempt; false when the timeout has passed (then nothing is slept). */
    boolean again() {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            return false;
        }
        try {
            Thread.sleep(Math.min(nextSleep, left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
        nextSleep = Math.min(nextSleep * 2, MAX_MILLIS);
        return true;
    }
}
