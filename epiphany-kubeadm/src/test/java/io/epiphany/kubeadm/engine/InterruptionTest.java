package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import io.epiphany.testkit.SimulatedHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * An interrupted apply stops at once with an {@link ApplyException} saying so and what was and was not done, leaves
 * the thread's interrupt flag set, releases the cluster lock, and the next apply converges (issue 10 #7). The
 * applying thread is interrupted when a given program starts on a given host, at 12 points across creating the
 * cluster, adding a master, removing a node and adding it again.
 */
@SimulatedFleetTest
class InterruptionTest {
    private static final String KUBECTL = "kubectl --kubeconfig /etc/kubernetes/admin.conf ";

    @Test
    void anApplyInterruptedAtTwelvePointsStopsSaysSoKeepsTheFlagAndTheNextApplyConverges(
            @Fleet(masters = 2, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) throws Exception {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster create = f.cluster(List.of("m1"), List.of("n1"));
            interrupt(f, create, "m1", "mkdir /var/lib/epiphany/lock"); // while the lock is taken
            interrupt(f, create, "n1", "date +%s"); // reading the facts
            interrupt(f, create, "n1", "haproxy -c");
            interrupt(f, create, "m1", "kubeadm init");
            interrupt(f, create, "m1", KUBECTL + "apply"); // the CNI
            interrupt(f, create, "n1", "kubeadm join");
            interrupt(f, create, "m1", KUBECTL + "get deployment coredns"); // Verify
            converges(f, create);

            Cluster grow = f.all;
            interrupt(f, grow, "m1", KUBECTL + "create -f"); // the bootstrap token's Secret
            interrupt(f, grow, "m2", "kubeadm join");
            converges(f, grow);
            assertThat(f.etcdMembers("m1")).containsExactly("m1", "m2");

            Cluster shrink = f.all.toBuilder().nodes(List.of()).build();
            interrupt(f, shrink, "m1", KUBECTL + "drain");
            interrupt(f, shrink, "n1", "kubeadm reset");
            converges(f, shrink);
            assertThat(f.nodes("m1")).containsExactly("m1", "m2");

            interrupt(f, grow, "m1", "kubeadm token delete"); // n1 joined again, its token deleted
            converges(f, grow);
        }
    }

    /**
     * Applies {@code c}, interrupting this thread when {@code program} starts on {@code host}; asserts the failure,
     * the flag, and that nothing was changed after the interrupt (no kubeadm or kubectl that changes state started).
     */
    private static void interrupt(FleetFixture f, Cluster c, String host, String program) throws Exception {
        Thread applying = Thread.currentThread();
        AtomicBoolean fired = new AtomicBoolean();
        List<String> after = Collections.synchronizedList(new ArrayList<>());
        for (SimulatedHost h : f.fleet.hosts()) {
            h.processes().onProgram(words -> {
                String line = String.join(" ", words);
                if (h.hostname().equals(host) && line.startsWith(program) && fired.compareAndSet(false, true)) {
                    applying.interrupt();
                } else if (fired.get()) {
                    after.add(h.hostname() + ": " + line);
                }
            });
        }
        ApplyException e;
        try {
            e = org.junit.jupiter.api.Assertions.assertThrows(ApplyException.class, () -> c.apply(f.options()),
                    "interrupted at `" + program + "` on " + host);
            assertThat(fired).as("`" + program + "` started on " + host).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt flag after `" + program + "`")
                    .isTrue();
        } finally {
            Thread.interrupted();
            f.fleet.hosts().forEach(h -> h.processes().removeHooks());
        }
        assertThat(e.getMessage()).as(program).contains("interrupted (Thread.interrupt)");
        assertThat(e.completed().size() + e.notDone().size()).as("what was and was not done: " + e.getMessage())
                .isPositive();
        List<String> changes;
        synchronized (after) {
            // read-only: versions, gets, and the image list a facts script already running asks for
            changes = after.stream().filter(l -> (l.contains(": kubeadm ") || l.contains(": kubectl "))
                    && !l.contains(" version") && !l.contains(" get ") && !l.contains(": kubeadm config images list"))
                    .toList();
        }
        assertThat(changes).as("changes started after the interrupt at `" + program + "`").isEmpty();
        for (SimulatedHost h : f.fleet.hosts()) {
            // a command the SDK stopped waiting for goes on on its host, as on a real one
            assertThat(h.processes().awaitIdle(Duration.ofMinutes(1))).as(h.hostname() + " idle").isTrue();
        }
    }

    private static void converges(FleetFixture f, Cluster c) {
        c.apply(f.options());
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(c.plan(f.options()).isEmpty()).as("converged after the interrupted applies").isTrue();
    }
}
