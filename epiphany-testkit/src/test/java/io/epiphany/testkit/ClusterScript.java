package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.remote.Shell;
import io.epiphany.testkit.sim.kube.ControlPlane;
import io.epiphany.testkit.sim.kube.Pki;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/** Test steps that build a cluster on a fleet the way the SDK does, through SSH only. */
final class ClusterScript {
    static final String TOKEN = "abcdef.0123456789abcdef";

    private final SimulatedFleet fleet;
    private final TestSsh ssh;

    ClusterScript(SimulatedFleet fleet, TestSsh ssh) {
        this.fleet = fleet;
        this.ssh = ssh;
    }

    static String haproxyConfig(List<String> masterIps) {
        return "global\n  log /dev/log local0\n  daemon\ndefaults\n  mode tcp\n  timeout connect 5s\n"
                + "  timeout client 30s\n  timeout server 30s\nfrontend kube-apiserver\n  bind 127.0.0.1:3446\n"
                + "  default_backend kube-masters\nbackend kube-masters\n  balance roundrobin\n"
                + masterIps.stream().map(ip -> "  server m-" + ip + " " + ip + ":6443 check inter 2s fall 3 rise 2\n")
                        .collect(Collectors.joining());
    }

    static String initConfig(String name, String ip, String extraArgs) {
        return "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nbootstrapTokens:\n- token: \"" + TOKEN
                + "\"\n  ttl: \"2h0m0s\"\nlocalAPIEndpoint:\n  advertiseAddress: \"" + ip + "\"\n  bindPort: 6443\n"
                + "nodeRegistration:\n  name: \"" + name + "\"\n---\napiVersion: kubeadm.k8s.io/v1beta4\n"
                + "kind: ClusterConfiguration\nkubernetesVersion: \"v1.37.0\"\nclusterName: \"sim\"\n"
                + "controlPlaneEndpoint: \"localhost:3446\"\nencryptionAlgorithm: ECDSA-P256\n"
                + "apiServer:\n  extraVolumes:\n  - name: epiphany-enc\n    hostPath: /etc/kubernetes/enc\n"
                + "    mountPath: /etc/kubernetes/enc\n    readOnly: true\n  extraArgs:\n" + extraArgs;
    }

    static String joinConfig(String name, String ip, String token, String hash, boolean controlPlane) {
        return "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n"
                + "    apiServerEndpoint: \"localhost:3446\"\n    token: \"" + token + "\"\n    caCertHashes: [\""
                + hash + "\"]\nnodeRegistration:\n  name: \"" + name + "\"\n"
                + (controlPlane ? "controlPlane:\n  localAPIEndpoint:\n    advertiseAddress: \"" + ip + "\"\n"
                        + "    bindPort: 6443\n" : "");
    }

    /** Installs haproxy with a config balancing to the given masters and starts it. */
    void loadBalancer(String host, List<String> masterIps) throws IOException {
        ok(host, "mkdir -p /etc/haproxy");
        ssh.put(host, "/etc/haproxy/haproxy.cfg", haproxyConfig(masterIps));
        ok(host, "env DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy");
        ok(host, "systemctl enable --now haproxy && systemctl reload haproxy");
    }

    /** What the SDK does before kubeadm: ip_forward on. */
    void sysctl(String host) throws IOException {
        ok(host, "mkdir -p /etc/sysctl.d");
        ssh.put(host, "/etc/sysctl.d/99-epiphany-kubernetes.conf", "net.ipv4.ip_forward = 1\n");
        ok(host, "sysctl -p /etc/sysctl.d/99-epiphany-kubernetes.conf");
    }

    void init(String host, String ip) throws IOException {
        sysctl(host);
        ok(host, "mkdir -p /etc/kubernetes/epiphany /etc/kubernetes/enc");
        ssh.put(host, "/etc/kubernetes/enc/encryption-config.yaml", "kind: EncryptionConfiguration\n");
        ssh.put(host, "/etc/kubernetes/epiphany/kubeadm-init.yaml", initConfig(host, ip,
                "  - name: encryption-provider-config\n    value: /etc/kubernetes/enc/encryption-config.yaml\n"));
        ok(host, "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
    }

    /** Applies the test kit's CNI manifest on a master: every Node then turns Ready. */
    void cni(String master) throws IOException {
        ok(master, "mkdir -p /etc/kubernetes/epiphany");
        ssh.put(master, "/etc/kubernetes/epiphany/cni.yaml", SimulatedCni.MANIFEST);
        ok(master, "kubectl --kubeconfig /etc/kubernetes/admin.conf apply --server-side --force-conflicts -f "
                + "/etc/kubernetes/epiphany/cni.yaml");
    }

    String caHash(String master) throws IOException {
        return Pki.caCertHash(Pki.readCertificate(ok(master, "cat /etc/kubernetes/pki/ca.crt").out()));
    }

    /** Copies the 8 shared PKI files and the encryption config from one master to another. */
    void copyShared(String from, String to) throws IOException {
        ok(to, "mkdir -p /etc/kubernetes/pki/etcd /etc/kubernetes/enc");
        for (String f : ControlPlane.SHARED_FILES) {
            String path = "/etc/kubernetes/pki/" + f;
            ssh.put(to, path, ok(from, "cat " + Shell.quote(path)).out());
        }
        ssh.put(to, "/etc/kubernetes/enc/encryption-config.yaml",
                ok(from, "cat /etc/kubernetes/enc/encryption-config.yaml").out());
    }

    TestSsh.Result join(String host, String ip, String token, String hash, boolean controlPlane) throws IOException {
        sysctl(host);
        ok(host, "mkdir -p /etc/kubernetes/epiphany");
        ssh.put(host, "/etc/kubernetes/epiphany/kubeadm-join.yaml", joinConfig(host, ip, token, hash, controlPlane));
        return ssh.run(host, "kubeadm join --config /etc/kubernetes/epiphany/kubeadm-join.yaml");
    }

    static final String CRICTL = "crictl --runtime-endpoint unix:///run/containerd/containerd.sock";
    static final String ETCDCTL_FLAGS = "--endpoints https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt"
            + " --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt --key /etc/kubernetes/pki/etcd/healthcheck-client.key";

    /** The running etcd container's ID on a host, as the SDK finds it ({@code crictl ps}). */
    String etcdContainer(String host) throws IOException {
        String id = ok(host, CRICTL + " ps --name etcd --state running -q").out().strip();
        assertThat(id).as("running etcd container on " + host).matches("[0-9a-f]{64}");
        return id;
    }

    /** The line that runs etcdctl with {@code args} inside the host's etcd container (args last, to append to). */
    String etcdctl(String host, String args) throws IOException {
        return CRICTL + " exec " + etcdContainer(host) + " etcdctl " + ETCDCTL_FLAGS + " " + args;
    }

    TestSsh.Result ok(String host, String line) throws IOException {
        TestSsh.Result r = ssh.run(host, line);
        assertThat(r.exit()).as(host + ": " + line + "\nstdout: " + r.out() + "\nstderr: " + r.err()).isZero();
        return r;
    }

    SimulatedFleet fleet() {
        return fleet;
    }
}
