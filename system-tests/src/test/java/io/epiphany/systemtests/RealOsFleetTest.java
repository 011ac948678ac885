package io.epiphany.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.systemtests.fleet.FleetHost;
import io.epiphany.systemtests.fleet.ProcessRun;
import io.epiphany.systemtests.fleet.RealOsFleet;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.UploadResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real-OS fleet of 5 hosts: real sshd on each, reached by the SDK's own SSH client with strict host-key checking
 * (the login user is the fleet's non-root sudo user); isolated hosts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealOsFleetTest {
    private RealOsFleet fleet;
    private RemoteAccess access;
    private SshSettings ssh;

    @BeforeAll
    void startFleet() {
        SystemAssumptions.assumeRealOsFleet();
        fleet = RealOsFleet.start(5);
        access = RemoteAccess.load();
        ssh = fleet.sshSettings();
    }

    private RemoteHost sdk(FleetHost host) {
        return access.host(Machine.of(host.hostname(), host.ip()), ssh);
    }

    @AfterAll
    void stopFleet() {
        if (access != null) {
            access.close();
        }
        if (fleet != null) {
            fleet.close();
            FleetTeardownTest.assertNothingLeft(fleet.slot());
        }
    }

    @Test
    void everyHostRunsACommandOverSshUnderItsOwnHostname() {
        assertThat(fleet.hosts()).hasSize(5);
        for (FleetHost host : fleet.hosts()) {
            assertThat(sdk(host).run(Command.of("hostname")).orThrow().stdout().strip()).isEqualTo(host.hostname());
            assertThat(sdk(host).run(Command.of("id", "-u").asRoot()).orThrow().stdout().strip()).isEqualTo("0");
        }
    }

    @Test
    void everyHostTakesAnUploadedFileAndKeepsItToItself() {
        for (FleetHost host : fleet.hosts()) {
            RemoteFile file = RemoteFile.of("/etc/kubernetes-upload-test.txt", "for " + host.hostname() + "\n", 0600);
            assertThat(sdk(host).upload(file)).isEqualTo(UploadResult.WRITTEN);
            assertThat(sdk(host).upload(file)).isEqualTo(UploadResult.UNCHANGED);
            assertThat(sdk(host).run(Command.of("cat", "/etc/kubernetes-upload-test.txt").asRoot()).orThrow().stdout())
                    .isEqualTo("for " + host.hostname() + "\n");
            assertThat(sdk(host).run(Command.of("stat", "-c", "%a %U", "/etc/kubernetes-upload-test.txt").asRoot())
                    .orThrow().stdout().strip()).isEqualTo("600 root");
        }
        // Each host has its own /etc: the machine itself never saw any of these files.
        assertThat(Path.of("/etc/kubernetes-upload-test.txt")).doesNotExist();
    }

    @Test
    void hostsHaveTheirOwnStateDirectoriesAndSeeEachOtherByName() {
        FleetHost first = fleet.hosts().get(0);
        FleetHost second = fleet.hosts().get(1);
        fleet.exec(first.hostname(), "sh", "-c",
                "mkdir -p /etc/kubernetes /var/lib/etcd && echo first > /var/lib/etcd/marker").orThrow();
        assertThat(fleet.exec(second.hostname(), "test", "-e", "/var/lib/etcd/marker").exitCode()).isEqualTo(1);
        assertThat(Path.of("/var/lib/etcd/marker")).doesNotExist();
        // /etc/hosts names every fleet host, as kubeadm-managed machines usually have.
        assertThat(fleet.exec(first.hostname(), "getent", "hosts", second.hostname()).orThrow().stdout())
                .startsWith(second.ip());
    }

    @Test
    void hostsReachOnlyTheFleetRange() {
        // No default route: nothing outside the fleet's 10.X.0.0/16 (and loopback) is reachable from a host.
        ProcessRun.Result routes = fleet.exec(fleet.hosts().get(0).hostname(), "ip", "route").orThrow();
        assertThat(routes.stdout()).doesNotContain("default").contains("10." + fleet.slot().octet() + ".0.0/16");
    }

    @Test
    void systemctlShimRunsRealHaproxyAndRefusesABadReload() {
        String host = fleet.hosts().get(2).hostname();
        fleet.exec(host, "sh", "-c", "printf '%s\\n' 'defaults' '  mode tcp' '  timeout connect 1s'"
                + " '  timeout client 5s' '  timeout server 5s' 'listen probe' '  bind 127.0.0.1:3446'"
                + " '  server self 127.0.0.1:9' > /etc/haproxy/haproxy.cfg").orThrow();
        assertThat(fleet.exec(host, "systemctl", "is-active", "haproxy").stdout().strip()).isEqualTo("inactive");
        fleet.exec(host, "systemctl", "enable", "--now", "haproxy").orThrow();
        assertThat(fleet.exec(host, "systemctl", "is-active", "haproxy").orThrow().stdout().strip())
                .isEqualTo("active");
        assertThat(fleet.exec(host, "pgrep", "-x", "haproxy").orThrow().stdout().lines().count())
                .as("master and worker").isGreaterThanOrEqualTo(2);
        fleet.exec(host, "sh", "-c", "echo 'this is not haproxy' >> /etc/haproxy/haproxy.cfg").orThrow();
        ProcessRun.Result badReload = fleet.exec(host, "systemctl", "reload", "haproxy");
        assertThat(badReload.exitCode()).isNotZero();
        assertThat(fleet.exec(host, "systemctl", "is-active", "haproxy").stdout().strip())
                .as("a refused reload leaves the running haproxy alone").isEqualTo("active");
        // the config swap's reload: the signal is delivered (exit 0), the master that cannot parse keeps its workers
        fleet.exec(host, "systemctl", "kill", "--kill-who=main", "--signal=SIGUSR2", "haproxy").orThrow();
        assertThat(fleet.exec(host, "systemctl", "is-active", "haproxy").stdout().strip()).isEqualTo("active");
        assertThat(fleet.exec(host, "systemctl", "kill", "--signal=SIGUSR2", "haproxy").stderr())
                .as("the default --kill-who=all would signal the workers too").contains("only --kill-who=main");
        fleet.exec(host, "systemctl", "stop", "haproxy").orThrow();
        ProcessRun.Result noMaster = fleet.exec(host, "systemctl", "kill", "--kill-who=main", "--signal=SIGUSR2",
                "haproxy");
        assertThat(noMaster.exitCode()).isEqualTo(1);
        assertThat(noMaster.stderr()).contains("Failed to kill unit haproxy.service: No main process to kill");
        assertThat(fleet.exec(host, "systemctl", "is-active", "haproxy").exitCode()).isEqualTo(3);
        assertThat(fleet.exec(host, "systemctl", "is-active", "kubelet").exitCode()).isEqualTo(3);
        assertThat(fleet.exec(host, "systemctl", "start", "nosuchunit").stderr()).contains("not found");
    }

    @Test
    void etcdctlIsNotOnTheHostsButInsideTheEtcdContainerThroughCrictl() throws Exception {
        String host = fleet.hosts().get(3).hostname();
        // a kubeadm host has no etcdctl binary; the machine's Debian etcdctl stays where it is
        assertThat(fleet.exec(host, "bash", "-c", "command -v etcdctl").exitCode()).isEqualTo(1);
        ProcessRun.Result missing = fleet.exec(host, "sh", "-c", "etcdctl version");
        assertThat(missing.exitCode()).isEqualTo(127);
        assertThat(missing.stderr()).contains("etcdctl: not found");
        assertThat(fleet.exec(host, "test", "-e", "/usr/bin/etcdctl").exitCode()).isEqualTo(1);
        assertThat(Path.of("/usr/bin/etcdctl")).exists();
        String ps = "crictl --runtime-endpoint unix:///run/containerd/containerd.sock ps --name etcd --state running"
                + " -q";
        assertThat(fleet.exec(host, "sh", "-c", ps).orThrow().stdout()).as("no etcd yet").isEmpty();

        fleet.startEtcd(host);
        String id = fleet.exec(host, "sh", "-c", ps).orThrow().stdout().strip();
        assertThat(id).matches("[0-9a-f]{64}");
        fleet.etcdctl(host, "--endpoints", "http://127.0.0.1:2379", "put", "/fleet/key", "value").orThrow();
        assertThat(fleet.etcdctl(host, "--endpoints", "http://127.0.0.1:2379", "get", "/fleet/key").orThrow()
                .stdout()).isEqualTo("/fleet/key\nvalue\n");
        var list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(fleet.etcdctl(host, "--endpoints",
                "http://127.0.0.1:2379", "member", "list", "-w", "json", "--hex").orThrow().stdout());
        assertThat(list.path("members").get(0).path("ID").isIntegralNumber())
                .as("Debian's etcdctl 3.4 prints a JSON number even with --hex").isTrue();
        ProcessRun.Result shell = fleet.exec(host, "crictl", "--runtime-endpoint",
                "unix:///run/containerd/containerd.sock", "exec", id, "sh");
        assertThat(shell.stderr()).contains("executable file not found");

        fleet.stopEtcdMember(host);
        assertThat(fleet.exec(host, "sh", "-c", ps).orThrow().stdout()).isEmpty();
        ProcessRun.Result stale = fleet.exec(host, "crictl", "--runtime-endpoint",
                "unix:///run/containerd/containerd.sock", "exec", id, "etcdctl", "version");
        assertThat(stale.exitCode()).isEqualTo(1);
        assertThat(stale.stderr()).contains("code = NotFound desc = could not find container \"" + id + "\"");
        // the kubelet (systemctl shim) starts the etcd static pod from its manifest, as a real kubelet would
        String ip = fleet.host(host).ip();
        String manifest = String.join("\n", "apiVersion: \"v1\"", "kind: \"Pod\"", "spec:", "  containers:",
                "  - command:", "    - \"etcd\"", "    - \"--name=" + host + "\"", "    - \"--data-dir=/var/lib/etcd\"",
                "    - \"--listen-client-urls=http://" + ip + ":2379,http://127.0.0.1:2379\"",
                "    - \"--advertise-client-urls=http://" + ip + ":2379\"",
                "    - \"--listen-peer-urls=http://" + ip + ":2380\"",
                "    - \"--initial-advertise-peer-urls=http://" + ip + ":2380\"",
                "    - \"--initial-cluster=" + host + "=http://" + ip + ":2380\"", "    image: \"etcd\"", "");
        fleet.exec(host, "sh", "-c", "mkdir -p /etc/kubernetes/manifests && cat > /etc/kubernetes/manifests/etcd.yaml"
                + " <<'EOF'\n" + manifest + "EOF").orThrow();
        fleet.exec(host, "systemctl", "restart", "kubelet").orThrow();
        assertThat(fleet.exec(host, "sh", "-c", ps).orThrow().stdout().strip()).as("a restarted etcd, a new ID")
                .matches("[0-9a-f]{64}").isNotEqualTo(id);
        assertThat(fleet.etcdctl(host, "--endpoints", "http://127.0.0.1:2379", "get", "/fleet/key").orThrow()
                .stdout()).isEqualTo("/fleet/key\nvalue\n");
    }

    static List<String> netnsNames() {
        return ProcessRun.run(java.time.Duration.ofSeconds(10), List.of("ip", "netns", "list")).orThrow().stdout()
                .lines().map(l -> l.split(" ")[0]).toList();
    }
}
