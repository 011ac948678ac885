package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.testkit.CountingRemoteAccess;
import java.util.List;

/**
 * Issue 16: round trips per host on a converged SIMULATED cluster (3 masters, encryption at rest on), counted by
 * {@link CountingRemoteAccess}, so a regression shows as a number; run on the fleet {@link CreateClusterTest} already
 * converged. Before the facts went into one script, gathering them cost each master 25 execs and 33 SFTP reads, each
 * node 23 and 13; a no-op re-apply 27 + 33 and 25 + 13.
 */
final class RoundTrips {
    /**
     * The cluster-wide reads through the first master: Nodes, kubeadm-config, DaemonSets, CoreDNS's Deployment, etcd
     * member list, endpoint health and status (in the etcd container the facts found: before, each etcdctl call
     * looked it up again). All but the Nodes are in flight together.
     */
    private static final int CLUSTER_READS = 7;

    private RoundTrips() {}

    /** Facts, a no-op re-apply and the script's output on a second master; {@code c}'s first master is m1. */
    static void check(FleetFixture f, Cluster c) {
        CountingRemoteAccess counting = CountingRemoteAccess.wrap(f.access);
        factsCostOneExecPerHostAndOneFileReadPerMasterForTheEncryptionKeys(counting, c);
        aNoOpReapplyAsksNothingTheFactsAlreadyAnswered(counting, f, c);
        theScriptPrintsNoKeyOfAMaster(f, c, c.masters().get(1));
    }

    private static void factsCostOneExecPerHostAndOneFileReadPerMasterForTheEncryptionKeys(
            CountingRemoteAccess counting, Cluster c) {
        counting.reset();
        Facts facts = new FactsGatherer(c, new Hosts(c, counting), c.machines()).gather();
        System.out.println("[round-trips] facts: " + counting.traffic());
        assertThat(facts.hosts().values()).allMatch(HostFacts::reachable);
        assertThat(c.encryption().enabled()).as("the encryption config is the one file read apart").isTrue();
        for (Machine m : c.masters().subList(1, c.masters().size())) {
            assertThat(counting.traffic(m.hostname())).as(m.hostname()).extracting(
                    CountingRemoteAccess.Traffic::execs, CountingRemoteAccess.Traffic::sftp).containsExactly(1L, 1L);
        }
        assertThat(counting.traffic(c.masters().get(0).hostname()).execs()).isEqualTo(1 + CLUSTER_READS);
        for (Machine n : c.nodes()) {
            assertThat(counting.traffic(n.hostname())).as(n.hostname()).extracting(
                    CountingRemoteAccess.Traffic::execs, CountingRemoteAccess.Traffic::sftp).containsExactly(1L, 0L);
        }
    }

    private static void aNoOpReapplyAsksNothingTheFactsAlreadyAnswered(CountingRemoteAccess counting, FleetFixture f,
            Cluster c) {
        counting.reset();
        var r = c.apply(f.optionsBuilder().remoteAccess(counting).build());
        System.out.println("[round-trips] no-op re-apply: " + counting.traffic());
        assertThat(r.unchanged()).isTrue();
        assertThat(r.verified()).anyMatch(v -> v.startsWith("etcd members = masters") && v.endsWith("all healthy"))
                .contains("CoreDNS ready");
        for (Machine m : c.machines().subList(1, c.machines().size())) {
            assertThat(counting.traffic(m.hostname()).execs()).as(m.hostname()).isEqualTo(1);
        }
        // the facts answer everything verification asks, CoreDNS included: nothing after the phases
        assertThat(counting.traffic(c.masters().get(0).hostname()).execs()).isEqualTo(1 + CLUSTER_READS);
    }

    private static void theScriptPrintsNoKeyOfAMaster(FleetFixture f, Cluster c, Machine master) {
        var host = f.access.host(master, c.ssh());
        FactsScript s = new FactsScript();
        CertificateFiles.queries(c, s);
        KubePaths.sharedConfigFiles(c).forEach(s::sha256);
        String out = host.run(s.toCommand()).orThrow().stdout();
        assertThat(out).contains(CertificateFiles.CERTIFICATE_DATA).contains("BEGIN CERTIFICATE")
                .doesNotContain("PRIVATE KEY").doesNotContain("client-key-data");
        byte[] encryption = host.read(c.encryption().configFile()).orElseThrow();
        List<String> secrets = EncryptionKeys.material(encryption).values().stream()
                .map(io.epiphany.api.Secret::reveal).toList();
        assertThat(secrets).isNotEmpty();
        for (String secret : secrets) {
            assertThat(out).doesNotContain(secret);
        }
        assertThat(f.fleet.host(master.hostname()).processes().commandLines()).noneMatch(l -> l.contains("BEGIN"));
    }
}
