package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Secret;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Operations carrying a secret (in the command line, in the output, in stderr, in an error, in a file) leave no trace
 * of it in any log line of this JVM (slf4j-simple writes them all to one file, see the pom), in any exception message
 * or in any result.
 */
class RedactionTest extends SshFixture {

    @Test
    void aSecretAppearsInNoLogLineExceptionOrResult() throws Exception {
        Secret token = Secret.bootstrapToken();
        String value = token.reveal();
        TestServer server = server();
        RemoteHost host = host(server);
        List<String> seen = new ArrayList<>();

        CommandResult ok = host.run(Command.of("sh", "-c", "echo token=$1; echo token=$1 >&2", "sh", value)
                .secret(token));
        assertThat(server.commands.get(0)).as("a line with a secret travels on stdin").doesNotContain(value);
        seen.add(ok.stdout());
        seen.add(ok.stderr());
        seen.add(ok.command());
        seen.add(ok.toString());
        assertThat(ok.stdout()).isEqualTo("token=****\n");

        CommandResult failed = host.run(Command.of("sh", "-c", "echo bad $1 >&2; exit 4", "sh", value)
                .secret(token));
        RemoteException thrown = org.junit.jupiter.api.Assertions.assertThrows(RemoteException.class,
                failed::orThrow);
        seen.add(thrown.getMessage());
        seen.add(String.valueOf(thrown));

        assertThatThrownBy(() -> host.run(Command.of("sh", "-c", "sleep 5", "sh", value).secret(token)
                .timeout(Duration.ofMillis(200)))).isInstanceOf(RemoteException.class)
                .satisfies(e -> seen.add(e.getMessage()));

        var dropped = host.runAsync(Command.of("sh", "-c", "sleep 5", "sh", value).secret(token));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.running.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        server.dropConnections();
        assertThatThrownBy(dropped::join).hasCauseInstanceOf(RemoteException.class)
                .satisfies(e -> seen.add(e.getCause().getMessage()));

        Path file = dir.resolve("secret/enc.yaml");
        RemoteFile secretFile = RemoteFile.of(file.toString(), "key: " + value + "\n", 0600)
                .owner(System.getProperty("user.name")).secret();
        host.upload(secretFile);
        seen.add(secretFile.toString());
        assertThat(Files.readString(file)).contains(value);

        assertThat(seen).allSatisfy(s -> assertThat(s).doesNotContain(value));
        Path log = Path.of(System.getProperty("epiphany.test.log"));
        String logged = Files.readString(log);
        assertThat(logged).as("the log captured this test's commands").contains("token=$1").contains("****");
        assertThat(logged).doesNotContain(value);
    }
}
