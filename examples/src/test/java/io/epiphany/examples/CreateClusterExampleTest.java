package io.epiphany.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CreateClusterExampleTest {
    @Test
    void bringsUpFiveMachinesPrintsTheServerAndReappliesNothing() throws java.io.IOException {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            CreateClusterExample.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("==> Join masters", "==> Labels and taints",
                "label [workload=web, topology.kubernetes.io/zone=a]", "verified: 5 Nodes Ready",
                "kubeconfig server: https://localhost:3446 (on the cluster's machines); from outside: "
                        + "https://10.10.1.148:6443",
                "re-apply: no changes");
    }
}
