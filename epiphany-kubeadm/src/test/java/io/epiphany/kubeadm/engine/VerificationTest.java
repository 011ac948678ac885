package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Machine;
import io.epiphany.haproxy.HaproxyServerState;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What Verify accepts as "this host's HAProxy sends to every master". */
class VerificationTest {
    private static final List<Machine> MASTERS = List.of(Machine.of("m1", "10.0.0.1"), Machine.of("m2", "10.0.0.2"));

    private static HaproxyServerState server(String name, String status, String lastCheck, int weight) {
        return new HaproxyServerState("kube-apiserver", name, "", status, lastCheck, OptionalLong.empty(), 0, weight);
    }

    @Test
    void everyMasterUpAndCheckedIsServing() {
        assertThat(Verification.backendsNotServing(MASTERS, List.of(server("m1", "UP", "L7OK", 1),
                server("m2", "UP", "L7OK", 1)))).isNull();
    }

    /**
     * A master added through the runtime API is first checked downinter (10 s) later, showing "UP 1/3" and INI until
     * then: its UP is an assumption, so Verify waits for the check rather than report a master it has not seen answer.
     */
    @Test
    void aMasterNotCheckedYetIsNotServingYet() {
        assertThat(Verification.backendsNotServing(MASTERS, List.of(server("m1", "UP", "L7OK", 1),
                server("m2", "UP 1/3", "INI", 1))))
                .isEqualTo("its HAProxy does not send to [m2 UP 1/3, not checked yet]");
    }

    @Test
    void downDrainedAndMissingMastersAreNamedWithTheirLastCheck() {
        assertThat(Verification.backendsNotServing(MASTERS, List.of(server("m1", "DRAIN", "L7OK", 0))))
                .isEqualTo("its HAProxy does not send to [m1 DRAIN, last check L7OK, m2 missing]");
        assertThat(Verification.backendsNotServing(MASTERS, List.of(server("m1", "UP", "L7OK", 1),
                server("m2", "DOWN", "L6TOUT", 1))))
                .isEqualTo("its HAProxy does not send to [m2 DOWN, last check L6TOUT]");
        assertThat(Verification.backendsNotServing(MASTERS, List.of()))
                .isEqualTo("its HAProxy's runtime API did not answer");
    }
}
