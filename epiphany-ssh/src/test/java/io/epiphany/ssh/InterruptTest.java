package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.UploadResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * An interrupted caller: commands, SFTP uploads and reads end with a {@link CancellationException}, never a
 * {@link io.epiphany.api.remote.RemoteException} (which callers take for an unreachable host), and the thread's
 * interrupt flag stays set (MINA's SFTP client clears it); afterwards the same host works as before, over SFTP.
 */
class InterruptTest extends SshFixture {
    private static final String ME = System.getProperty("user.name");

    @Test
    void anInterruptedCallerGetsACancellationWithItsFlagSetAndTheHostStillWorksAfter() throws Exception {
        RemoteHost host = host(server());
        Path file = dir.resolve("etc/interrupt/file");
        RemoteFile content = RemoteFile.of(file.toString(), "A\n", 0600).owner(ME);
        assertThat(host.upload(content)).isEqualTo(UploadResult.WRITTEN); // the session and its SFTP client are open

        interrupted(() -> host.run(Command.of("sleep", "5")));
        interrupted(() -> host.upload(RemoteFile.of(file.toString(), "B\n", 0600).owner(ME)));
        interrupted(() -> host.read(file.toString()));

        assertThat(host.run(Command.of("echo", "ok")).stdout()).isEqualTo("ok\n");
        assertThat(host.upload(RemoteFile.of(file.toString(), "C\n", 0600).owner(ME))).isEqualTo(UploadResult.WRITTEN);
        assertThat(Files.readString(file)).isEqualTo("C\n");
    }

    /**
     * Interrupts land inside SFTP calls (a 400 KB upload and read, interrupted after 0 to 19 ms): each caller ends at
     * once with a cancellation and its flag set, or done; the session survives every round (MINA closed it a moment
     * after an interrupt inside its own wait, which cut off the next command).
     */
    @Test
    void interruptsInsideSftpCallsLeaveTheSessionWorking() throws Exception {
        RemoteHost host = host(server());
        Path file = dir.resolve("etc/interrupt/inside");
        assertThat(host.upload(RemoteFile.of(file.toString(), "A\n", 0600).owner(ME))).isEqualTo(UploadResult.WRITTEN);
        int cancelled = 0;
        for (int round = 0; round < 20; round++) {
            String content = ("round " + round + "\n").repeat(50_000);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    host.upload(RemoteFile.of(file.toString(), content, 0600).owner(ME));
                    host.read(file.toString());
                    outcome.set("done");
                } catch (RuntimeException e) {
                    outcome.set(Thread.currentThread().isInterrupted() ? e : new AssertionError("flag cleared", e));
                }
            });
            caller.start();
            Thread.sleep(round);
            caller.interrupt();
            caller.join(10_000);
            assertThat(caller.isAlive()).as("round " + round + ": the caller still waits").isFalse();
            if (outcome.get() instanceof Throwable t) {
                assertThat(t).as("round " + round).isInstanceOf(CancellationException.class);
                cancelled++;
            }
            assertThat(host.run(Command.of("echo", "ok")).stdout()).as("round " + round).isEqualTo("ok\n");
        }
        assertThat(cancelled).as("rounds interrupted inside a call").isPositive();
        assertThat(host.upload(RemoteFile.of(file.toString(), "C\n", 0600).owner(ME))).isEqualTo(UploadResult.WRITTEN);
        assertThat(Files.readString(file)).isEqualTo("C\n");
    }

    private static void interrupted(Supplier<?> call) {
        Thread.currentThread().interrupt();
        try {
            Throwable t = catchThrowable(call::get);
            assertThat(t).isInstanceOf(CancellationException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("the flag after " + t).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
