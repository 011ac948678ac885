package io.epiphany.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes the SIMULATED fleet injected into a test parameter of type {@link SimulatedFleet} by
 * {@link SimulatedFleetExtension}: either a cluster YAML from the test class path, or a number of masters
 * ({@code m1}, {@code m2}, ... on 10.0.0.11, 10.0.0.12, ...) and nodes ({@code n1}, ... on 10.0.1.11, ...).
 *
 * <pre>{@code
 * @SimulatedFleetTest
 * class MyProvisioningTest {
 *     @Test
 *     void applies(@Fleet(masters = 3, nodes = 2) SimulatedFleet fleet) {
 *         fleet.cluster().apply();
 *         assertThat(fleet.host("m1").commandCount()).isPositive();
 *     }
 * }
 * }</pre>
 *
 * <p>On a {@code static SimulatedFleet} field the fleet is shared by the tests of the class (started before the first,
 * closed after the last); on a parameter or an instance field each test gets its own.
 */
@Target({ElementType.PARAMETER, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
public @interface Fleet {
    int masters() default 1;

    int nodes() default 0;

    /** A cluster in Epiphany YAML on the test class path (e.g. {@code "clusters/ha.yaml"}); overrides the counts. */
    String cluster() default "";

    /** SSH login user of the simulated machines. */
    String sshUser() default "root";

    /** "debian" or "rhel" (Debian 12, Rocky 9.4), or an /etc/os-release ID with {@link #osVersion()}. */
    String os() default "debian";

    /** The VERSION_ID for an os-release ID, e.g. os = "ubuntu", osVersion = "24.04"; empty: the family default. */
    String osVersion() default "";

    /** Bare machines (issue 11): no Kubernetes binaries or containerd, swap on, kernel modules not loaded. */
    boolean bareHosts() default false;

    /** The machines boot with cgroup v1. */
    boolean cgroupV1() default false;
}
