package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteHost;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: only a transport failure makes a machine "unreachable"; the SDK's own faults (a NoSuchMethodError from a
 * class path with mixed SDK versions, a bug's IllegalStateException) surface as what they are. No network: every
 * call on the host throws the given failure.
 */
class SdkFaultTest {
    private static final Cluster CLUSTER = Cluster.builder().name("k8s1")
            .masters(Machine.of("m1", "192.0.2.1")).build();

    @Test
    void aTransportFailureSaysUnreachable() {
        HostFacts m1 = gather(new RemoteException("m1", "cannot connect to 192.0.2.1:22: Connection refused"))
                .host(CLUSTER.masters().get(0));
        assertThat(m1.reachable()).isFalse();
        assertThat(m1.unreachable()).hasValueSatisfying(v -> assertThat(v).contains("Connection refused"));
    }

    @Test
    void anErrorSurfacesAsItIsNotAsUnreachable() {
        NoSuchMethodError stale = new NoSuchMethodError("'void io.epiphany.api.Old.gone()'");
        assertThatThrownBy(() -> gather(stale)).isSameAs(stale);
    }

    @Test
    void aRuntimeExceptionThatIsNoTransportFailureSurfacesAsItIs() {
        IllegalStateException bug = new IllegalStateException("a bug");
        assertThatThrownBy(() -> gather(bug)).isSameAs(bug);
    }

    private static Facts gather(Throwable failure) {
        return new FactsGatherer(CLUSTER, new Hosts(CLUSTER, new Failing(failure)), List.of()).hostsOnly();
    }

    /** Every host's every call throws {@code failure}, as a RemoteHost would from its connect. */
    private record Failing(Throwable failure) implements RemoteAccess {
        @Override
        public RemoteHost host(Machine machine, SshSettings settings) {
            return (RemoteHost) Proxy.newProxyInstance(RemoteHost.class.getClassLoader(),
                    new Class<?>[] {RemoteHost.class}, (proxy, method, args) -> {
                        if (method.getName().equals("hostname")) {
                            return machine.hostname();
                        }
                        throw failure;
                    });
        }

        @Override
        public void close() {
        }
    }
}
