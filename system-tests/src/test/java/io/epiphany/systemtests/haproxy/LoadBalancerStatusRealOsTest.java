package io.epiphany.systemtests.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.LoadBalancerStatus;
import io.epiphany.api.LoadBalancerStatus.Kind;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.haproxy.HaproxyConfig;
import io.epiphany.haproxy.HaproxyService;
import io.epiphany.systemtests.SystemAssumptions;
import io.epiphany.systemtests.fleet.FleetHost;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster.loadBalancers()} against REAL HAProxy on every host of a real-OS fleet (over REAL OpenSSH, REAL
 * socat): a healthy table, then a partition between one node and one master (every packet from that node to the
 * master's :6443 dropped in the node's namespace; live requests on that node take the master out there) and a node
 * whose HAProxy is stopped, each flagged.
 */
class LoadBalancerStatusRealOsTest {
    @Test
    void flagsAPartitionAndAStoppedHaproxy() throws Exception {
        SystemAssumptions.assumeRealOsFleet();
        try (LbFleet lb = LbFleet.start(2, 2); RemoteAccess access = RemoteAccess.load()) {
            SshSettings ssh = lb.fleet.sshSettings();
            Cluster cluster = Cluster.builder().name("lb").allowEvenMasters(true).ssh(ssh)
                    .masters(machines(lb.masters)).nodes(machines(lb.nodes)).build();
            // what the engine writes today (rendered for the oldest supported HAProxy, valid on this one)
            String config = HaproxyConfig.render(cluster, cluster.masters());
            lb.parallel(lb.all(), h -> new HaproxyService(access.host(cluster.machine(h.hostname()).orElseThrow(),
                    ssh)).configure(config, false));
            ApplyOptions options = ApplyOptions.builder().remoteAccess(access).build();

            LoadBalancerStatus healthy = cluster.loadBalancers(options);
            assertThat(healthy.flags()).as(healthy.table()).isEmpty();
            assertThat(healthy.hosts()).hasSize(4).allSatisfy(h -> assertThat(h.servers()).hasSize(2));

            FleetHost m1 = lb.masters.get(0);
            FleetHost n1 = lb.nodes.get(0);
            lb.fleet.exec(n1.hostname(), "iptables", "-I", "OUTPUT", "-p", "tcp", "-d", m1.ip(), "--dport", "6443",
                    "-j", "DROP").orThrow();
            try (RequestStream requests = RequestStream.start(lb.fleet, n1.hostname(), 30)) {
                Thread.sleep(4000); // two failed connects in a row (1 s each) take m1 out on n1
            }
            lb.fleet.exec(lb.nodes.get(1).hostname(), "systemctl", "stop", "haproxy").orThrow();

            LoadBalancerStatus partitioned = cluster.loadBalancers(options);
            assertThat(partitioned.flags()).as(partitioned.table())
                    .extracting(LoadBalancerStatus.Flag::kind, LoadBalancerStatus.Flag::subject)
                    .containsExactlyInAnyOrder(tuple(Kind.DOWN_ON_SOME_HOSTS, "m1"),
                            tuple(Kind.NOT_RUNNING, lb.nodes.get(1).hostname()));
            assertThat(partitioned.table()).contains("DOWN");
            LoadBalancerBenchmark.record("lb status | partition n1 -x- m1, HAProxy stopped on n2:\n"
                    + partitioned.table());
        }
    }

    private static List<Machine> machines(List<FleetHost> hosts) {
        return hosts.stream().map(h -> Machine.of(h.hostname(), h.ip())).toList();
    }
}
