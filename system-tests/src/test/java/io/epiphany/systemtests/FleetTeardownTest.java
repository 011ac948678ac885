package io.epiphany.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.systemtests.fleet.ProcessRun;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Teardown is complete: no namespace, veth, bridge, process or state left, also after a crashed run. */
public class FleetTeardownTest {

    @BeforeEach
    void prerequisites() {
        SystemAssumptions.assumeRealOsFleet();
    }

    @Test
    void closeRemovesNamespacesBridgeProcessesAndState() {
        List<Long> pids;
        RealOsFleet.Slot slot;
        try (RealOsFleet fleet = RealOsFleet.start(2)) {
            slot = fleet.slot();
            assertThat(RealOsFleetTest.netnsNames()).contains(slot.name() + "-h1", slot.name() + "-h2");
            pids = processesInFleetNamespaces(slot);
            assertThat(pids).isNotEmpty();
        }
        assertNothingLeft(slot);
        assertThat(pids).noneMatch(FleetTeardownTest::running);
    }

    @Test
    void aFleetLeftBehindByACrashedRunIsClearedByTheNextStart() {
        // A fleet started outside any JVM and never closed (no live owner), as a killed test run would leave it.
        RealOsFleet.Slot slot = RealOsFleet.Slot.free();
        Map<String, String> env = Map.of("EPIPHANY_FLEET_NAME", slot.name(), "EPIPHANY_FLEET_OCTET",
                Integer.toString(slot.octet()));
        ProcessRun.run(Duration.ofMinutes(2), env, List.of(RealOsFleet.script().toString(), "up", "3")).orThrow();
        try (RealOsFleet fleet = RealOsFleet.start(1)) {
            assertThat(fleet.slot()).isEqualTo(slot);
            assertThat(RealOsFleetTest.netnsNames()).contains(slot.name() + "-h1")
                    .doesNotContain(slot.name() + "-h2", slot.name() + "-h3");
        }
        assertNothingLeft(slot);
        // down is idempotent
        ProcessRun.run(Duration.ofMinutes(1), env, List.of(RealOsFleet.script().toString(), "down")).orThrow();
    }

    public static void assertNothingLeft(RealOsFleet.Slot slot) {
        String name = slot.name();
        assertThat(RealOsFleetTest.netnsNames()).noneMatch(n -> n.startsWith(name + "-"));
        String links = ProcessRun.run(Duration.ofSeconds(10), List.of("ip", "-o", "link", "show")).orThrow().stdout();
        assertThat(links).doesNotContain(name + "br0").doesNotContainPattern(name + "v\\d+");
        String addresses = ProcessRun.run(Duration.ofSeconds(10), List.of("ip", "-o", "addr", "show")).orThrow()
                .stdout();
        assertThat(addresses).doesNotContain(" 10." + slot.octet() + ".");
        assertThat(Path.of("/run/epiphany-fleet", name)).doesNotExist();
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

    private static List<Long> processesInFleetNamespaces(RealOsFleet.Slot slot) {
        return RealOsFleetTest.netnsNames().stream().filter(n -> n.startsWith(slot.name() + "-"))
                .flatMap(ns -> ProcessRun.run(Duration.ofSeconds(10), List.of("ip", "netns", "pids", ns)).orThrow()
                        .stdout().lines())
                .map(Long::parseLong).toList();
    }
}
