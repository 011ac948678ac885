package io.epiphany.api.remote;

import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * The runtime that reaches machines: one per application (it owns connections and threads), closed when done.
 * {@code epiphany-ssh} provides it; the SDK's engine gets every {@link RemoteHost} from here.
 */
public interface RemoteAccess extends AutoCloseable {
    /** The host for a machine, connecting lazily; the same machine gives the same connection until closed. */
    RemoteHost host(Machine machine, SshSettings settings);

    /** Closes every connection. */
    @Override
    void close();

    /**
     * A new runtime from the implementation on the class path (found with {@link ServiceLoader}), so that callers
     * need no compile-time dependency on the transport.
     *
     * @throws IllegalStateException when no implementation is on the class path
     */
    static RemoteAccess load() {
        Iterator<RemoteAccess> found = ServiceLoader.load(RemoteAccess.class, RemoteAccess.class.getClassLoader())
                .iterator();
        if (!found.hasNext()) {
            throw new IllegalStateException("no RemoteAccess implementation on the class path: add the artifact "
                    + "io.epiphany:epiphany-ssh (runtime scope is enough)");
        }
        return found.next();
    }
}
