package io.epiphany.examples;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ProgressListener;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Cni;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Machine;
import io.epiphany.api.Plan;
import io.epiphany.api.ProgressEvent;
import io.epiphany.testkit.SimulatedFleet;

/**
 * The SDK from a plain Java program, no YAML: describe 3 masters and 2 nodes with the DSL, bring them up with live
 * progress, read the admin kubeconfig, and apply again to see that nothing changes. It runs on an in-process
 * SIMULATED fleet; on real machines, drop the fleet and call {@code cluster.apply(options)} on {@code described}
 * with your {@code SshSettings}.
 *
 * <pre>
 * java -cp 'examples/target/epiphany-examples.jar:examples/target/lib/*' io.epiphany.examples.CreateClusterExample
 * </pre>
 */
public final class CreateClusterExample {
    private CreateClusterExample() {}

    public static void main(String[] args) throws java.io.IOException {
        // the simulated machines download nothing: the pod network is the test kit's own small CNI manifest
        // (on real machines leave cni out for Calico, or pick Cni.flannel() or Cni.manifest(yourFile))
        java.nio.file.Path cni = SimulatedFleet.cniManifest(java.nio.file.Files.createTempDirectory("cni"));
        Cluster described = Cluster.builder()
                .name("k8s1")
                .masters(Machine.of("k1m1", "10.10.1.148").withZone("a"),
                        Machine.of("k1m2", "10.10.2.129").withZone("b"),
                        Machine.of("k1m3", "10.10.3.16").withZone("c"))
                .nodes(Machine.of("k1c1", "10.10.1.208").withZone("a").withLabel("workload", "web"),
                        Machine.of("k1c2", "10.10.2.168").withZone("b").withLabel("workload", "web"))
                .cni(Cni.manifest(cni))
                .build();

        // one SSH server per machine on 127.0.0.1; fleet.cluster() is `described` pointed at them
        try (SimulatedFleet fleet = SimulatedFleet.start(described)) {
            Cluster cluster = fleet.cluster();
            ApplyOptions options = ApplyOptions.builder().listener(ProgressListener.of(CreateClusterExample::print)).build();

            Plan plan = cluster.plan(options);
            System.out.print(plan);
            ApplyResult result = cluster.apply(plan, options);
            System.out.print(result);

            Kubeconfig admin = cluster.kubeconfig();
            System.out.println("kubeconfig server: " + admin.server() + " (on the cluster's machines); from outside: "
                    + admin.withServerOf(cluster.masters().get(0)).server());

            ApplyResult again = cluster.apply(options);
            System.out.println("re-apply: " + (again.unchanged() ? "no changes" : again.plan().steps().size()
                    + " changes"));
        }
    }

    /** Called from several hosts' threads at once: one println per event keeps lines whole. */
    private static void print(ProgressEvent e) {
        switch (e.type()) {
            case PHASE_STARTED -> System.out.println("==> " + e.phase());
            case STEP_FINISHED -> System.out.println("    ok   " + e.host().orElse("") + "  " + e.step().orElse("")
                    + "  (" + e.duration().orElseThrow().toMillis() + " ms)");
            case STEP_FAILED -> System.out.println("    FAIL " + e.host().orElse("") + ": " + e.error().orElse(""));
            default -> { }
        }
    }
}
