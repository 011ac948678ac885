package io.epiphany.ssh;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;

/** Whether a failure of a blocking MINA call came from an interrupt of the waiting thread (which cleared its flag). */
final class Interrupts {
    private Interrupts() {}

    /** An {@link InterruptedException} or a channel closed by an interrupt in the chain, or an interrupted I/O that is not a timeout. */
    static boolean caused(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InterruptedException || t instanceof ClosedByInterruptException
                    || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }
}
