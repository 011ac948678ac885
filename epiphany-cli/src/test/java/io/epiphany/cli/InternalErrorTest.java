package io.epiphany.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Issue 16: an Error out of a command is said to be the SDK's own, with its own exit code, never a host's failure. */
class InternalErrorTest {
    @Test
    void aLinkageErrorSaysInternalErrorAndWhatToDo() {
        String err = run(new NoSuchMethodError("'void io.epiphany.api.Old.gone()'"), Failures.INTERNAL);
        assertThat(err).startsWith("internal error in the SDK: java.lang.NoSuchMethodError: 'void "
                + "io.epiphany.api.Old.gone()' (a class path that mixes SDK versions? rebuild the SDK")
                .contains("\tat ").doesNotContain("unreachable", "FAILED");
    }

    @Test
    void anotherErrorAsksForAReport() {
        assertThat(run(new AssertionError("an invariant"), Failures.INTERNAL))
                .startsWith("internal error in the SDK: java.lang.AssertionError: an invariant (please report it");
    }

    private static String run(Error error, int expectedCode) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal term = Terminal.of(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, Map.of());
        assertThat(Main.execute(term, new CommandLine(new Failing(error)))).isEqualTo(expectedCode);
        return err.toString(StandardCharsets.UTF_8);
    }

    /** A command whose run throws {@code error}, as a command run on a broken class path would. */
    @CommandLine.Command(name = "failing")
    static final class Failing implements Callable<Integer> {
        private final Error error;

        Failing(Error error) {
            this.error = error;
        }

        @Override
        public Integer call() {
            throw error;
        }
    }
}
