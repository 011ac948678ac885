package io.epiphany.testkit;

import io.epiphany.testkit.sim.CommandInterceptor;
import io.epiphany.testkit.sim.SimulatedOs;
import java.util.OptionalInt;
import org.apache.sshd.server.command.AbstractCommandSupport;
import org.apache.sshd.common.util.threads.CloseableExecutorService;

/** An SSH exec request on a SIMULATED host: counted, subjected to the host's faults, run by the simulated OS. */
final class ShellCommand extends AbstractCommandSupport {
    private final SimulatedHost host;
    private final SimulatedOs os;

    ShellCommand(String command, CloseableExecutorService executor, SimulatedHost host, SimulatedOs os) {
        super(command, executor);
        this.host = host;
        this.os = os;
    }

    @Override
    public void run() {
        host.processes().commandStarted();
        try {
            runCommand();
        } finally {
            host.processes().commandEnded();
        }
    }

    private void runCommand() {
        String line = getCommand();
        // a line sent on stdin is classified once read (CommandInterceptor.received), as the host then sees it
        boolean lineOnStdin = os.sendsLineOnStdin(line);
        host.countCommand(!lineOnStdin && os.changesState(line));
        HostFaults faults = host.faults();
        if (faults.takeDrop()) {
            getServerSession().close(true);
            return;
        }
        sleep(faults);
        String login = getServerSession().getUsername();
        ProcessLog processes = host.processes();
        CommandInterceptor interceptor = new CommandInterceptor() {
            @Override
            public OptionalInt intercept(java.util.List<String> words, java.io.PrintStream err) {
                processes.program(words);
                return faults.failureFor(words).map(f -> {
                    err.print(f.stderr().endsWith("\n") || f.stderr().isEmpty() ? f.stderr() : f.stderr() + "\n");
                    return OptionalInt.of(f.exitCode());
                }).orElse(OptionalInt.empty());
            }

            @Override
            public void shell(String script) {
                processes.shell(script);
            }

            @Override
            public void received(String real) {
                if (lineOnStdin && os.changesState(real)) {
                    host.countChange();
                }
            }
        };
        int code;
        try {
            code = os.execute(host.context(), line, getInputStream(), getOutputStream(), getErrorStream(), login,
                    interceptor);
        } catch (RuntimeException | Error e) {
            // a bug of the simulation must not look like a hung host: report it and end the command
            code = 125;
            new java.io.PrintStream(getErrorStream(), true, java.nio.charset.StandardCharsets.UTF_8)
                    .println("SIMULATED host " + host.hostname() + " failed internally: " + e);
        }
        onExit(code);
    }

    private static void sleep(HostFaults faults) {
        long millis = faults.delay().toMillis();
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
