package io.epiphany.kubeadm.engine;

import io.epiphany.api.Cluster;
import java.util.List;

/** Paths kubeadm and the SDK use on every machine. */
final class KubePaths {
    static final String ADMIN_CONF = "/etc/kubernetes/admin.conf";
    static final String KUBELET_CONF = "/etc/kubernetes/kubelet.conf";
    static final String SDK_DIR = "/etc/kubernetes/epiphany";
    static final String INIT_CONFIG = io.epiphany.kubeadm.render.InitConfig.PATH;
    static final String JOIN_CONFIG = io.epiphany.kubeadm.render.JoinConfig.PATH;
    static final String MACHINE_ID = "/etc/machine-id";

    /** The 8 files every master must share (kubeadm's "manual certificate distribution"), relative to certificatesDir. */
    static final List<String> SHARED_PKI = List.of("ca.crt", "ca.key", "sa.key", "sa.pub", "front-proxy-ca.crt",
            "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key");

    private KubePaths() {}

    static String pki(Cluster cluster, String relative) {
        return cluster.certificatesDir() + "/" + relative;
    }

    /** Files kubeadm never shares that every master's API server manifest points at: copied byte-identical. */
    static List<String> sharedConfigFiles(Cluster cluster) {
        List<String> files = new java.util.ArrayList<>();
        if (cluster.encryption().enabled()) {
            files.add(cluster.encryption().configFile());
        }
        if (cluster.apiServer().audit().enabled()) {
            files.add(cluster.apiServer().audit().policyFile());
        }
        return files;
    }
}
