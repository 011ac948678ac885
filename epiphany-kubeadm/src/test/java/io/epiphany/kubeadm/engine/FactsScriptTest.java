package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteException;
import org.junit.jupiter.api.Test;

/** The framing of {@link FactsScript}'s output, without a host. */
class FactsScriptTest {
    /** The script's mark, read back from its own text. */
    private static String mark(FactsScript s) {
        String line = s.toCommand().line();
        return line.substring("echo ".length(), line.indexOf(' ', "echo ".length()));
    }

    private static CommandResult out(String stdout) {
        return new CommandResult("h1", "facts", 0, stdout, "");
    }

    @Test
    void contentIsKeptExactlyWithOrWithoutItsLastNewlineAndAMissingFileIsEmpty() {
        FactsScript s = new FactsScript().cat("/a").cat("/b").cat("/c");
        String m = mark(s);
        FactsScript.Result r = s.parse(out(m + " cat:/a\nline 1\nline 2\n" + m + " 0\n" + m + " cat:/b\nno newline"
                + m + " 0\n" + m + " cat:/c\n" + m + " 1\n"));
        assertThat(new String(r.file("/a").orElseThrow())).isEqualTo("line 1\nline 2\n");
        assertThat(new String(r.file("/b").orElseThrow())).isEqualTo("no newline");
        assertThat(r.file("/c")).isEmpty();
    }

    @Test
    void contentCannotForgeASectionWithoutTheNonce() {
        FactsScript s = new FactsScript().cat("/a");
        String m = mark(s);
        String forged = "epiphany-facts-0000000000000000 0\n";
        FactsScript.Result r = s.parse(out(m + " cat:/a\n" + forged + m + " 0\n"));
        assertThat(new String(r.file("/a").orElseThrow())).isEqualTo(forged);
        assertThat(mark(new FactsScript().cat("/a"))).as("a nonce per script").isNotEqualTo(m);
    }

    @Test
    void aSkippedGroupIsAbsentAndCountsAsFailedButAMissingSectionOutsideOneIsAnError() {
        FactsScript s = new FactsScript().exists("/k").unlessExists("/k", g -> g.command("lsmod",
                Command.of("lsmod"))).exists("/z");
        String m = mark(s);
        FactsScript.Result r = s.parse(out(m + " exists:/k\n" + m + " 0\n" + m + " exists:/z\n" + m + " 1\n"));
        assertThat(r.section("lsmod")).isEmpty();
        assertThat(r.ok("lsmod")).isFalse();
        assertThatThrownBy(() -> s.parse(out(m + " exists:/k\n" + m + " 0\n"))).isInstanceOf(RemoteException.class)
                .hasMessageContaining("cut or malformed after 1 sections (last: exists:/k)");
    }

    @Test
    void aFailedScriptSaysWhyWithoutItsOutput() {
        FactsScript s = new FactsScript().cat("/etc/secretish");
        assertThatThrownBy(() -> s.parse(new CommandResult("h1", "facts", 2, "content", "sh: 1: Syntax error")))
                .isInstanceOf(RemoteException.class).hasMessageContaining("exited 2; stderr: sh: 1: Syntax error")
                .hasMessageNotContaining("content");
    }

    @Test
    void theSshLayerLogsTheScriptAsALabelNotItsText() {
        Command c = new FactsScript().cat("/a").exists("/k").toCommand();
        assertThat(c.logText()).startsWith("facts script, 2 sections (").doesNotContain("cat").doesNotContain("/a");
    }

    @Test
    void outputOverTheCapNamesTheSettingAndItsValueWithoutTheOutput() {
        FactsScript s = new FactsScript().cat("/etc/secretish");
        String m = mark(s);
        String kept = m + " cat:/etc/secretish\n" + "x".repeat(2048 - m.length() - 22);
        int bytes = kept.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        assertThatThrownBy(() -> s.parse(new CommandResult("h1", "facts", 0, kept, "", true)))
                .isInstanceOf(RemoteException.class).hasMessageContaining("h1")
                .hasMessageContaining("more than the output cap (" + bytes + " bytes of stdout kept)")
                .hasMessageContaining("maxOutputBytes(...) above " + bytes)
                .hasMessageContaining("ApplyOptions.remoteAccess").hasMessageNotContaining("xxx");
    }

    @Test
    void aTransportFailureNamesTheFactsScriptNotItsText() {
        FactsScript s = new FactsScript().cat("/a");
        io.epiphany.api.remote.RemoteHost down = new io.epiphany.api.remote.RemoteHost() {
            @Override
            public String hostname() {
                return "h1";
            }

            @Override
            public CommandResult run(Command command) {
                throw new RemoteException("h1", "`" + command + "` failed: Connection refused");
            }

            @Override
            public java.util.concurrent.CompletableFuture<CommandResult> runAsync(Command command) {
                throw new UnsupportedOperationException();
            }

            @Override
            public io.epiphany.api.remote.UploadResult upload(io.epiphany.api.remote.RemoteFile file) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.Optional<byte[]> read(String path) {
                throw new UnsupportedOperationException();
            }
        };
        assertThatThrownBy(() -> s.run(down)).isInstanceOf(RemoteException.class)
                .hasMessage("h1: the facts script failed: Connection refused");
    }

    @Test
    void onlyOneQueryMayReadStdinAndTheScriptRunsAsRootFromStdin() {
        FactsScript s = new FactsScript().command("a", Command.of("socat").stdin(new byte[] {1}));
        assertThatThrownBy(() -> s.command("b", Command.of("cat").stdin(new byte[] {2})))
                .isInstanceOf(IllegalStateException.class);
        assertThat(s.toCommand().root()).isTrue();
        assertThat(s.toCommand().sendsLineOnStdin()).isTrue();
        assertThat(s.toCommand().changesState()).isFalse();
    }
}
