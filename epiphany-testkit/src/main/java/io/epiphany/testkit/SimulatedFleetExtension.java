package io.epiphany.testkit;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that starts {@link SimulatedFleet}s for a test and closes them when their scope ends, even when
 * the test failed. Use it through {@link SimulatedFleetTest} or {@code @ExtendWith(SimulatedFleetExtension.class)};
 * describe each fleet with {@link Fleet}.
 * <ul>
 *   <li>per method (the default): a {@code SimulatedFleet} parameter of a test method, or a non-static field of that
 *       type annotated {@link Fleet}: a fresh fleet for every test, closed after it;</li>
 *   <li>per class: a {@code static} field annotated {@link Fleet}, or a {@code SimulatedFleet} parameter of a
 *       {@code @BeforeAll} method: one fleet for every test of the class, closed after the last. The tests then see
 *       each other's changes: run them in one thread and in a fixed order (JUnit's default, and what this project's
 *       parallel configuration does for the methods of a class).</li>
 * </ul>
 * An even number of masters is accepted: a fleet is a set of machines, not advice. Its {@link SimulatedFleet#cluster()}
 * then allows even masters; a description of your own still gets the SDK's even-masters refusal (see {@link Fleet}).
 * A {@code @Fleet} that describes no valid fleet (counts, names, network, versions) is refused before any host starts.
 */
public final class SimulatedFleetExtension implements ParameterResolver, BeforeAllCallback, BeforeEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SimulatedFleetExtension.class);
    /** Addresses .11 to .254 of a /24. */
    private static final int MAX_PER_NETWORK = 244;

    /** The attributes' defaults, for a {@code SimulatedFleet} parameter without {@code @Fleet}. */
    @Fleet
    private static final Fleet DEFAULT = defaultSpec();

    private static Fleet defaultSpec() {
        try {
            return SimulatedFleetExtension.class.getDeclaredField("DEFAULT").getAnnotation(Fleet.class);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SimulatedFleet.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return start(parameter.findAnnotation(Fleet.class).orElse(DEFAULT), context);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        inject(context, null, context.getRequiredTestClass());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            inject(context, instance, instance.getClass());
        }
    }

    /** Starts a fleet for every field of {@code type} (and its superclasses) annotated {@link Fleet}: static or not. */
    private static void inject(ExtensionContext context, Object instance, Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                Fleet spec = field.getAnnotation(Fleet.class);
                if (spec == null || Modifier.isStatic(field.getModifiers()) != (instance == null)) {
                    continue;
                }
                if (field.getType() != SimulatedFleet.class || Modifier.isFinal(field.getModifiers())) {
                    throw new ExtensionConfigurationException("@Fleet field " + c.getSimpleName() + "."
                            + field.getName() + " must be a non-final SimulatedFleet");
                }
                try {
                    field.setAccessible(true);
                    field.set(instance, start(spec, context));
                } catch (IllegalAccessException e) {
                    throw new ExtensionConfigurationException("@Fleet field " + c.getSimpleName() + "."
                            + field.getName() + " cannot be set: " + e.getMessage(), e);
                }
            }
        }
    }

    private static SimulatedFleet start(Fleet spec, ExtensionContext context) {
        Cluster cluster = cluster(spec, context);
        SimulatedFleet fleet = SimulatedFleet.start(cluster, options(spec));
        // the store closes the fleet when the context that asked for it ends, even when the test failed
        context.getStore(NAMESPACE).put(new Object(), fleet); // JUnit closes AutoCloseable store values
        return fleet;
    }

    static SimulatedFleet.Options options(Fleet spec) {
        if (!spec.kubeadmVersion().isEmpty() && !spec.kubeadmVersion().matches("v\\d{1,2}\\.\\d{1,3}\\.\\d{1,3}")) {
            throw refused("@Fleet(kubeadmVersion = \"" + spec.kubeadmVersion() + "\"): expected a release like "
                    + "\"v1.35.4\"");
        }
        SimulatedFleet.Options options = SimulatedFleet.Options.defaults().withSshUser(spec.sshUser());
        try {
            options = (spec.osVersion().isEmpty() ? options.withOs(spec.os())
                    : options.withOs(spec.os(), spec.osVersion()))
                    .withBareHosts(spec.bareHosts()).withCgroupV1(spec.cgroupV1());
            if (!spec.kubeadmVersion().isEmpty()) {
                options = options.withKubeadmVersion(spec.kubeadmVersion());
            }
            return spec.etcdVersion().isEmpty() ? options : options.withEtcdVersion(spec.etcdVersion());
        } catch (IllegalArgumentException e) {
            throw refused("@Fleet: " + e.getMessage());
        }
    }

    private static ParameterResolutionException refused(String message) {
        return new ParameterResolutionException(message);
    }

    private static Cluster cluster(Fleet spec, ExtensionContext context) {
        if (!spec.cluster().isEmpty()) {
            ClassLoader loader = context.getRequiredTestClass().getClassLoader();
            try (InputStream in = loader.getResourceAsStream(spec.cluster())) {
                if (in == null) {
                    throw new ParameterResolutionException("@Fleet(cluster = \"" + spec.cluster() + "\"): no such "
                            + "resource on the test class path");
                }
                return Cluster.fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ParameterResolutionException("@Fleet(cluster = \"" + spec.cluster() + "\") could not be "
                        + "read: " + e.getMessage(), e);
            }
        }
        return describe(spec);
    }

    /** The described machines; masters may be even: a fleet is a set of machines, not advice (see {@link Fleet}). */
    static Cluster describe(Fleet spec) {
        if (spec.masters() < 1 || spec.masters() > MAX_PER_NETWORK || spec.nodes() < 0
                || spec.nodes() > MAX_PER_NETWORK) {
            throw refused("@Fleet needs 1-" + MAX_PER_NETWORK + " masters and 0-" + MAX_PER_NETWORK
                    + " nodes, got masters=" + spec.masters() + " nodes=" + spec.nodes());
        }
        int[] net = network(spec.network());
        String masterNet = net[0] + "." + net[1] + "." + net[2] + ".";
        String nodeNet = net[0] + "." + net[1] + "." + (net[2] + 1) + ".";
        try {
            List<Machine> m = new ArrayList<>();
            for (int i = 1; i <= spec.masters(); i++) {
                m.add(Machine.of(spec.masterPrefix() + i, masterNet + (10 + i)));
            }
            List<Machine> n = new ArrayList<>();
            for (int i = 1; i <= spec.nodes(); i++) {
                n.add(Machine.of(spec.nodePrefix() + i, nodeNet + (10 + i)));
            }
            return Cluster.builder().name("simulated").masters(m).nodes(n)
                    .allowEvenMasters(spec.masters() % 2 == 0).build();
        } catch (RuntimeException e) { // the SDK's own refusal of a name, e.g. an invalid or repeated hostname
            throw refused("@Fleet(masterPrefix = \"" + spec.masterPrefix() + "\", nodePrefix = \""
                    + spec.nodePrefix() + "\"): " + e.getMessage());
        }
    }

    /** Three octets; the third below 255, as the nodes take the next /24. */
    private static int[] network(String network) {
        String[] parts = network.split("\\.", -1);
        int[] octets = new int[3];
        boolean ok = parts.length == 3;
        for (int i = 0; ok && i < 3; i++) {
            ok = parts[i].matches("\\d{1,3}") && Integer.parseInt(parts[i]) <= (i == 2 ? 254 : 255);
            octets[i] = ok ? Integer.parseInt(parts[i]) : 0;
        }
        if (!ok) {
            throw refused("@Fleet(network = \"" + network + "\"): expected three octets like \"10.20.1\", the third at "
                    + "most 254 (the nodes take the next /24)");
        }
        return octets;
    }
}
