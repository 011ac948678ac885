package io.epiphany.api.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Secret;
import org.junit.jupiter.api.Test;

/** What the SSH layer logs of a command ({@link Command#logText}): short for long stdin-fed scripts, never a secret. */
class CommandLogTextTest {
    private static String script(int sections) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sections; i++) {
            s.append("echo m section-").append(i).append("; cat /etc/f").append(i).append(" 2>/dev/null; ");
        }
        return s.toString();
    }

    @Test
    void aLabelledScriptIsLoggedAsItsLabelAndSize() {
        String text = script(200);
        Command c = Command.shell(text).lineOnStdin().label("facts script, 200 sections");
        assertThat(c.logText()).isEqualTo("facts script, 200 sections (" + text.length() + "-byte script)");
        assertThat(c.asRoot().readOnly().stdin(new byte[] {1}).logText()).as("kept through the builders")
                .isEqualTo(c.logText());
        assertThat(c.toString()).as("messages still show the line").isEqualTo(text);
    }

    @Test
    void aLongUnlabelledStdinScriptIsLoggedAsItsBeginningAndSize() {
        String text = script(200);
        String logged = Command.shell(text).lineOnStdin().logText();
        assertThat(logged).startsWith(text.substring(0, Command.LOGGED_LINE)).endsWith("... (" + text.length()
                + "-byte script)").hasSizeLessThan(Command.LOGGED_LINE + 40);
        assertThat(Command.of("systemctl", "is-active", "haproxy").logText()).isEqualTo("systemctl is-active haproxy");
        assertThat(Command.shell(text).logText()).as("a line in the exec request is logged as sent")
                .isEqualTo(text);
    }

    @Test
    void noSecretInTheLabelNorInTheCutLine() {
        Secret token = Secret.randomBase64(32);
        String head = "x".repeat(Command.LOGGED_LINE - 10);
        // the secret straddles the cut: redaction before cutting leaves no piece of it
        Command c = Command.shell(head + " " + token.reveal() + " " + script(50)).lineOnStdin().secret(token);
        assertThat(c.logText()).doesNotContain(token.reveal().substring(0, 8)).contains("****");
        Command labelled = c.label("join with " + token.reveal());
        assertThat(labelled.logText()).doesNotContain(token.reveal()).startsWith("join with ****");
    }

    @Test
    void aLabelIsOneShortLine() {
        Command c = Command.of("true");
        assertThatThrownBy(() -> c.label(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.label("a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.label("x".repeat(Command.MAX_LABEL + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("200");
    }
}
