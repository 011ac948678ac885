package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.UploadResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many workers in SFTP calls at once on one host (one shared SFTP client): the calls wait on the workers' own threads,
 * so the client side adds a constant number of threads (MINA's), not one per waiting call (issue 16: the SDK peaked at
 * 2 x workers + 13 threads with a hand-off thread per call).
 */
class SftpThreadsTest extends SshFixture {
    private static final String ME = System.getProperty("user.name");
    private static final int WORKERS = 16;
    private static final int CALLS = 12;

    @Test
    void concurrentCallsAddNoThreadPerWaitingWorker() throws Exception {
        RemoteHost host = host(server());
        Path base = dir.resolve("etc/threads");
        assertThat(host.upload(RemoteFile.of(base.resolve("warm").toString(), "w\n", 0600).owner(ME)))
                .isEqualTo(UploadResult.WRITTEN); // session and SFTP client open before the baseline
        Set<Long> before = new TreeSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> before.add(t.getId()));

        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger inCalls = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        Set<Long> workerIds = ConcurrentHashMap.newKeySet();
        for (int w = 0; w < WORKERS; w++) {
            String path = base.resolve("f" + w).toString();
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < CALLS; i++) {
                        inCalls.incrementAndGet();
                        String content = "worker " + path + " call " + i + "\n".repeat(2_000);
                        host.upload(RemoteFile.of(path, content, 0600).owner(ME));
                        assertThat(host.read(path))
                                .hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo(content));
                        inCalls.decrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "test-worker-" + w);
            workers.add(t);
            workerIds.add(t.getId());
            t.start();
        }
        start.countDown();

        int peak = 0;
        int peakInCalls = 0;
        Set<String> seen = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (workers.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
            int added = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (!before.contains(t.getId()) && !workerIds.contains(t.getId()) && isClientSide(t.getName())) {
                    added++;
                    seen.add(t.getName().replaceAll("\\d+", "#"));
                }
            }
            peak = Math.max(peak, added);
            peakInCalls = Math.max(peakInCalls, inCalls.get());
            Thread.sleep(5);
        }
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).as(t.getName() + " still running").isFalse();
        }
        assertThat(failure.get()).isNull();
        assertThat(peakInCalls).as("workers in SFTP calls at once").isGreaterThan(WORKERS / 2);
        assertThat(peak).as("client-side threads started during the calls: " + seen).isLessThan(WORKERS / 2);
        assertThat(seen).as("client-side threads started during the calls")
                .noneMatch(n -> n.startsWith("epiphany-sftp"));
        for (int w = 0; w < WORKERS; w++) {
            assertThat(Files.readString(base.resolve("f" + w))).startsWith("worker ").contains("call " + (CALLS - 1));
        }
    }

    /** The embedded server's threads (its IO pool and one SFTP subsystem thread per channel) are not the SDK's. */
    private static boolean isClientSide(String name) {
        return !name.contains("SshServer") && !name.contains("SftpSubsystem") && !name.contains("sshd-server");
    }
}
