package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.List;

/** One SIMULATED executable of a host ({@code cat}, {@code kubeadm}, ...). */
public interface Program {
    /** Runs with the given invocation and returns the exit code. */
    int run(Invocation invocation) throws IOException;

    /**
     * Whether these arguments ask the program to change the host or the cluster, decided by the server from the
     * command itself (the client's read-only flag is not sent over SSH).
     */
    boolean changesState(List<String> args);
}
