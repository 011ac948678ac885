package io.epiphany.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI transport: each call is a fresh simulator sharing a state directory, as separate processes would. */
class SimulatorMainTest {
    @TempDir
    Path dir;

    private record Out(int exit, String out, String err) {}

    private Out run(String host, String ip, String... command) {
        List<String> args = new ArrayList<>(List.of("--state", dir.resolve("state").toString(), "--root",
                dir.resolve(host).toString(), "--hostname", host, "--ip", ip));
        args.addAll(List.of(command));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimulatorMain.run(args.toArray(String[]::new), new ByteArrayInputStream(new byte[0]), out, err);
        return new Out(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aClusterBuiltCommandByCommandSharesStateAcrossInvocations() throws Exception {
        Path cfg = dir.resolve("m1/etc/haproxy/haproxy.cfg");
        Files.createDirectories(cfg.getParent());
        Files.writeString(cfg, "global\ndefaults\n  mode tcp\n  timeout connect 5s\nfrontend fe\n"
                + "  bind 127.0.0.1:3446\n  default_backend be\nbackend be\n  server m1 10.0.0.11:6443 check\n");
        assertThat(run("m1", "10.0.0.11", "-c", "apt-get install -y haproxy").exit()).isZero();
        Path proc = dir.resolve("m1/proc/sys/net/ipv4/ip_forward");
        Files.createDirectories(proc.getParent());
        Files.writeString(proc, "1\n");
        Path init = dir.resolve("m1/etc/kubernetes/epiphany/kubeadm-init.yaml");
        Files.createDirectories(init.getParent());
        Files.writeString(init, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n---\n"
                + "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"
                + "controlPlaneEndpoint: localhost:3446\nencryptionAlgorithm: ECDSA-P256\n");
        Out r = run("m1", "10.0.0.11", "--exec", "kubeadm", "init", "--config", "/etc/kubernetes/epiphany/kubeadm-init.yaml");
        assertThat(r.exit()).as(r.err()).isZero();
        Out nodes = run("m1", "10.0.0.11", "-c", "kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o json");
        assertThat(new ObjectMapper().readTree(nodes.out()).path("items").get(0).path("metadata").path("name")
                .asText()).isEqualTo("m1");
        assertThat(run("w1", "10.0.0.21", "-c", "curl -sk https://localhost:3446/readyz").exit()).isEqualTo(7);
        assertThat(run("w1", "10.0.0.21", "--exec", "nope").exit()).isEqualTo(127);
        assertThat(SimulatorMain.run(new String[] {"-c", "x"}, new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new ByteArrayOutputStream())).isEqualTo(64);
    }

    /** The host-preparation programs are SIMULATED there too: they change the fleet state, never the real machine. */
    @Test
    void hostPreparationProgramsAreSimulatedOnTheCliTransport() {
        assertThat(run("m1", "10.0.0.11", "--exec", "lsmod").out()).contains("br_netfilter", "overlay");
        assertThat(run("m1", "10.0.0.11", "--exec", "swapon", "--show=NAME", "--noheadings").out()).isEmpty();
        Out unknown = run("m1", "10.0.0.11", "--exec", "modprobe", "nope");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("Module nope not found in directory /lib/modules/6.1.0-SIMULATED-amd64");
        assertThat(run("m1", "10.0.0.11", "--exec", "containerd", "--version").out())
                .startsWith("containerd containerd.io 2.1.4 ");
        assertThat(run("m1", "10.0.0.11", "-c", "sysctl net.bridge.bridge-nf-call-iptables").out())
                .isEqualTo("net.bridge.bridge-nf-call-iptables = 1\n");
        assertThat(run("m1", "10.0.0.11", "-c", "curl -fsSL --max-time 60 -o /tmp/k https://get.example/x").exit())
                .isEqualTo(6);
        assertThat(run("m1", "10.0.0.11", "-c", "apt-get update").exit()).isZero();
    }
}
