package io.epiphany.ssh;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpErrorDataHandler;
import org.apache.sshd.sftp.client.SftpMessage;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;
import org.apache.sshd.sftp.client.impl.DefaultSftpClientFactory;

/**
 * MINA's SFTP client with every wait of the calling thread done here, where an interrupt is ours to answer, so an
 * interrupted caller returns at once without a hand-off thread and MINA never sees the interrupt.
 *
 * <p>Why (sshd-sftp 2.20, read from {@code DefaultSftpClient}'s class file): {@code receive(id, timeout)} waits on the
 * reply's future and removes that future in a {@code finally}, also when the wait is interrupted or times out; the
 * reply then arrives for an id no longer known and {@code process} throws "received a reply ... for a request never
 * sent" on the IO thread, and the session closes (InterruptTest's rounds with the plain client on the caller's thread
 * failed 2 of 2 runs so: "channel open refused: Closed", or a command cut off without an exit status). And
 * {@code send} clears the guard of a write still in flight when its wait is interrupted, so the next request fails
 * with a {@code WritePendingException}.
 *
 * <p>Here the waits are on this client's own monitor, woken by each reply ({@link #process}), each sent request and
 * the channel's close; the reply itself is taken with MINA's non-blocking poll ({@code receive(id, 0)}, which removes
 * a future only once it is done). An abandoned reply (interrupt or idle timeout) is collected when it arrives. A new
 * request is written only after the previous one left (MINA allows one pending write), so MINA's own wait for it
 * returns at once. Requests are still sent by an interrupted caller while the channel is free (the handle close and
 * temporary file removal of a cancelled upload go out); only waiting is refused.
 */
final class QuietSftpClient extends DefaultSftpClient {
    private final Object arrivals = new Object();
    private final ReentrantLock sending = new ReentrantLock();
    private final Set<Integer> abandoned = ConcurrentHashMap.newKeySet();
    private SftpMessage lastSent; // guarded by sending

    private QuietSftpClient(ClientSession session, SftpVersionSelector version, SftpErrorDataHandler errors)
            throws IOException {
        super(session, version, errors);
        getClientChannel().addCloseFutureListener(f -> wake());
    }

    /** A client on a new SFTP channel of {@code session}, version negotiated as MINA's default factory does. */
    static SftpClient open(ClientSession session) throws IOException {
        return new DefaultSftpClientFactory() {
            @Override
            protected DefaultSftpClient createDefaultSftpClient(ClientSession s, SftpVersionSelector version,
                    SftpErrorDataHandler errors) throws IOException {
                return new QuietSftpClient(s, version, errors);
            }
        }.createSftpClient(session);
    }

    @Override
    public SftpMessage write(int cmd, Buffer buffer) throws IOException {
        try {
            sending.lockInterruptibly();
        } catch (InterruptedException e) {
            throw interrupted("waiting to send an SFTP request", e);
        }
        try {
            SftpMessage previous = lastSent;
            if (previous != null && !await(previous.getFuture()::isDone, previous.getTimeout(),
                    "SFTP request " + previous.getId() + " to leave")) {
                throw new SshException("SFTP request " + previous.getId() + " not sent within "
                        + previous.getTimeout());
            }
            // MINA's write blocks only while a key re-exchange holds packets back; it must not see a flag set before.
            boolean flag = Thread.interrupted();
            SftpMessage message;
            try {
                message = super.write(cmd, buffer);
            } finally {
                if (flag) {
                    Thread.currentThread().interrupt();
                }
            }
            lastSent = message;
            message.getFuture().addListener(f -> wake());
            return message;
        } finally {
            sending.unlock();
        }
    }

    @Override
    public int send(int cmd, Buffer buffer) throws IOException {
        SftpMessage message = write(cmd, buffer);
        IoWriteFuture written = message.getFuture();
        try {
            if (!await(written::isDone, message.getTimeout(), "SFTP request " + message.getId() + " to leave")) {
                throw new SshException("SFTP request " + message.getId() + " not sent within "
                        + message.getTimeout());
            }
        } catch (IOException e) {
            abandon(message.getId());
            throw e;
        }
        Throwable failure = written.getException();
        if (failure != null) {
            abandon(message.getId());
            throw failure instanceof IOException io ? io : new SshException("sending an SFTP request failed", failure);
        }
        return message.getId();
    }

    @Override
    public Buffer receive(int id, Duration idleTimeout) throws IOException {
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            return super.receive(id, idleTimeout);
        }
        Buffer[] reply = new Buffer[1];
        boolean arrived;
        try {
            arrived = await(() -> {
                if (isClosing() || !isOpen()) {
                    return true;
                }
                try {
                    reply[0] = super.receive(id, Duration.ZERO);
                } catch (IOException e) {
                    throw new ReplyFailure(e);
                }
                return reply[0] != null;
            }, idleTimeout, "the reply to SFTP request " + id);
        } catch (ReplyFailure e) {
            throw e.io;
        } catch (IOException e) {
            abandon(id);
            throw e;
        }
        if (reply[0] == null) {
            abandon(id);
            if (arrived) {
                throw new SshException("Channel is being closed");
            }
        }
        return reply[0];
    }

    @Override
    protected void process(Buffer incoming) throws IOException {
        super.process(incoming);
        Set<Integer> gone = abandoned; // null while MINA's constructor runs, as in wake()
        if (gone != null && !gone.isEmpty()) {
            for (Integer id : gone) {
                try {
                    if (super.receive(id, Duration.ZERO) != null) {
                        gone.remove(id);
                    }
                } catch (IOException e) {
                    gone.remove(id); // its future failed and is gone: nothing left to collect
                }
            }
        }
        wake();
    }

    private void abandon(int id) {
        abandoned.add(id);
        wake(); // collect it here if it arrived already
        try {
            if (super.receive(id, Duration.ZERO) != null) {
                abandoned.remove(id);
            }
        } catch (IOException e) {
            abandoned.remove(id);
        }
    }

    /** Null while MINA's constructor runs (the version reply arrives before this class's fields are set). */
    private void wake() {
        Object monitor = arrivals;
        if (monitor != null) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /**
     * Waits until {@code done} (checked under the monitor at every wake-up) for at most {@code timeout}; false on
     * timeout. An interrupt, already set or arriving, ends the wait with the flag set again.
     */
    private boolean await(BooleanSupplier done, Duration timeout, String what) throws InterruptedIOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (arrivals) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw interrupted(what, null);
                }
                try {
                    arrivals.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    throw interrupted(what, e);
                }
            }
            return true;
        }
    }

    private static InterruptedIOException interrupted(String what, InterruptedException cause) {
        Thread.currentThread().interrupt();
        InterruptedIOException e = new InterruptedIOException("interrupted waiting for " + what);
        e.initCause(cause);
        return e;
    }

    /** A failed reply seen inside a wait condition, rethrown as itself outside it. */
    private static final class ReplyFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient IOException io;

        ReplyFailure(IOException io) {
            super(null, null, false, false);
            this.io = io;
        }
    }
}
