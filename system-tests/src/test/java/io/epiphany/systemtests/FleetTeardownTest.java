package io.epiphany.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.systemtests.fleet.ProcessRun;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Teardown is complete: no namespace, veth, bridge, process or state left, also after a crashed run. */
class FleetTeardownTest {

    @BeforeEach
    void prerequisites() {
        SystemAssumptions.assumeRealOsFleet();
    }

    @Test
    void closeRemovesNamespacesBridgeProcessesAndState() {
        List<Long> pids;
        try (RealOsFleet fleet = RealOsFleet.start(2)) {
            assertThat(RealOsFleetTest.netnsNames()).contains("epf-h1", "epf-h2");
            pids = processesInFleetNamespaces();
            assertThat(pids).isNotEmpty();
        }
        assertNothingLeft();
        assertThat(pids).noneMatch(FleetTeardownTest::running);
    }

    @Test
    void aFleetLeftBehindByACrashedRunIsClearedByTheNextStart() {
        // A fleet started outside any JVM and never closed, as a killed test run would leave it.
        ProcessRun.run(Duration.ofMinutes(2), List.of(RealOsFleet.script().toString(), "up", "3")).orThrow();
        try (RealOsFleet fleet = RealOsFleet.start(1)) {
            assertThat(RealOsFleetTest.netnsNames()).contains("epf-h1").doesNotContain("epf-h2", "epf-h3");
        }
        assertNothingLeft();
        // down is idempotent
        ProcessRun.run(Duration.ofMinutes(1), List.of(RealOsFleet.script().toString(), "down")).orThrow();
    }

    static void assertNothingLeft() {
        assertThat(RealOsFleetTest.netnsNames()).noneMatch(n -> n.startsWith("epf-"));
        String links = ProcessRun.run(Duration.ofSeconds(10), List.of("ip", "-o", "link", "show")).orThrow().stdout();
        assertThat(links).doesNotContain("epfbr0").doesNotContainPattern("epfv\\d+");
        String addresses = ProcessRun.run(Duration.ofSeconds(10), List.of("ip", "-o", "addr", "show")).orThrow()
                .stdout();
        assertThat(addresses).doesNotContain("10.201.");
        assertThat(Path.of("/run/epiphany-fleet/epf")).doesNotExist();
    }

    /** Alive and not a zombie (a killed process whose parent has not reaped it yet holds no resources). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    private static List<Long> processesInFleetNamespaces() {
        return RealOsFleetTest.netnsNames().stream().filter(n -> n.startsWith("epf-"))
                .flatMap(ns -> ProcessRun.run(Duration.ofSeconds(10), List.of("ip", "netns", "pids", ns)).orThrow()
                        .stdout().lines())
                .map(Long::parseLong).toList();
    }
}
