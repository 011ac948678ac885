package io.epiphany.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 16: an Error (or a RuntimeException that is none of the SDK's failures) out of a command is said to be the
 * SDK's own, with its own exit code, never a host's failure; a host's failure still is one.
 */
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

    @Test
    void aRuntimeExceptionThatIsNoneOfTheSdksFailuresIsInternalToo() {
        assertThat(run(new IllegalStateException("this RemoteAccess is closed"), Failures.INTERNAL))
                .startsWith("internal error in the SDK: java.lang.IllegalStateException: this RemoteAccess is closed");
    }

    @Test
    void aHostsFailureIsStillOne() {
        assertThat(run(new io.epiphany.api.remote.RemoteException("m1", "cannot connect to 192.0.2.1:22: refused"),
                Failures.FAILED_ON_HOST)).startsWith("FAILED: ").contains("refused").doesNotContain("internal");
    }

    private static String run(Throwable failure, int expectedCode) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Failing(failure)).setErr(new PrintWriter(err, true))
                .setExecutionExceptionHandler(new Failures());
        assertThat(Main.execute(cl)).isEqualTo(expectedCode);
        return err.toString();
    }

    /** A command whose run throws {@code failure}, as a command run on a broken class path would. */
    @CommandLine.Command(name = "failing")
    static final class Failing implements Callable<Integer> {
        private final Throwable failure;

        Failing(Throwable failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() throws Exception {
            if (failure instanceof Error e) {
                throw e;
            }
            throw (Exception) failure;
        }
    }
}
