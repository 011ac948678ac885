package io.epiphany.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.epiphany.api.Cluster;
import io.epiphany.api.LoadBalancer;
import io.epiphany.api.Machine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaproxyConfigTest {
    static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    static Cluster seed() {
        return Cluster.builder().name("k8s1")
                .masters(Machine.of("k1m1", "10.10.1.148"), Machine.of("k1m2", "10.10.2.129"),
                        Machine.of("k1m3", "10.10.3.16"))
                .nodes(Machine.of("k1c1", "10.10.1.208"), Machine.of("k1c2", "10.10.2.168"))
                .build();
    }

    static List<String> lines(String cfg) {
        return cfg.lines().map(String::strip).toList();
    }

    @Test
    void bindsLoopbackOnlyAndListsEveryMaster() {
        String cfg = HaproxyConfig.render(seed());
        assertThat(lines(cfg)).contains("bind 127.0.0.1:3446")
                .contains("server k1m1 10.10.1.148:6443", "server k1m2 10.10.2.129:6443", "server k1m3 10.10.3.16:6443");
        assertThat(cfg).doesNotContain("0.0.0.0").doesNotContain("*:").doesNotContain("10.10.1.208")
                .doesNotContain("stats enable").doesNotContain("listen ");
        // the runtime API: a root-only unix socket, no TCP listener
        assertThat(lines(cfg).stream().filter(l -> l.startsWith("stats ")))
                .containsExactly("stats socket /run/haproxy-admin.sock mode 600 level admin");
        assertThat(lines(cfg).stream().filter(l -> l.startsWith("bind "))).hasSize(1);
    }

    @Test
    void checksReadyzOverTlsWithTheModelsTimings() {
        Cluster cluster = seed().toBuilder().loadBalancer(LoadBalancer.builder().port(3500)
                .checkInterval(Duration.ofMillis(7500)).fall(4).rise(3).build()).build();
        List<String> lines = lines(HaproxyConfig.render(cluster));
        assertThat(lines).contains("bind 127.0.0.1:3500", "option httpchk", "http-check send meth GET uri /readyz",
                "http-check expect status 200",
                "default-server check check-ssl verify none inter 7500ms fastinter 2s downinter 7500ms fall 4 rise 3"
                        + " observe layer4 error-limit 2 on-error mark-down");
    }

    @Test
    void defaultsCheckEveryMinuteAndLetLiveTrafficTakeAMasterOut() {
        List<String> lines = lines(HaproxyConfig.render(seed()));
        assertThat(lines).contains("spread-checks 20",
                "default-server check check-ssl verify none inter 60s fastinter 2s downinter 10s fall 3 rise 2"
                        + " observe layer4 error-limit 2 on-error mark-down");
    }

    @Test
    void retriesOnAnotherMasterAndKeepsWatchesOpen() {
        List<String> lines = lines(HaproxyConfig.render(seed()));
        assertThat(lines).contains("mode tcp", "retries 3", "option redispatch", "timeout connect 1s",
                "timeout tunnel 1h", "balance leastconn");
    }

    @Test
    void singleMasterGivesOneBackend() {
        Cluster one = seed().toBuilder().masters(Machine.of("solo", "10.0.0.5")).build();
        String cfg = HaproxyConfig.render(one);
        assertThat(lines(cfg).stream().filter(l -> l.startsWith("server "))).containsExactly("server solo 10.0.0.5:6443");
    }

    @Test
    void explicitBackendsForMembershipChanges() {
        Cluster seed = seed();
        String cfg = HaproxyConfig.render(seed, List.of(seed.masters().get(0), seed.masters().get(2)));
        assertThat(lines(cfg).stream().filter(l -> l.startsWith("server ")))
                .containsExactly("server k1m1 10.10.1.148:6443", "server k1m3 10.10.3.16:6443");
        assertThatThrownBy(() -> HaproxyConfig.render(seed, List.of())).hasMessageContaining("k8s1")
                .hasMessageContaining("at least one master");
    }

    @Test
    void ipv6MasterIsBracketed() {
        Cluster v6 = seed().toBuilder().masters(Machine.of("m6", "fd00:10::5")).nodes(List.of()).build();
        assertThat(lines(HaproxyConfig.render(v6))).contains("server m6 [fd00:10::5]:6443");
    }

    @Test
    void externalLoadBalancerHasNoHaproxy() {
        Cluster ext = seed().toBuilder().loadBalancer(LoadBalancer.external("api.example.com:6443")).build();
        assertThatThrownBy(() -> HaproxyConfig.render(ext)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k8s1").hasMessageContaining("api.example.com:6443");
    }

    @Test
    void refusesAnHaproxyOlderThanTheOldestSupported() {
        Cluster seed = seed();
        assertThatThrownBy(() -> HaproxyConfig.render(seed, seed.masters(), new HaproxyVersion(2, 2)))
                .hasMessageContaining("2.2").hasMessageContaining("2.4").hasMessageContaining("upgrade HAProxy");
    }

    @Test
    void versionFromHaproxyDashV() {
        assertThat(HaproxyVersion.parse("HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/"))
                .isEqualTo(HaproxyVersion.V2_6);
        assertThat(HaproxyVersion.parse("HA-Proxy version 2.4.22-f8e3218 2023/02/14 - https://haproxy.org/"))
                .isEqualTo(HaproxyVersion.V2_4);
        assertThat(HaproxyVersion.parse("HAProxy version 3.2.4-1ubuntu1 2025/08/14")).isEqualTo(HaproxyVersion.V3_2);
        assertThatThrownBy(() -> HaproxyVersion.parse("bash: haproxy: command not found"))
                .hasMessageContaining("command not found");
    }

    /**
     * One golden file per HAProxy branch the distributions ship: a change to the rendered file shows in review.
     * {@code -Dgolden.update=true} rewrites them.
     */
    @Test
    void goldenFilePerVersion() throws IOException {
        for (HaproxyVersion v : List.of(HaproxyVersion.V2_4, HaproxyVersion.V2_6, HaproxyVersion.V2_8,
                HaproxyVersion.V3_0, HaproxyVersion.V3_2)) {
            Cluster seed = seed();
            String rendered = HaproxyConfig.render(seed, seed.masters(), v);
            Path golden = Path.of("src", "test", "resources", "golden", "haproxy-" + v + ".cfg");
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(golden.getParent());
                Files.writeString(golden, rendered);
            }
            assertThat(rendered).as("golden file " + golden).isEqualTo(Files.readString(golden));
        }
    }

    /** Runs the real HAProxy's configuration check; skipped where HAProxy is not installed (the fast build). */
    @Test
    void realHaproxyAcceptsTheConfig(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(HAPROXY), "haproxy is not installed: the system tests run this check");
        for (Cluster c : List.of(seed(), seed().toBuilder().masters(Machine.of("solo", "10.0.0.5")).build(),
                seed().toBuilder().masters(Machine.of("m6", "fd00:10::5")).nodes(List.of()).build())) {
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, HaproxyConfig.render(c));
            assertThat(check(cfg)).as(HaproxyConfig.render(c)).startsWith("0:");
        }
    }

    /** {@code exit:output} of {@code haproxy -c -f cfg}. */
    static String check(Path cfg) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(HAPROXY.toString(), "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("haproxy -c did not finish in 30 s");
        }
        return p.exitValue() + ":" + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
