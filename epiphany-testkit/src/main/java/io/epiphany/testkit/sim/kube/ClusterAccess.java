package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.HaproxyConfig;
import io.epiphany.testkit.sim.SimulationState;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * How a SIMULATED host reaches the API: through its own haproxy on {@code localhost:3446} or straight to a master's
 * {@code :6443}, and whether what answers is healthy (apiserver up, etcd quorum).
 */
public final class ClusterAccess {
    /** Where a request to an API URL ends up. */
    public sealed interface Route permits Refused, NoBackend, Apiserver, Unready {}

    /** Nothing listens: curl exit 7, Go's "connect: connection refused". */
    public record Refused(String hostPort) implements Route {}

    /** haproxy answered but has no live server: HTTP 503. */
    public record NoBackend() implements Route {}

    /** An apiserver on {@code host} answered. */
    public record Apiserver(String host) implements Route {}

    /**
     * The apiserver on {@code host} runs but its etcd ({@code --etcd-servers=https://127.0.0.1:2379}, its own member)
     * does not: {@code /readyz} fails and requests time out.
     */
    public record Unready(String host) implements Route {}

    private ClusterAccess() {}

    /** Routes a request from {@code fromHost} to {@code url} ({@code https://host:port/...}). */
    public static Route route(SimulationState s, String fromHost, String url) {
        URI uri = URI.create(url.contains("://") ? url : "https://" + url);
        String host = uri.getHost() == null ? "" : uri.getHost();
        int port = uri.getPort() < 0 ? 443 : uri.getPort();
        String hostPort = host + ":" + port;
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1");
        String target = loopback ? fromHost : hostByIp(s, host).orElse(null);
        if (target == null) {
            return new Refused(hostPort);
        }
        SimulationState.Host h = s.hosts.get(target);
        if (!reachable(s, fromHost, target)) {
            return new Refused(hostPort);
        }
        if (port == 6443) {
            return apiserverUp(s, target) ? new Apiserver(target)
                    : apiserverRunning(s, target) ? new Unready(target) : new Refused(hostPort);
        }
        if (!h.up || !h.active.contains("haproxy") || h.haproxyConfig == null) {
            return new Refused(hostPort);
        }
        Optional<List<String>> servers = HaproxyConfig.parse(h.haproxyConfig).serversForLoopbackPort(port);
        if (servers.isEmpty() || !loopback) {
            return new Refused(hostPort);
        }
        for (String server : servers.get()) {
            int colon = server.lastIndexOf(':');
            String ip = colon < 0 ? server : server.substring(0, colon);
            if (colon < 0 || !server.substring(colon + 1).equals("6443")) {
                continue;
            }
            Optional<String> backend = ip.equals("127.0.0.1") ? Optional.of(target) : hostByIp(s, ip);
            if (backend.isPresent() && reachable(s, fromHost, backend.get()) && apiserverUp(s, backend.get())) {
                return new Apiserver(backend.get());
            }
        }
        return new NoBackend();
    }

    /** Whether {@code from}'s packets reach {@code to}: not across a link a test cut. */
    public static boolean reachable(SimulationState s, String from, String to) {
        SimulationState.Host h = s.hosts.get(from);
        return h == null || !h.cutLinks.contains(to);
    }

    public static Optional<String> hostByIp(SimulationState s, String ip) {
        return s.hosts.entrySet().stream().filter(e -> ip.equals(e.getValue().ip)).map(e -> e.getKey()).findFirst();
    }

    /** The host's apiserver process runs: it started with every file its flags name. */
    public static boolean apiserverRunning(SimulationState s, String host) {
        SimulationState.Host h = s.hosts.get(host);
        return s.kube != null && h != null && h.up && h.controlPlaneRunning && h.apiserverHealthy;
    }

    /** The host's apiserver runs and is ready: its local etcd member (its only {@code --etcd-servers}) runs too. */
    public static boolean apiserverUp(SimulationState s, String host) {
        return apiserverRunning(s, host) && etcdContainerRunning(s, host);
    }

    /** The host's etcd static pod runs: the host is up, its kubelet started the static pods, etcd did not stop. */
    public static boolean etcdContainerRunning(SimulationState s, String host) {
        SimulationState.Host h = s.hosts.get(host);
        return s.kube != null && h != null && h.up && h.controlPlaneRunning && !h.etcdStopped;
    }

    /** The member's etcd runs on its host. */
    public static boolean memberRunning(SimulationState s, SimulationState.Member m) {
        return etcdContainerRunning(s, m.host);
    }

    /** More than half of the voting members run. */
    public static boolean quorum(SimulationState s) {
        if (s.kube == null) {
            return false;
        }
        List<SimulationState.Member> voters = s.kube.members.stream().filter(m -> !m.learner).toList();
        long running = voters.stream().filter(m -> memberRunning(s, m)).count();
        return !voters.isEmpty() && running > voters.size() / 2;
    }

    /**
     * The Go-client error text for a request that did not get an answer from a healthy apiserver, or empty when the
     * API works. {@code what} is the request's URL, as kubeadm and kubectl print it.
     */
    public static Optional<String> apiError(SimulationState s, Route route, String what) {
        if (route instanceof Refused r) {
            return Optional.of("Get \"" + what + "\": dial tcp " + loopbackAddress(r.hostPort())
                    + ": connect: connection refused");
        }
        if (route instanceof NoBackend) {
            return Optional.of("the server is currently unable to handle the request");
        }
        if (route instanceof Unready) {
            // kube-apiserver's 504 when its storage does not answer (k8s.io/apimachinery StatusReasonTimeout)
            return Optional.of("(Timeout): the server was unable to return a response in the time allotted, but may "
                    + "still be processing the request");
        }
        if (!quorum(s)) {
            return Optional.of("etcdserver: request timed out");
        }
        return Optional.empty();
    }

    /** Re-elects a leader when the current one is gone or stopped: the first running voter. */
    public static void electLeader(SimulationState s) {
        SimulationState.Kube k = s.kube;
        boolean leaderOk = k.members.stream()
                .anyMatch(m -> m.id.equals(k.leaderId) && !m.learner && memberRunning(s, m));
        if (leaderOk || !quorum(s)) {
            return;
        }
        k.members.stream().filter(m -> !m.learner && memberRunning(s, m)).findFirst().ifPresent(m -> {
            k.leaderId = m.id;
            k.raftTerm++;
        });
    }

    private static String loopbackAddress(String hostPort) {
        return hostPort.startsWith("localhost:") ? "127.0.0.1" + hostPort.substring("localhost".length())
                : hostPort;
    }
}
