package io.epiphany.systemtests.haproxy;

import io.epiphany.systemtests.fleet.FleetHost;
import io.epiphany.systemtests.fleet.ProcessRun;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real-OS fleet for the load-balancer measurements: masters {@code m1..mM} with apiserver stand-ins and a counter of
 * new TCP connections to {@code :6443} in each master's own network namespace (an iptables rule matching SYN
 * packets: every health check and every client connection is one), nodes {@code n1..nN}, and HAProxy written and
 * (re)started on many hosts at once (8 at a time: the machine has 2 cores).
 */
final class LbFleet implements AutoCloseable {
    private static final String COUNT_RULE = "-p tcp --dport 6443 --syn -j ACCEPT";
    private static final String CUT_RULE = "-p tcp --dport 6443 -j DROP";
    final RealOsFleet fleet;
    final List<FleetHost> masters;
    final List<FleetHost> nodes;

    private LbFleet(RealOsFleet fleet, int masterCount) {
        this.fleet = fleet;
        this.masters = fleet.hosts().subList(0, masterCount);
        this.nodes = fleet.hosts().subList(masterCount, fleet.hosts().size());
    }

    static LbFleet start(int masterCount, int nodeCount) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= masterCount; i++) {
            names.add("m" + i);
        }
        for (int i = 1; i <= nodeCount; i++) {
            names.add("n" + i);
        }
        LbFleet lb = new LbFleet(RealOsFleet.start(names), masterCount);
        try {
            for (FleetHost m : lb.masters) {
                lb.fleet.startApiserver(m.hostname());
                iptables(lb.fleet, m, "-I", COUNT_RULE);
            }
            return lb;
        } catch (RuntimeException e) {
            lb.close();
            throw e;
        }
    }

    List<FleetHost> all() {
        return fleet.hosts();
    }

    /** New connections to the master's :6443 so far (the SYN counter in its namespace). */
    long connections(FleetHost master) {
        String out = fleet.exec(master.hostname(), "iptables", "-L", "INPUT", "-v", "-x", "-n").orThrow().stdout();
        return out.lines().filter(l -> l.contains("dpt:6443") && l.contains("flags:0x17/0x02"))
                .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[0])).findFirst()
                .orElseThrow(() -> new IllegalStateException("no SYN counter on " + master.hostname() + ": " + out));
    }

    /**
     * Drops every packet to the master's :6443 (a link cut as its peers see it: no answer, no RST).
     *
     * @return when (epoch ms, the host's clock: the machine's) the rule went in
     */
    long cut(FleetHost master) {
        return timed(master, "iptables -I INPUT " + CUT_RULE);
    }

    /** SIGKILLs the master's apiserver stand-in (the fleet's own stop); returns when (epoch ms) it began. */
    long killApiserver(FleetHost master) {
        return timed(master, "/usr/local/sbin/epiphany-apiserver-standin stop");
    }

    private long timed(FleetHost host, String command) {
        String out = fleet.exec(Duration.ofSeconds(30), host.hostname(), "bash", "-c",
                "t=$(date +%s%3N); " + command + " && echo $t").orThrow().stdout().trim();
        return Long.parseLong(out.lines().reduce((a, b) -> b).orElseThrow());
    }

    void heal(FleetHost master) {
        iptables(fleet, master, "-D", CUT_RULE);
    }

    /** Writes {@code config} on every host of {@code hosts} and restarts HAProxy there, 8 hosts at a time. */
    void haproxy(List<FleetHost> hosts, String config) {
        parallel(hosts, h -> fleet.exec(h.hostname(), "bash", "-c",
                "cat > /etc/haproxy/haproxy.cfg <<'EOF'\n" + config + "EOF\n"
                        + "systemctl stop haproxy && systemctl enable --now haproxy").orThrow());
    }

    void stopHaproxy(List<FleetHost> hosts) {
        parallel(hosts, h -> fleet.exec(h.hostname(), "systemctl", "stop", "haproxy").orThrow());
    }

    void parallel(List<FleetHost> hosts, Consumer<FleetHost> action) {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (FleetHost h : hosts) {
                futures.add(pool.submit(() -> action.accept(h)));
            }
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } catch (Exception e) {
            throw new IllegalStateException("on the fleet: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static ProcessRun.Result iptables(RealOsFleet fleet, FleetHost host, String op, String rule) {
        List<String> line = new ArrayList<>(List.of("iptables", op, "INPUT"));
        line.addAll(List.of(rule.split(" ")));
        return fleet.exec(Duration.ofSeconds(30), host.hostname(), line.toArray(String[]::new)).orThrow();
    }

    @Override
    public void close() {
        fleet.close();
    }
}
