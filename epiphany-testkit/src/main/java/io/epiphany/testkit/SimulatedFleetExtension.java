package io.epiphany.testkit;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
 */
public final class SimulatedFleetExtension implements ParameterResolver, BeforeAllCallback, BeforeEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SimulatedFleetExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SimulatedFleet.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return start(parameter.findAnnotation(Fleet.class).orElse(null), context);
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
        SimulatedFleet.Options options = SimulatedFleet.Options.defaults()
                .withSshUser(spec == null ? cluster.ssh().user() : spec.sshUser());
        if (spec != null) {
            options = (spec.osVersion().isEmpty() ? options.withOs(spec.os())
                    : options.withOs(spec.os(), spec.osVersion()))
                    .withBareHosts(spec.bareHosts()).withCgroupV1(spec.cgroupV1());
        }
        SimulatedFleet fleet = SimulatedFleet.start(cluster, options);
        // the store closes the fleet when the context that asked for it ends, even when the test failed
        context.getStore(NAMESPACE).put(new Object(), fleet); // JUnit closes AutoCloseable store values
        return fleet;
    }

    private static Cluster cluster(Fleet spec, ExtensionContext context) {
        if (spec != null && !spec.cluster().isEmpty()) {
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
        int masters = spec == null ? 1 : spec.masters();
        int nodes = spec == null ? 0 : spec.nodes();
        if (masters < 1 || nodes < 0 || masters + nodes > 250) {
            throw new ParameterResolutionException("@Fleet needs 1-250 machines with at least one master, got masters="
                    + masters + " nodes=" + nodes);
        }
        List<Machine> m = new ArrayList<>();
        for (int i = 1; i <= masters; i++) {
            m.add(Machine.of("m" + i, "10.0.0." + (10 + i)));
        }
        List<Machine> n = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            n.add(Machine.of("n" + i, "10.0.1." + (10 + i)));
        }
        return Cluster.builder().name("simulated").masters(m).nodes(n).build();
    }
}
