package io.epiphany.systemtests.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostFile;
import io.epiphany.api.LoadBalancer;
import io.epiphany.api.Machine;
import io.epiphany.api.Rendering;
import io.epiphany.haproxy.HaproxyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.epiphany.systemtests.HaproxyCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code haproxy.cfg} that {@code cluster.render()} produces passes the real {@code haproxy -c -f}: the seed's
 * example (3 masters, 2 nodes), its 1-master variant, and variants with IPv6 and non-default check timings. Needs the
 * haproxy package (the system-test command installs it); fails, rather than skips, without it.
 */
class HaproxyConfigCheckTest {
    static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    static final Path SEED = Path.of("../examples/clusters/seed-cluster.yml");

    static Map<String, Cluster> variants() {
        Cluster seed = Cluster.fromYaml(SEED);
        return Map.of(
                "seed", seed,
                "single-master", seed.toBuilder().masters(seed.masters().get(0)).build(),
                "ipv6", Cluster.builder().name("six")
                        .masters(Machine.of("m1", "fd00:10::1"), Machine.of("m2", "fd00:10::2"),
                                Machine.of("m3", "10.10.3.3"))
                        .nodes(Machine.of("n1", "fd00:10::9")).build(),
                "timings", seed.toBuilder().loadBalancer(LoadBalancer.builder().port(16443)
                        .checkInterval(Duration.ofMillis(2500)).fall(5).rise(4).build()).build());
    }

    @Test
    void realHaproxyAcceptsEveryRenderedConfig(@TempDir Path dir) throws Exception {
        assertThat(HAPROXY).as("haproxy must be installed for the system tests (apt-get install haproxy)")
                .isExecutable();
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, Cluster> variant : variants().entrySet()) {
            Cluster cluster = variant.getValue();
            Rendering rendering = cluster.render();
            for (Machine machine : cluster.machines()) {
                HostFile cfg = rendering.file(machine.hostname(), HaproxyConfig.PATH);
                Path file = dir.resolve(variant.getKey() + "-" + machine.hostname() + ".cfg");
                Files.writeString(file, cfg.content());
                HaproxyCheck.Report report = HaproxyCheck.check(file);
                assertThat(report.valid() && report.warnings().isEmpty()).as("haproxy -c -f for %s/%s:%n%s%n%s",
                        variant.getKey(), machine.hostname(), report.output(), cfg.content()).isTrue();
                checked.add(variant.getKey() + "/" + machine.hostname());
            }
        }
        assertThat(checked).hasSize(5 + 3 + 4 + 5);
    }

    @Test
    void theCheckRejectsABrokenConfig(@TempDir Path dir) throws Exception {
        assertThat(HAPROXY).isExecutable();
        String good = HaproxyConfig.render(Cluster.fromYaml(SEED));
        Path file = dir.resolve("broken.cfg");
        Files.writeString(file, good.replace("timeout tunnel 1h", "timeout tunnnel 1h"));
        HaproxyCheck.Report report = HaproxyCheck.check(file);
        assertThat(report.valid()).isFalse();
        assertThat(report.output()).contains("tunnnel");
    }

}
