package io.epiphany.testkit;

import java.util.concurrent.ScheduledExecutorService;
import org.apache.sshd.common.io.IoServiceFactoryFactory;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.common.util.threads.ThreadUtils;

/**
 * Threads shared by every SSH server of a fleet, so that 1,000 hosts do not mean thousands of threads: one NIO
 * handler pool, one timer, one pool running simulated commands.
 */
final class FleetIo implements AutoCloseable {
    private final CloseableExecutorService nio;
    private final CloseableExecutorService commands;
    private final ScheduledExecutorService timer;
    private final IoServiceFactoryFactory ioFactory;

    FleetIo() {
        int workers = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        this.nio = ThreadUtils.newFixedThreadPool("sim-fleet-nio", workers);
        this.commands = ThreadUtils.newCachedThreadPool("sim-fleet-command");
        this.timer = ThreadUtils.newSingleThreadScheduledExecutor("sim-fleet-timer");
        this.ioFactory = new Nio2ServiceFactoryFactory(() -> ThreadUtils.noClose(nio));
    }

    IoServiceFactoryFactory ioFactory() {
        return ioFactory;
    }

    CloseableExecutorService commands() {
        return ThreadUtils.noClose(commands);
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    @Override
    public void close() {
        commands.shutdownNow();
        timer.shutdownNow();
        nio.shutdownNow();
    }
}
