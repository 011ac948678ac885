package io.epiphany.api.spi;

import io.epiphany.api.Cluster;
import io.epiphany.api.Rendering;

/**
 * What {@link Cluster}'s operations delegate to. Found with {@link java.util.ServiceLoader}; {@code epiphany-kubeadm}
 * provides it. Not for users to call.
 */
public interface Engine {
    /** Every file the SDK would put on every host, computed from the model alone. */
    Rendering render(Cluster cluster);
}
