package io.epiphany.testkit.sim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/** One SIMULATED host driven directly (no SSH), for tests of the shell and programs. */
final class OsHarness {
    record Result(int exit, String out, String err) {}

    final SimulatedOs os = new SimulatedOs();
    final MemoryStateStore store = new MemoryStateStore();
    final AtomicInteger writes = new AtomicInteger();
    final HostContext host;
    boolean diskFull;

    OsHarness(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("tmp"));
        host = new HostContext("h1", new HostFiles(dir, p -> writes.incrementAndGet(), () -> diskFull), store,
                Clock.systemUTC());
        store.update(s -> {
            SimulationState.Host h = new SimulationState.Host();
            h.ip = "10.0.0.1";
            h.binaries.addAll(SimulatedOs.baseBinaries());
            h.binaries.add("apt-get");
            s.hosts.put("h1", h);
            return null;
        });
    }

    Result run(String line) {
        return run(line, true, CommandInterceptor.NONE);
    }

    Result run(String line, boolean root, CommandInterceptor interceptor) {
        return run(line, root, new byte[0], interceptor);
    }

    /** Runs as root or as the login user {@code ubuntu}, with the given stdin. */
    Result run(String line, boolean root, byte[] stdin, CommandInterceptor interceptor) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = os.execute(host, line, new ByteArrayInputStream(stdin), out, err, root ? "root" : "ubuntu",
                interceptor);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
