package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.Plan;
import io.epiphany.testkit.SimulatedFleet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApplySmokeTest {
    @Test
    void seedTopology() {
        Cluster model = Cluster.builder().name("k8s1")
                .masters(Machine.of("k1m1", "10.10.1.148"), Machine.of("k1m2", "10.10.2.129"), Machine.of("k1m3", "10.10.3.16"))
                .nodes(Machine.of("k1c1", "10.10.1.208"), Machine.of("k1c2", "10.10.2.168")).build();
        try (SimulatedFleet fleet = SimulatedFleet.start(model.machines())) {
            List<Machine> ms = fleet.machines();
            Cluster c = model.toBuilder().masters(ms.subList(0, 3)).nodes(ms.subList(3, 5)).ssh(fleet.sshSettings()).build();
            List<String> events = new ArrayList<>();
            ApplyOptions o = ApplyOptions.builder().listener(e -> { synchronized (events) { events.add(e.toString()); } }).build();
            Plan p = c.plan(o);
            System.out.println(p);
            ApplyResult r = c.apply(p, o);
            System.out.println(r);
            Plan again = c.plan(o);
            System.out.println(again);
            assertThat(again.isEmpty()).isTrue();
        }
    }
}
