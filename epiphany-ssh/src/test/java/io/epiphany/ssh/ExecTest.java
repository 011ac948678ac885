package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteHost;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Running commands against an embedded server: exit codes, streams, stdin, size, concurrency, timeouts, drops. */
class ExecTest extends SshFixture {

    @Test
    void exitCodesAndStreamsAreKeptApart() throws Exception {
        RemoteHost host = host(server());
        CommandResult ok = host.run(Command.shell("echo out; echo err >&2"));
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.stdout()).isEqualTo("out\n");
        assertThat(ok.stderr()).isEqualTo("err\n");

        CommandResult failed = host.run(Command.shell("echo bad >&2; exit 3"));
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.ok()).isFalse();
        assertThatThrownBy(failed::orThrow).isInstanceOf(RemoteException.class)
                .hasMessageContaining("h" + servers.get(0).port()).hasMessageContaining("exited 3")
                .hasMessageContaining("bad");
    }

    @Test
    void wordsAreQuotedAndStdinIsFedThenClosed() throws Exception {
        RemoteHost host = host(server());
        assertThat(host.run(Command.of("printf", "%s|", "a b", "it's", "$HOME")).stdout())
                .isEqualTo("a b|it's|$HOME|");
        assertThat(host.run(Command.of("cat").stdin("line1\nline2\n".getBytes(StandardCharsets.UTF_8))).stdout())
                .isEqualTo("line1\nline2\n");
        // No stdin given: the command still sees EOF and ends.
        assertThat(host.run(Command.of("cat")).stdout()).isEmpty();
    }

    @Test
    void tenMegabytesOfOutputArriveWhole() throws Exception {
        RemoteHost host = host(server());
        CommandResult r = host.run(Command.shell("head -c 10485760 /dev/zero | tr '\\0' x"));
        assertThat(r.stdout()).hasSize(10 * 1024 * 1024);
        assertThat(r.stdout().chars().allMatch(c -> c == 'x')).isTrue();
        assertThat(r.outputTruncated()).isFalse();
    }

    @Test
    void outputBeyondTheCapIsCountedNotKept() throws Exception {
        access.close();
        access = SshRemoteAccess.builder().maxOutputBytes(64 * 1024).build();
        RemoteHost host = host(server());
        CommandResult r = host.run(Command.shell("head -c 10485760 /dev/zero | tr '\\0' x; echo last-words >&2"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.outputTruncated()).isTrue();
        assertThat(r.stdout()).hasSize(64 * 1024);
        assertThat(r.stderr()).isEqualTo("last-words\n");
    }

    @Test
    void fiftyConcurrentChannelsShareOneSession() throws Exception {
        access.close();
        access = SshRemoteAccess.builder().maxChannelsPerHost(50).build();
        TestServer server = server();
        RemoteHost host = host(server);
        host.run(Command.of("true"));
        List<CompletableFuture<CommandResult>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            // Each command waits until all 50 have started (or 20 s passed), so 50 must be open at once.
            all.add(host.runAsync(Command.shell("i=0; while [ \"$(ls " + dir + "/started | wc -l)\" -lt 50 ] && "
                    + "[ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; echo " + i)));
        }
        java.nio.file.Files.createDirectories(dir.resolve("started"));
        // Mark starts from the server side count, not from the client, so the wait proves real concurrency.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.running.get() < 50 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (int i = 0; i < 50; i++) {
            java.nio.file.Files.createFile(dir.resolve("started").resolve("c" + i));
        }
        for (CompletableFuture<CommandResult> f : all) {
            assertThat(f.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        }
        assertThat(server.maxRunning.get()).isEqualTo(50);
        assertThat(server.sessions.get()).isEqualTo(1);
    }

    @Test
    void channelsPerHostAreBoundedByDefault() throws Exception {
        TestServer server = server();
        RemoteHost host = host(server);
        List<CompletableFuture<CommandResult>> all = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            all.add(host.runAsync(Command.shell("sleep 0.2")));
        }
        for (CompletableFuture<CommandResult> f : all) {
            assertThat(f.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        }
        assertThat(server.maxRunning.get()).isLessThanOrEqualTo(SshRemoteAccess.DEFAULT_MAX_CHANNELS_PER_HOST);
        assertThat(server.sessions.get()).isEqualTo(1);
    }

    @Test
    void aTimeoutClosesTheChannelAndNamesTheHostAndCommand() throws Exception {
        TestServer server = server();
        RemoteHost host = host(server);
        assertThatThrownBy(() -> host.run(Command.of("sleep", "30").timeout(Duration.ofMillis(300))))
                .isInstanceOf(RemoteException.class).hasMessageContaining("h" + server.port())
                .hasMessageContaining("sleep 30").hasMessageContaining("timed out");
        // The session survives a timed-out channel.
        assertThat(host.run(Command.of("echo", "still")).stdout()).isEqualTo("still\n");
        assertThat(server.sessions.get()).isEqualTo(1);
    }

    @Test
    void cancellingTheFutureClosesTheChannel() throws Exception {
        TestServer server = server();
        RemoteHost host = host(server);
        host.run(Command.of("true"));
        CompletableFuture<CommandResult> f = host.runAsync(Command.of("sleep", "30"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.running.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        f.cancel(true);
        while (server.running.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.running.get()).as("remote command ended by the channel close").isZero();
    }

    @Test
    void aConnectionDroppedMidCommandIsAFailureNotExitZero() throws Exception {
        TestServer server = server();
        RemoteHost host = host(server);
        host.run(Command.of("true"));
        CompletableFuture<CommandResult> f = host.runAsync(Command.of("sleep", "30"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.running.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        server.dropConnections();
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RemoteException.class)
                .hasMessageContaining("sleep 30");
    }

    @Test
    void aSessionThatDiedBetweenCommandsIsReplacedTransparently() throws Exception {
        TestServer server = server();
        RemoteHost host = host(server);
        assertThat(host.run(Command.of("echo", "1")).stdout()).isEqualTo("1\n");
        server.dropConnections();
        Thread.sleep(200); // let the client see the close
        assertThat(host.run(Command.of("echo", "2")).stdout()).isEqualTo("2\n");
        assertThat(server.sessions.get()).isEqualTo(2);
    }
}
