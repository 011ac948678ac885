package io.epiphany.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.remote.Command;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SIMULATED shell: syntax it accepts and rejects, dash's messages, wrappers, file utilities. */
class SimulatedOsTest {
    @TempDir
    Path dir;
    private OsHarness h;

    @BeforeEach
    void host() throws Exception {
        h = new OsHarness(dir);
    }

    @Test
    void unknownCommandExits127LikeDash() {
        OsHarness.Result r = h.run("frobnicate --now");
        assertThat(r.exit()).isEqualTo(127);
        assertThat(r.err()).isEqualTo("sh: 1: frobnicate: not found\n");
        h.store.update(s -> s.hosts.get("h1").binaries.remove("kubeadm"));
        assertThat(h.run("kubeadm version -o short").exit()).isEqualTo(127);
    }

    @Test
    void unsupportedSyntaxExits2() {
        for (String line : new String[] {"cat /a | sha256sum", "echo $HOME", "cat `x`", "(date +%s)", "cat /a > /b",
                "date +%s &", "cat 'unterminated"}) {
            assertThat(h.run(line).exit()).as(line).isEqualTo(2);
        }
    }

    @Test
    void quotesOperatorsAndRedirections() throws Exception {
        h.host.files().write("/etc/it's here", "x\n", 0644);
        String quoted = Command.of("cat", "/etc/it's here").line();
        assertThat(h.run(quoted).out()).isEqualTo("x\n");
        assertThat(h.run("cat /nope 2>/dev/null || mkdir -p /opt/a && cat \"/etc/it's here\"").out()).isEqualTo("x\n");
        assertThat(h.run("cat /nope 2>/dev/null").err()).isEmpty();
        assertThat(h.run("cat /etc/it\\'s\\ here >/dev/null; date +%s").out()).matches("\\d+\n");
        assertThat(h.run("cat /nope && date +%s").exit()).isEqualTo(1);
    }

    @Test
    void sudoAndShCWrappersRunAsRoot() throws Exception {
        h.host.files().write("/etc/kubernetes/pki/ca.key", "secret", 0600);
        assertThat(h.run("cat /etc/kubernetes/pki/ca.key", false, CommandInterceptor.NONE).err())
                .contains("Permission denied");
        assertThat(h.run("sudo -n sh -c 'cat /etc/kubernetes/pki/ca.key'", false, CommandInterceptor.NONE).out())
                .isEqualTo("secret");
        assertThat(h.run("sudo -S -p '' sh -c 'mkdir -p /etc/x'", false, CommandInterceptor.NONE).exit()).isZero();
        assertThat(h.run("mkdir -p /etc/y", false, CommandInterceptor.NONE).err()).contains("Permission denied");
    }

    @Test
    void commandVAndFileUtilities() throws Exception {
        assertThat(h.run("command -v kubeadm").out()).isEqualTo("/usr/bin/kubeadm\n");
        assertThat(h.run("command -v haproxy").exit()).isEqualTo(1);
        h.host.files().write("/tmp/f", "abc", 0644);
        assertThat(h.run("sha256sum /tmp/f").out())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  /tmp/f\n");
        assertThat(h.run("mv -f /tmp/f /tmp/g && cat /tmp/g").out()).isEqualTo("abc");
        assertThat(h.run("rm -f /tmp/g /tmp/missing").exit()).isZero();
        assertThat(h.run("mv -f /tmp/g /tmp/h").err()).isEqualTo("mv: cannot stat '/tmp/g': No such file or directory\n");
        h.diskFull = true;
        assertThat(h.run("mkdir -p /var/x").err()).contains("No space left on device");
    }

    @Test
    void stateChangingCommandsAreClassifiedFromTheLine() {
        assertThat(h.os.changesState("command -v haproxy")).isFalse();
        assertThat(h.os.changesState("systemctl is-active kubelet")).isFalse();
        assertThat(h.os.changesState("kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o json")).isFalse();
        assertThat(h.os.changesState("etcdctl --endpoints https://1.2.3.4:2379 member list -w json --hex")).isFalse();
        assertThat(h.os.changesState("sudo -n sh -c 'systemctl reload haproxy'")).isTrue();
        assertThat(h.os.changesState("env DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy")).isTrue();
        assertThat(h.os.changesState("etcdctl --endpoints https://1.2.3.4:2379 member remove 8e9e05c52164694d"))
                .isTrue();
        assertThat(h.os.changesState("kubeadm version -o short")).isFalse();
        assertThat(h.os.changesState("kubeadm reset -f")).isTrue();
    }

    @Test
    void interceptorSeesUnwrappedCommands() {
        OsHarness.Result r = h.run("sudo -n sh -c 'date +%s'", false,
                (words, err) -> words.get(0).equals("date") ? OptionalInt.of(42) : OptionalInt.empty());
        assertThat(r.exit()).isEqualTo(42);
    }

    @Test
    void haproxyCheckAndSystemctl() throws Exception {
        h.run("apt-get install -y haproxy");
        assertThat(h.run("systemctl is-active haproxy").out()).isEqualTo("active\n");
        h.host.files().write("/etc/haproxy/haproxy.cfg", "global\nfrontend fe\n  bind 127.0.0.1:3446\n"
                + "  default_backend nope\nbackend be\n  server m1 10.0.0.1:6443 check bogus\n", 0644);
        OsHarness.Result check = h.run("haproxy -c -f /etc/haproxy/haproxy.cfg");
        assertThat(check.exit()).isEqualTo(1);
        assertThat(check.err()).contains("unknown keyword 'bogus'", "unable to find required default_backend: 'nope'",
                "Fatal errors found in configuration.");
        assertThat(h.run("systemctl reload haproxy").exit()).isEqualTo(1);
        assertThat(h.run("curl -sk https://localhost:3446/readyz").exit()).isEqualTo(7); // old config still loaded
        h.host.files().write("/etc/haproxy/haproxy.cfg", "global\ndefaults\n  mode tcp\n  timeout connect 5s\n"
                + "frontend fe\n  bind 127.0.0.1:3446\n  default_backend be\nbackend be\n"
                + "  server m1 10.0.0.1:6443 check inter 2s fall 3 rise 2\n", 0644);
        assertThat(h.run("haproxy -c -f /etc/haproxy/haproxy.cfg").out()).isEqualTo("Configuration file is valid\n");
        assertThat(h.run("systemctl reload haproxy").exit()).isZero();
        assertThat(h.run("curl -sk https://localhost:3446/readyz").out()).contains("503 Service Unavailable");
    }
}
