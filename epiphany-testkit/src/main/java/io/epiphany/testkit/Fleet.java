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
 *
 * <p>A fleet is a set of machines, so an even number of masters is accepted (e.g. to test what a description of 2 or 4
 * masters is told): the fleet's {@link SimulatedFleet#cluster()} then carries {@code allowEvenMasters(true)}, while
 * a description you build yourself, or {@code fleet.cluster().toBuilder().allowEvenMasters(false)}, still gets the
 * SDK's even-masters refusal and advice.
 */
@Target({ElementType.PARAMETER, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
public @interface Fleet {
    /** Masters, 1 to 244; even counts are accepted (see above). */
    int masters() default 1;

    /** Nodes, 0 to 244. */
    int nodes() default 0;

    /** A cluster in Epiphany YAML on the test class path (e.g. {@code "clusters/ha.yaml"}); overrides the counts. */
    String cluster() default "";

    /** Masters are named {@code <masterPrefix>1}, {@code <masterPrefix>2}, ... */
    String masterPrefix() default "m";

    /** Nodes are named {@code <nodePrefix>1}, {@code <nodePrefix>2}, ... */
    String nodePrefix() default "n";

    /**
     * The first three octets of the masters' modelled addresses ({@code <network>.11}, {@code .12}, ...); the nodes
     * take the next /24: {@code "10.20.1"} puts masters on 10.20.1.11.. and nodes on 10.20.2.11..
     */
    String network() default "10.0.0";

    /** SSH login user of the simulated machines. */
    String sshUser() default "root";

    /** "debian" or "rhel" (Debian 12, Rocky 9.4), or an /etc/os-release ID with {@link #osVersion()}. */
    String os() default "debian";

    /** The VERSION_ID for an os-release ID, e.g. os = "ubuntu", osVersion = "24.04"; empty: the family default. */
    String osVersion() default "";

    /** The installed kubeadm, kubelet and kubectl, e.g. {@code "v1.35.4"}; empty: the test kit's default (v1.37.0). */
    String kubeadmVersion() default "";

    /** The etcd of the static pods, e.g. {@code "3.6.6"} (see {@link SimulatedFleet.Options#withEtcdVersion}). */
    String etcdVersion() default "";

    /** Bare machines (issue 11): no Kubernetes binaries or containerd, swap on, kernel modules not loaded. */
    boolean bareHosts() default false;

    /** The machines boot with cgroup v1. */
    boolean cgroupV1() default false;
}
