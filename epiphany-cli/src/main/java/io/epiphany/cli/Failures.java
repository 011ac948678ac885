package io.epiphany.cli;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ConfigException;
import io.epiphany.api.remote.RemoteException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The exit codes, and the SDK's failures turned into a message and one of them. The codes are the same as before the
 * command line moved to picocli; usage errors (picocli's own, and ours) are {@link #USAGE}.
 */
final class Failures implements IExecutionExceptionHandler {
    static final int DONE = 0;
    static final int INVALID_FILE = 1;
    static final int USAGE = 2;
    static final int FAILED_ON_HOST = 3;
    static final int INTERNAL = 4;

    /** For every command's help: picocli's "Exit Codes:" section. */
    static final String[] EXIT_CODE_LIST = {
        "0:done",
        "1:the file is invalid (every problem listed with its YAML path and value)",
        "2:usage: an unknown command or option, a missing value, or a refusal such as reset without --yes",
        "3:failed on a host (the phase, host, command, exit code, last stderr lines, and what was and was not done)",
        "4:an internal error in the SDK, neither the file's nor a host's (a class path that mixes SDK versions, a bug)",
    };

    /**
     * An {@link Error} out of a command (picocli passes Errors on), or a RuntimeException that is none of the SDK's
     * failures above nor local I/O: the SDK's own fault, said as such with what to do, and its stack trace for a
     * report. Never "unreachable" or "failed on a host" (issue 16).
     */
    static int internal(Throwable e, java.io.PrintWriter err) {
        String hint = e instanceof LinkageError
                ? "a class path that mixes SDK versions? rebuild the SDK (./mvnw -B package -DskipTests) and run it again"
                : "please report it with the stack trace below";
        err.println("internal error in the SDK: " + e + " (" + hint + ")");
        e.printStackTrace(err);
        err.flush();
        return INTERNAL;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult)
            throws Exception {
        var err = commandLine.getErr();
        if (e instanceof ConfigException) {
            err.println(e.getMessage());
            return INVALID_FILE;
        }
        if (e instanceof ApplyException || e instanceof RemoteException) {
            err.println("FAILED: " + e.getMessage());
            return FAILED_ON_HOST;
        }
        if (e instanceof IllegalArgumentException) {
            err.println(e.getMessage());
            return USAGE;
        }
        if (e instanceof RuntimeException && !(e instanceof java.io.UncheckedIOException)
                && !(e instanceof java.util.concurrent.CancellationException)) {
            return internal(e, err);
        }
        throw e;
    }
}
