package io.epiphany.systemtests.haproxy;

import io.epiphany.systemtests.fleet.RealOsFleet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One REAL curl process inside a fleet host sending a request through the host's own {@code localhost:3446} every
 * 100 ms ({@code --rate 10/s}; one process, no fork per request), each on a new TCP + TLS connection
 * ({@code Connection: close}), to the apiserver stand-ins' {@code /epiphany-standin/name}: the
 * answer names the master that served it. Each result is timestamped when curl prints it. Bounded: at most
 * {@code count} requests, each at most {@link #MAX_TIME}.
 */
final class RequestStream implements AutoCloseable {
    static final Duration MAX_TIME = Duration.ofSeconds(10);

    /** One request: when it ended (epoch ms), curl's exit code, the master that answered, the time it took. */
    record Result(long endMillis, int exitCode, String master, long millis) {
        boolean ok() {
            return exitCode == 0 && !master.isEmpty();
        }

        long startMillis() {
            return endMillis - millis;
        }
    }

    private final String host;
    private final Process process;
    private final List<Result> results = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;
    private final RealOsFleet fleet;
    private volatile String pid;

    private RequestStream(RealOsFleet fleet, String host, Process process) {
        this.fleet = fleet;
        this.host = host;
        this.process = process;
        this.reader = new Thread(this::read, "requests-" + host);
        reader.setDaemon(true);
        reader.start();
    }

    static RequestStream start(RealOsFleet fleet, String host, int count) throws IOException {
        // The body (the master's name) then " exitcode status seconds": a failed request has an empty body.
        // sh prints its PID (in the host's PID namespace) and becomes curl: close() ends exactly that process.
        Process p = fleet.spawn(host, "sh", "-c", "echo $$; exec \"$0\" \"$@\"", "curl", "-sk", "-H", "Connection: close", "--rate", "10/s",
                "--max-time", Long.toString(MAX_TIME.toSeconds()), "-w", " %{exitcode} %{http_code} %{time_total}\\n",
                "https://127.0.0.1:3446/epiphany-standin/name?n=[1-" + count + "]");
        p.getOutputStream().close();
        return new RequestStream(fleet, host, p);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            pid = in.readLine();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                long now = System.currentTimeMillis();
                String[] f = line.trim().split(" ");
                if (f.length < 3) {
                    continue;
                }
                int n = f.length;
                String master = n >= 4 ? f[0] : "";
                int exit = Integer.parseInt(f[n - 3]);
                long millis = Math.round(Double.parseDouble(f[n - 1]) * 1000);
                results.add(new Result(now, exit, exit == 0 ? master : "", millis));
            }
        } catch (IOException | NumberFormatException e) {
            // the process ended or printed something else: the results so far stand
        }
    }

    String host() {
        return host;
    }

    List<Result> results() {
        synchronized (results) {
            return List.copyOf(results);
        }
    }

    /** The first good answer from {@code master} that started at or after {@code epochMillis}. */
    Optional<Result> firstServedBy(String master, long epochMillis) {
        return results().stream().filter(r -> r.ok() && r.master().equals(master) && r.startMillis() >= epochMillis)
                .findFirst();
    }

    @Override
    public void close() {
        String curl = pid;
        if (curl != null && curl.matches("[0-9]+") && process.isAlive()) {
            fleet.exec(host, "kill", curl);
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
