package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.Cni;
import io.epiphany.api.Machine;
import io.epiphany.api.Plan;
import io.epiphany.api.ProgressEvent;
import io.epiphany.api.ProgressListener;
import io.epiphany.testkit.SimulatedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's closed simulated network, used as a user would: the fleet's cluster and options without
 * {@code knownMachines}. Machines that leave the description are found through etcd members and Nodes' InternalIPs
 * (their modelled addresses) and reached in the process through the fleet's address book; any other address is
 * refused at once.
 */
class ClosedNetworkTest {
    @TempDir
    Path dir;

    @Test
    void aScaleDownReachesTheRetiredMasterAndNodeThroughTheAddressBookAndAnOutsideAddressIsRefusedAtOnce() {
        Cluster described = Cluster.builder().name("k8s1").allowEvenMasters(true)
                .addMaster(Machine.of("m1", "10.30.1.11")).addMaster(Machine.of("m2", "10.30.1.12"))
                .addNode(Machine.of("n1", "10.30.2.11")).build();
        try (SimulatedFleet fleet = SimulatedFleet.start(described)) {
            Cluster all = fleet.cluster().toBuilder().cni(Cni.manifest(SimulatedFleet.cniManifest(dir))).build();
            List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
            ApplyOptions options = ApplyOptions.builder().listener(ProgressListener.of(events::add))
                    .healthTimeout(Duration.ofSeconds(30)).build();
            all.apply(options);

            Cluster one = all.toBuilder().allowEvenMasters(false).masters(List.of(all.masters().get(0)))
                    .nodes(List.of()).build();
            fleet.hosts().forEach(h -> h.resetCounters());
            Plan shrink = one.plan(options);
            assertThat(shrink.toString()).contains("m2").contains("n1: drain, kubeadm reset -f");
            one.apply(shrink, options);
            assertThat(fleet.host("m2").stateChangingCommandCount()).as("m2 reset in the process").isPositive();
            assertThat(fleet.host("m2").root().resolve("etc/kubernetes/admin.conf")).doesNotExist();
            assertThat(fleet.host("n1").root().resolve("etc/kubernetes/kubelet.conf")).doesNotExist();
            assertThat(fleet.etcdMembers()).extracting(m -> m.name()).containsExactly("m1");
            assertThat(fleet.nodes()).extracting(n -> n.name()).containsExactly("m1");
            assertThat(one.plan(options).isEmpty()).as("converged").isTrue();

            Machine outside = one.masters().get(0).withSshAddress("192.0.2.10").withSshPort(22);
            Cluster pointedOut = one.toBuilder().masters(List.of(outside)).build();
            events.clear();
            long started = System.nanoTime();
            assertThatThrownBy(() -> pointedOut.plan(options)).hasMessageContaining(
                    "cannot connect to 192.0.2.10:22: 192.0.2.10:22 is not part of the simulated fleet's closed "
                            + "network").hasMessageNotContaining("attempts");
            System.out.printf("closed network refusal in a plan after %d ms%n",
                    (System.nanoTime() - started) / 1_000_000);
        }
    }
}
