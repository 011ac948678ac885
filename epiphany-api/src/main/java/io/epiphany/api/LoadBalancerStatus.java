package io.epiphany.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every host's HAProxy in one table, host by backend server, as {@link Cluster#loadBalancers()} read it through each
 * host's runtime API, with what disagrees flagged: a host whose HAProxy is not running, a host whose backends or
 * configuration differ from the description, a master down on some hosts only (a network partition between them) or
 * on every host (the master itself).
 */
public final class LoadBalancerStatus {
    /** One backend server as one host's HAProxy sees it (see {@code io.epiphany.haproxy.HaproxyServerState}). */
    public record Server(String name, String address, String status, String lastCheck, OptionalLong lastCheckMillis,
                         long sessions, int weight) {
        /** HAProxy has taken it out ({@code DOWN}, after failed checks or failed live connections). */
        public boolean down() {
            return status.startsWith("DOWN");
        }

        /** New connections go to it. */
        public boolean takesTraffic() {
            return status.startsWith("UP") && weight > 0;
        }
    }

    /**
     * One host: its HAProxy's servers, or why they could not be read.
     *
     * @param configAsDescribed the live {@code haproxy.cfg} is the one the description renders
     */
    public record Host(String host, boolean running, Optional<String> problem, Optional<String> configSha256,
                       boolean configAsDescribed, List<Server> servers) {
        public Host {
            servers = List.copyOf(servers);
        }

        /** A host whose HAProxy could not be read (not running, no runtime socket, unreachable). */
        public static Host unreadable(String host, String problem) {
            return new Host(host, false, Optional.of(problem), Optional.empty(), false, List.of());
        }

        public Optional<Server> server(String name) {
            return servers.stream().filter(s -> s.name().equals(name)).findFirst();
        }
    }

    /** What is wrong, and on which host or master. */
    public enum Kind { NOT_RUNNING, BACKENDS_DIFFER, CONFIG_DIFFERS, DOWN_ON_SOME_HOSTS, DOWN_ON_EVERY_HOST }

    /** One flagged disagreement. */
    public record Flag(Kind kind, String subject, String message) {}

    private final List<Host> hosts;
    private final List<String> described;
    private final List<Flag> flags;

    private LoadBalancerStatus(List<Host> hosts, List<String> described) {
        this.hosts = List.copyOf(hosts);
        this.described = List.copyOf(described);
        this.flags = List.copyOf(computeFlags());
    }

    /** The status of {@code hosts}; {@code describedServers} are the description's masters, {@code host ip:port}. */
    public static LoadBalancerStatus of(List<Host> hosts, List<String> describedServers) {
        return new LoadBalancerStatus(hosts, describedServers);
    }

    public List<Host> hosts() {
        return hosts;
    }

    public List<Flag> flags() {
        return flags;
    }

    /** No flag: every host's HAProxy runs the described configuration and sees every master up. */
    public boolean healthy() {
        return flags.isEmpty();
    }

    private List<Flag> computeFlags() {
        List<Flag> out = new ArrayList<>();
        Set<String> describedNames = new LinkedHashSet<>();
        for (String d : described) {
            describedNames.add(d.split(" ")[0]);
        }
        Map<String, List<String>> downOn = new LinkedHashMap<>();
        Map<String, List<String>> seenOn = new LinkedHashMap<>();
        for (Host h : hosts) {
            if (!h.running()) {
                out.add(new Flag(Kind.NOT_RUNNING, h.host(), h.host() + ": HAProxy is not running or does not answer"
                        + h.problem().map(p -> " (" + p + ")").orElse("") + "; apply starts it"));
                continue;
            }
            Set<String> actual = new TreeSet<>();
            Set<String> expected = new TreeSet<>(described);
            for (Server s : h.servers()) {
                // a row without an address (HAProxy before 2.0, and rows seen empty from 2.6 for a server that live
                // traffic marked DOWN) is compared by name: a missing address is not a different backend
                if (s.address().isEmpty()) {
                    actual.add(s.name());
                    expected.removeIf(d -> d.split(" ")[0].equals(s.name()));
                    expected.add(s.name());
                } else {
                    actual.add(s.name() + " " + s.address());
                }
                seenOn.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(h.host());
                if (s.down()) {
                    downOn.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(h.host());
                }
            }
            if (!actual.equals(expected)) {
                out.add(new Flag(Kind.BACKENDS_DIFFER, h.host(), h.host() + ": backends " + actual
                        + " but the description has " + new TreeSet<>(described) + "; apply rewrites them"));
            } else if (!h.configAsDescribed()) {
                out.add(new Flag(Kind.CONFIG_DIFFERS, h.host(), h.host() + ": haproxy.cfg differs from the rendered one"
                        + " (a drained or disabled master, or a change by hand); apply rewrites it"));
            }
        }
        for (var e : downOn.entrySet()) {
            int seen = seenOn.get(e.getKey()).size();
            if (e.getValue().size() == seen) {
                out.add(new Flag(Kind.DOWN_ON_EVERY_HOST, e.getKey(), e.getKey() + " is DOWN on every host (" + seen
                        + "): its API server is down or unreachable from all of them"));
            } else {
                List<String> up = new ArrayList<>(seenOn.get(e.getKey()));
                up.removeAll(e.getValue());
                out.add(new Flag(Kind.DOWN_ON_SOME_HOSTS, e.getKey(), e.getKey() + " is DOWN on " + e.getValue()
                        + " but up on " + up + ": a network partition between them, or a firewall"));
            }
        }
        return out;
    }

    /** The table for a terminal: one line per host and server, then the flags. */
    public String table() {
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%-16s %-16s %-22s %-10s %-8s %8s %8s %6s%n",
                "HOST", "SERVER", "ADDRESS", "STATUS", "CHECK", "CHECK_MS", "SESSIONS", "WEIGHT"));
        for (Host h : hosts) {
            if (!h.running()) {
                t.append(String.format(Locale.ROOT, "%-16s %s%n", h.host(), "HAProxy not running"
                        + h.problem().map(p -> ": " + p).orElse("")));
            }
            for (Server s : h.servers()) {
                t.append(String.format(Locale.ROOT, "%-16s %-16s %-22s %-10s %-8s %8s %8d %6d%n", h.host(), s.name(),
                        s.address(), s.status(), s.lastCheck(), s.lastCheckMillis().isPresent()
                                ? Long.toString(s.lastCheckMillis().getAsLong()) : "-", s.sessions(), s.weight()));
            }
        }
        for (Flag f : flags) {
            t.append("! ").append(f.message()).append('\n');
        }
        return t.toString();
    }

    @Override
    public String toString() {
        return "LoadBalancerStatus[" + hosts.size() + " hosts, " + flags.size() + " flags]";
    }
}
