package io.epiphany.api.remote;

import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;

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
}
