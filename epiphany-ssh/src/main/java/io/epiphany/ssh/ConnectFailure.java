package io.epiphany.ssh;

import java.io.IOException;

/** A failed attempt to reach a host; {@code retryable} only for transient network trouble. */
final class ConnectFailure extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    ConnectFailure(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    boolean retryable() {
        return retryable;
    }
}
