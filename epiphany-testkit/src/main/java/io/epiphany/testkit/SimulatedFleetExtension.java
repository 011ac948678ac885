package io.epiphany.testkit;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects a started {@link SimulatedFleet} into test parameters of that type and closes it
 * when the test (or the lifecycle method that asked for it) is done. Use it through {@link SimulatedFleetTest} or
 * {@code @ExtendWith(SimulatedFleetExtension.class)}; describe the fleet with {@link Fleet}.
 */
public final class SimulatedFleetExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SimulatedFleetExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SimulatedFleet.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Fleet spec = parameter.findAnnotation(Fleet.class).orElse(null);
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
