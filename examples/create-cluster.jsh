// Epiphany HA for Java from JShell: 3 masters + 2 nodes on an in-process SIMULATED fleet, live progress,
// the admin kubeconfig's server, and a re-apply that changes nothing. From the repository root, one command:
//   examples/jshell
// (it builds on first use, then runs jshell --class-path <examples jar and every jar of its lib/> on this file)
import io.epiphany.api.*;
import io.epiphany.testkit.SimulatedFleet;

// JShell runs a line as soon as it is a complete snippet: chained calls keep their dot at the end of the line
Cluster described = Cluster.builder().name("k8s1").
        masters(Machine.of("k1m1", "10.10.1.148"), Machine.of("k1m2", "10.10.2.129"), Machine.of("k1m3", "10.10.3.16")).
        nodes(Machine.of("k1c1", "10.10.1.208"), Machine.of("k1c2", "10.10.2.168")).
        // the simulated hosts download nothing: the test kit's own CNI manifest (real machines: Calico by default)
        cni(Cni.manifest(SimulatedFleet.cniManifest(java.nio.file.Files.createTempDirectory("cni")))).
        build();

// events come from several hosts' threads: one println each keeps lines whole
ProgressListener progress = ProgressListener.of(e -> {
    switch (e.type()) {
        case PHASE_STARTED -> System.out.println("==> " + e.phase());
        case STEP_FINISHED -> System.out.println("    ok   " + e.host().orElse("") + "  " + e.step().orElse("")
                + "  (" + e.duration().orElseThrow().toMillis() + " ms)");
        case STEP_FAILED -> System.out.println("    FAIL " + e.host().orElse("") + ": " + e.error().orElse(""));
        default -> { }
    }
});

// a block, so the fleet is closed even when apply throws (JShell prints the exception and goes on to /exit)
{
    try (SimulatedFleet fleet = SimulatedFleet.start(described)) {
        Cluster cluster = fleet.cluster();
        ApplyOptions options = ApplyOptions.builder().listener(progress).build();
        Plan plan = cluster.plan(options);
        System.out.print(plan);
        System.out.print(cluster.apply(plan, options));
        System.out.println("kubeconfig server: " + cluster.kubeconfig().server());
        System.out.println("re-apply: " + (cluster.apply(options).unchanged() ? "no changes" : "CHANGED"));
    }
}
/exit
