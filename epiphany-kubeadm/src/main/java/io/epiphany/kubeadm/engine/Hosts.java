package io.epiphany.kubeadm.engine;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;

/** The remote hosts of one operation, reached through the one {@link RemoteAccess} of that operation. */
final class Hosts {
    private final Cluster cluster;
    private final RemoteAccess access;

    Hosts(Cluster cluster, RemoteAccess access) {
        this.cluster = cluster;
        this.access = access;
    }

    RemoteHost get(Machine machine) {
        return access.host(machine, cluster.ssh());
    }
}
