package io.epiphany.systemtests.bench;

import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.FanOut;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.haproxy.HaproxyService;
import io.epiphany.testkit.CountingRemoteAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * One LB change as a user's program makes it: a new {@link RemoteAccess}, {@link HaproxyService#configure} on every
 * host at once (with the live file the caller read before: a master added or removed reaches the running HAProxy
 * through its runtime API), close. Run as its own JVM by {@link LbChangeBenchmark} (so the JVM's start is in the
 * figure) or in its JVM ({@link #change}). Prints one line: {@code ops=<remote operations> kex=<negotiated exchanges>
 * hostkey=<host-key algorithms the hosts proved themselves with>}.
 *
 * <p>Arguments: {@code <user> <private key> <known_hosts> <config file> <live config file> <kex list|default>
 * <ip>...}.
 */
public final class LbChangeRun {
    private LbChangeRun() {}

    public static void main(String[] args) throws Exception {
        List<String> ips = List.of(args).subList(6, args.length);
        Optional<List<String>> kex = args[5].equals("default") ? Optional.empty()
                : Optional.of(List.of(args[5].split(",")));
        System.out.println(change(args[0], Path.of(args[1]), Path.of(args[2]), Files.readString(Path.of(args[4])),
                List.of(Files.readString(Path.of(args[3]))), kex, ips));
    }

    /**
     * One change per config, one after the other, on the same sessions (the second and later: no connect), the
     * first from {@code live}, each later one from the one before; the result line, with {@code warm=<ms>} per later
     * change.
     */
    static String change(String user, Path key, Path knownHosts, String live, List<String> configs,
            Optional<List<String>> kex, List<String> ips) {
        SshSettings.Builder b = SshSettings.builder().user(user).privateKey(key).knownHosts(knownHosts)
                .hostKeyPolicy(HostKeyPolicy.STRICT).concurrency(ips.size());
        kex.ifPresent(b::keyExchange);
        SshSettings ssh = b.build();
        long firstOps = 0;
        List<Long> warm = new ArrayList<>();
        TreeSet<String> negotiated = new TreeSet<>();
        TreeSet<String> hostKeys = new TreeSet<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(ips.size());
        try (CountingRemoteAccess access = CountingRemoteAccess.wrap(RemoteAccess.load())) {
            List<RemoteHost> hosts = new ArrayList<>();
            for (int i = 0; i < ips.size(); i++) {
                hosts.add(access.host(Machine.of("h" + i, ips.get(i)), ssh));
            }
            for (int c = 0; c < configs.size(); c++) {
                String config = configs.get(c);
                String before = c == 0 ? live : configs.get(c - 1);
                long start = System.nanoTime();
                var outcomes = FanOut.over(hosts).concurrency(hosts.size()).run(h -> CompletableFuture.supplyAsync(
                        () -> new HaproxyService(h).configure(config, before), pool));
                outcomes.forEach((h, o) -> {
                    if (!o.succeeded()) {
                        throw new IllegalStateException(h.hostname() + ": " + o);
                    }
                    h.keyExchange().ifPresent(negotiated::add);
                    h.hostKeyAlgorithm().ifPresent(hostKeys::add);
                });
                if (c == 0) {
                    firstOps = access.traffic().values().stream()
                            .mapToLong(CountingRemoteAccess.Traffic::roundTrips).sum();
                } else {
                    warm.add(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return (warm.isEmpty() ? "" : "warm=" + warm.get(0) + " ") + "ops=" + firstOps + " kex="
                + String.join(",", negotiated) + " hostkey=" + String.join(",", hostKeys);
    }
}
