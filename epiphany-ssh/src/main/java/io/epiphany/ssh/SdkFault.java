package io.epiphany.ssh;

import io.epiphany.api.remote.RemoteException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;

/**
 * A failure that is the SDK's (or its class path's) and not the network's: an {@link Error} such as a
 * {@code NoSuchMethodError} from a class path with mixed SDK versions, or a RuntimeException that is no I/O, SSH or
 * cancellation failure. Such a failure is passed on as it is, never as "cannot connect" or a failed command: that
 * would send the user to check a network that is fine (issue 16: {@code m1: unreachable: java.lang.NoSuchMethodError}).
 * MINA's own transport failures are {@link java.io.IOException}s ({@code SshException}), which this leaves alone, and
 * so are the RuntimeExceptions MINA throws itself for a session's state (an {@code IllegalStateException} "Session is
 * not authenticated" or "Currently active channels ... at max." from its connection service): they are the session's,
 * reported as the host's like any transport failure.
 */
final class SdkFault {
    private SdkFault() {}

    static boolean is(Throwable t) {
        if (t instanceof Error) {
            return true;
        }
        if (!(t instanceof RuntimeException) || t instanceof RemoteException || t instanceof UncheckedIOException
                || t instanceof CancellationException) {
            return false;
        }
        StackTraceElement[] where = t.getStackTrace();
        return where.length == 0 || !where[0].getClassName().startsWith("org.apache.sshd.");
    }
}
