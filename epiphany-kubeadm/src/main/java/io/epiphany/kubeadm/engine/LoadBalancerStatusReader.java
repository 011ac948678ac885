package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.Finding;
import io.epiphany.api.LoadBalancerStatus;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.haproxy.HaproxyConfig;
import io.epiphany.haproxy.HaproxyServerState;
import io.epiphany.haproxy.HaproxyService;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link Cluster#loadBalancers()}: every host's HAProxy read in parallel (at most {@code ssh.concurrency} hosts at a
 * time), read-only: one runtime-API {@code show stat} and one read of {@code haproxy.cfg} per host, compared with the
 * configuration the description renders.
 */
public final class LoadBalancerStatusReader {
    private LoadBalancerStatusReader() {}

    public static LoadBalancerStatus read(Cluster cluster, ApplyOptions options) {
        if (cluster.loadBalancer().isExternal()) {
            throw new IllegalArgumentException("cluster '" + cluster.name() + "' uses the external load balancer "
                    + cluster.loadBalancer().endpoint() + ": there is no HAProxy on its hosts to read");
        }
        if (options.remoteAccess().isPresent()) {
            return read(cluster, options.remoteAccess().get());
        }
        try (RemoteAccess access = RemoteAccess.load()) {
            return read(cluster, access);
        }
    }

    private static LoadBalancerStatus read(Cluster cluster, RemoteAccess access) {
        String expectedSha = FactsGatherer.sha256(HaproxyConfig.render(cluster, cluster.masters())
                .getBytes(StandardCharsets.UTF_8));
        Hosts hosts = new Hosts(cluster, access);
        var outcomes = Parallel.map(cluster.machines(), cluster.ssh().concurrency(),
                m -> host(m, hosts.get(m), expectedSha));
        List<LoadBalancerStatus.Host> rows = new ArrayList<>();
        for (var o : outcomes) {
            rows.add(o.ok() ? o.value() : LoadBalancerStatus.Host.unreadable(o.item().hostname(),
                    String.valueOf(o.error().getMessage())));
        }
        List<String> described = cluster.masters().stream()
                .map(m -> m.hostname() + " " + address(m.ip())).toList();
        return LoadBalancerStatus.of(rows, described);
    }

    private static LoadBalancerStatus.Host host(Machine m, RemoteHost h, String expectedSha) {
        Optional<String> sha = h.read(HaproxyService.CONFIG_PATH).map(FactsGatherer::sha256);
        List<HaproxyServerState> servers;
        try {
            servers = new HaproxyService(h).servers();
        } catch (IllegalStateException notRunning) {
            return new LoadBalancerStatus.Host(m.hostname(), false, Optional.of(notRunning.getMessage()), sha,
                    sha.map(expectedSha::equals).orElse(false), List.of());
        }
        return row(m, sha, expectedSha, servers);
    }

    /**
     * What plan() reports of the load balancers beyond the configuration (which the Load balancers phase rewrites):
     * masters that some or all hosts' HAProxy see DOWN, from the runtime-API read of the facts.
     */
    static List<Finding> downFindings(Cluster cluster, Facts facts) {
        if (cluster.loadBalancer().isExternal()) {
            return List.of();
        }
        List<LoadBalancerStatus.Host> rows = new ArrayList<>();
        for (Machine m : cluster.machines()) {
            HostFacts f = facts.host(m);
            if (!f.balancerServers().isEmpty()) {
                rows.add(row(m, f.haproxyConfigSha256(), "", f.balancerServers()));
            }
        }
        List<String> described = cluster.masters().stream().map(m -> m.hostname() + " " + address(m.ip())).toList();
        List<Finding> out = new ArrayList<>();
        for (LoadBalancerStatus.Flag flag : LoadBalancerStatus.of(rows, described).flags()) {
            if (flag.kind() == LoadBalancerStatus.Kind.DOWN_ON_SOME_HOSTS) {
                out.add(Finding.of(flag.subject(), flag.message(), "check the network from those hosts to "
                        + flag.subject() + ":" + HaproxyConfig.API_SERVER_PORT + " (routes, firewalls); `epiphany lb "
                        + "status` shows each host's last check"));
            } else if (flag.kind() == LoadBalancerStatus.Kind.DOWN_ON_EVERY_HOST) {
                out.add(Finding.of(flag.subject(), flag.message(), "no host sends it requests: see its other "
                        + "findings, or `crictl ps --name kube-apiserver` and the kubelet's journal on it"));
            }
        }
        return out;
    }

    private static LoadBalancerStatus.Host row(Machine m, Optional<String> sha, String expectedSha,
            List<HaproxyServerState> servers) {
        List<LoadBalancerStatus.Server> rows = servers.stream()
                .filter(s -> s.backend().equals(HaproxyConfig.BACKEND))
                .map(s -> new LoadBalancerStatus.Server(s.server(), s.address(), s.status(), s.lastCheck(),
                        s.lastCheckMillis(), s.sessions(), s.weight())).toList();
        return new LoadBalancerStatus.Host(m.hostname(), true, Optional.empty(), sha,
                sha.map(expectedSha::equals).orElse(false), rows);
    }

    /** As HAProxy prints a server's address: {@code ip:port}, an IPv6 address in brackets. */
    private static String address(String ip) {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + HaproxyConfig.API_SERVER_PORT;
    }
}
