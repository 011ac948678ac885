package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.testkit.CountingRemoteAccess;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: round trips per host on a converged SIMULATED cluster (3 masters, 1 node), counted by
 * {@link CountingRemoteAccess}, so a regression shows as a number. Before the facts went into one script, gathering
 * them cost each master 25 execs and 33 SFTP reads, each node 23 and 13; a no-op re-apply 27 + 33 and 25 + 13.
 */
class RoundTripsTest {
    /** The cluster-wide reads through the first master: nodes, kubeadm-config, DaemonSets, etcd members and health. */
    private static final int CLUSTER_READS = 9;
    private static FleetFixture f;
    private static Cluster c;
    private static CountingRemoteAccess counting;

    @BeforeAll
    static void converge() {
        f = new FleetFixture(3, 1);
        c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1"));
        c.apply(f.options());
        counting = CountingRemoteAccess.wrap(f.access);
    }

    @AfterAll
    static void close() {
        f.close();
    }

    @Test
    void factsCostOneExecPerHostAndOneFileReadPerMasterForTheEncryptionKeys() {
        counting.reset();
        Facts facts = new FactsGatherer(c, new Hosts(c, counting), c.machines()).gather();
        System.out.println("[round-trips] facts: " + counting.traffic());
        assertThat(facts.hosts().values()).allMatch(HostFacts::reachable);
        assertThat(c.encryption().enabled()).as("the encryption config is the one file read apart").isTrue();
        for (String m : List.of("m2", "m3")) {
            assertThat(counting.traffic(m)).as(m).extracting(CountingRemoteAccess.Traffic::execs,
                    CountingRemoteAccess.Traffic::sftp).containsExactly(1L, 1L);
        }
        assertThat(counting.traffic("m1").execs()).isEqualTo(1 + CLUSTER_READS);
        assertThat(counting.traffic("n1")).extracting(CountingRemoteAccess.Traffic::execs,
                CountingRemoteAccess.Traffic::sftp).containsExactly(1L, 0L);
    }

    @Test
    void aNoOpReapplyAsksNothingTheFactsAlreadyAnswered() {
        counting.reset();
        var r = c.apply(f.optionsBuilder().remoteAccess(counting).build());
        System.out.println("[round-trips] no-op re-apply: " + counting.traffic());
        assertThat(r.unchanged()).isTrue();
        assertThat(r.verified()).contains("etcd members = masters [m1, m2, m3], all healthy");
        for (String h : List.of("m2", "m3", "n1")) {
            assertThat(counting.traffic(h).execs()).as(h).isEqualTo(1);
        }
        // the facts, and CoreDNS (not a fact) through the first master
        assertThat(counting.traffic("m1").execs()).isEqualTo(1 + CLUSTER_READS + 1);
    }

    @Test
    void theScriptPrintsNoKeyOfAMaster() throws Exception {
        Machine m2 = c.machine("m2").orElseThrow();
        var host = f.access.host(m2, c.ssh());
        FactsScript s = new FactsScript();
        CertificateFiles.queries(c, s);
        KubePaths.sharedConfigFiles(c).forEach(s::sha256);
        String out = host.run(s.toCommand()).orThrow().stdout();
        assertThat(out).contains(CertificateFiles.CERTIFICATE_DATA).contains("BEGIN CERTIFICATE")
                .doesNotContain("PRIVATE KEY").doesNotContain("client-key-data");
        String encryption = new String(host.read(c.encryption().configFile()).orElseThrow());
        List<String> secrets = EncryptionKeys.material(encryption.getBytes()).values().stream()
                .map(io.epiphany.api.Secret::reveal).toList();
        assertThat(secrets).isNotEmpty();
        for (String secret : secrets) {
            assertThat(out).doesNotContain(secret);
        }
        assertThat(f.fleet.host("m2").processes().commandLines()).noneMatch(l -> l.contains("BEGIN"));
    }
}
