package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Certificates;
import io.epiphany.api.Cluster;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Certificates on the SIMULATED fleet: read by the SDK, renewed master by master when the clock nears expiry. */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class CertificatesTest {
    private static final List<String> MASTER_NAMES = List.of("ca.crt", "apiserver.crt",
            "apiserver-kubelet-client.crt", "apiserver-etcd-client.crt", "front-proxy-ca.crt", "front-proxy-client.crt",
            "etcd/ca.crt", "etcd/server.crt", "etcd/peer.crt", "etcd/healthcheck-client.crt", "admin.conf",
            "controller-manager.conf", "scheduler.conf", "kubelet-client-current.pem");

    @Test
    void readsEveryCertificateAndRenewsThemMasterByMasterNearExpiry(
            @Fleet(masters = 3, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1"));
            ApplyOptions options = f.optionsBuilder().clock(f.fleet.clock()).build();
            c.apply(options);

            Certificates certs = c.certificates(options);
            assertThat(certs.unreadable()).isEmpty();
            assertThat(certs.host("m2")).extracting(Certificates.Certificate::name).containsAll(MASTER_NAMES);
            assertThat(certs.host("m1")).extracting(Certificates.Certificate::name).contains("super-admin.conf");
            assertThat(certs.host("n1")).extracting(Certificates.Certificate::name)
                    .containsExactly("kubelet-client-current.pem");
            Certificates.Certificate apiserver = certs.get("m2", "apiserver.crt").orElseThrow();
            assertThat(apiserver.subject()).isEqualTo("CN=kube-apiserver");
            assertThat(apiserver.issuer()).isEqualTo("CN=kubernetes");
            assertThat(apiserver.daysLeft()).isBetween(363L, 365L);
            assertThat(apiserver.names()).contains("m2", "kubernetes.default.svc", "10.10.1.12");
            assertThat(apiserver.authority()).isFalse();
            assertThat(certs.get("m2", "etcd/ca.crt").orElseThrow().authority()).isTrue();
            assertThat(certs.get("n1", "kubelet-client-current.pem").orElseThrow().subject())
                    .contains("CN=system:node:n1").contains("O=system:nodes");
            assertThat(certs.toString()).doesNotContain("PRIVATE");
            assertThat(c.plan(options).isEmpty()).isTrue();

            // 340 days on: every leaf certificate is inside the 30-day threshold, no CA is; and m3's etcd member is
            // down, so Repair mends it before the renewals' health gates ask for every member healthy
            f.fleet.advanceClock(Duration.ofDays(340));
            f.fleet.host("m3").stopEtcd();
            Plan plan = c.plan(options);
            assertThat(List.copyOf(plan.byPhase().keySet())).containsSubsequence("Repair", RenewCertificatesPhase.TITLE);
            List<PlannedStep> renew = plan.steps().stream().filter(s -> s.kind() == PlannedStep.Kind.RENEW).toList();
            assertThat(renew).extracting(PlannedStep::host).containsExactly("m1", "m2", "m3");
            assertThat(renew.get(0).action()).contains("apiserver.crt", "admin.conf", "kubeadm certs renew all");
            assertThat(plan.findings()).anySatisfy(x -> assertThat(x.problem()).startsWith("apiserver.crt expires on"));
            assertThat(plan.findings()).noneSatisfy(x -> assertThat(x.problem()).contains("certificate authority"));

            Map<String, String> before = containerIds(f);
            f.events.clear();
            ApplyResult result = c.apply(plan, options);
            assertThat(result.plan().steps()).containsAll(renew);
            // one master at a time: each renewal ends before the next begins
            List<String> order = f.events.stream().filter(e -> e.phase().equals(RenewCertificatesPhase.TITLE)
                    && e.host().isPresent()).map(e -> e.type() + " " + e.host().orElseThrow()).toList();
            assertThat(order).containsSubsequence("STEP_STARTED m1", "STEP_FINISHED m1", "STEP_STARTED m2",
                    "STEP_FINISHED m2", "STEP_STARTED m3", "STEP_FINISHED m3");

            Certificates after = c.certificates(options);
            Instant soon = after.readAt().plus(Duration.ofDays(300));
            for (String m : List.of("m1", "m2", "m3")) {
                for (String name : List.of("apiserver.crt", "etcd/peer.crt", "admin.conf", "scheduler.conf")) {
                    assertThat(after.get(m, name).orElseThrow().notAfter()).as(m + " " + name).isAfter(soon);
                }
                assertThat(after.get(m, "ca.crt").orElseThrow().notAfter())
                        .isEqualTo(certs.get(m, "ca.crt").orElseThrow().notAfter());
            }
            // the control-plane containers were restarted: new IDs
            Map<String, String> now = containerIds(f);
            before.forEach((k, id) -> assertThat(now.get(k)).as(k).isNotEqualTo(id));
            assertThat(c.plan(options).steps()).noneMatch(s -> s.kind() == PlannedStep.Kind.RENEW);
        }
    }

    @Test
    void aCertificateAuthorityNearExpiryIsAFindingWithTheManualWay(
            @Fleet(masters = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1"), List.of());
            ApplyOptions options = f.optionsBuilder().clock(f.fleet.clock()).build();
            c.apply(options);
            // with a threshold of 11 years the CAs (10 years) are inside it, as are the leaves
            Plan plan = c.plan(options.toBuilder().certificateRenewalThreshold(Duration.ofDays(4000)).build());
            assertThat(plan.findings()).anySatisfy(x -> {
                assertThat(x.problem()).startsWith("certificate authority ca.crt expires on");
                assertThat(x.remedy()).contains("Manual rotation of CA certificates");
            });
            assertThat(plan.steps()).filteredOn(s -> s.kind() == PlannedStep.Kind.RENEW).hasSize(1);
        }
    }

    @Test
    void expiredCertificatesAreRenewedAloneWithoutTheApiThenTheNextApplyConverges(
            @Fleet(masters = 3, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of());
            ApplyOptions options = f.optionsBuilder().clock(f.fleet.clock()).build();
            c.apply(options);
            f.fleet.advanceClock(Duration.ofDays(370));
            // the API server refuses admin.conf's expired client certificate, as kube-apiserver does
            assertThat(f.run("m1", HostCommands.kubectl("get", "nodes")).stderr())
                    .contains("You must be logged in to the server (Unauthorized)");

            Plan plan = c.plan(options);
            assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("this plan only renews them"));
            assertThat(plan.steps()).extracting(PlannedStep::kind).containsOnly(PlannedStep.Kind.RENEW);
            assertThat(plan.steps()).extracting(PlannedStep::host).containsExactly("m1", "m2", "m3", "cluster");
            assertThat(plan.steps().get(0).action()).contains("already expired, so without the health gates");
            assertThat(plan.byPhase()).containsOnlyKeys(RenewCertificatesPhase.EXPIRED_TITLE);
            assertThat(plan.findings()).anySatisfy(x -> assertThat(x.problem()).startsWith("admin.conf expired on"));

            ApplyResult renewed = c.apply(plan, options);
            assertThat(renewed.verified()).singleElement().asString().contains("apply again");
            assertThat(f.run("m1", HostCommands.kubectl("get", "nodes")).ok()).isTrue();
            assertThat(c.certificates(options).expiringWithin(Duration.ofDays(300)))
                    .extracting(Certificates.Certificate::name).containsOnly("kubelet-client-current.pem");

            c.apply(options);
            assertThat(c.plan(options).isEmpty()).isTrue();
        }
    }

    private static Map<String, String> containerIds(FleetFixture f) {
        return List.of("m1", "m2", "m3").stream().flatMap(m -> RenewCertificatesPhase.CONTAINERS.stream()
                .map(c -> Map.entry(m + " " + c, f.run(m, Etcd.containerQuery(f.all, c)).orThrow().stdout().trim())))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
