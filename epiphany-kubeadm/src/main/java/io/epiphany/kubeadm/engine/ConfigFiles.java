package io.epiphany.kubeadm.engine;

import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.api.Secret;
import java.util.List;

/** The files the engine writes, from the pure renderers; the engine never builds file contents itself. */
interface ConfigFiles {
    /** Files the first master needs before {@code kubeadm init}: init config, encryption config, audit policy. */
    List<HostFile> initFiles(Machine firstMaster);

    /** The JoinConfiguration for a master or node, with the token and the CA hash of the running cluster. */
    HostFile joinConfig(Machine machine, Secret token, String caCertHash);

    /** haproxy.cfg balancing to the given masters. */
    String haproxyConfig(List<Machine> backends);
}
