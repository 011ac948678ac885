package io.epiphany.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.Shell;
import java.nio.charset.StandardCharsets;
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
    void aKubeadmHostHasNoEtcdctlButCrictl() {
        // the kubeadm, kubelet and kubectl packages ship no etcdctl; cri-tools comes with them
        assertThat(h.run("command -v etcdctl").exit()).isEqualTo(1);
        assertThat(h.run("command -v etcdctl").out()).isEmpty();
        OsHarness.Result r = h.run("etcdctl --endpoints https://127.0.0.1:2379 member list -w json --hex");
        assertThat(r.exit()).isEqualTo(127);
        assertThat(r.err()).isEqualTo("sh: 1: etcdctl: not found\n");
        assertThat(h.run("/usr/bin/etcdctl version").exit()).isEqualTo(127);
        assertThat(h.run("command -v crictl").out()).isEqualTo("/usr/bin/crictl\n");
    }

    @Test
    void crictlNeedsRootAndTheContainerdSocketAndListsNoEtcdWithoutAControlPlane() {
        String ps = "crictl --runtime-endpoint unix:///run/containerd/containerd.sock ps --name etcd --state running -q";
        h.store.update(s -> s.hosts.get("h1").active.add("containerd"));
        OsHarness.Result empty = h.run(ps);
        assertThat(empty.exit()).isZero();
        assertThat(empty.out()).isEmpty();
        assertThat(h.run(ps, false, CommandInterceptor.NONE).err()).contains("FATA[0000] validate service connection",
                "dial unix /run/containerd/containerd.sock: connect: permission denied");
        assertThat(h.run(ps.replace("containerd/containerd", "crio/crio")).err())
                .contains("dial unix /run/crio/crio.sock: connect: no such file or directory");
        assertThat(h.run("crictl ps --name etcd -q").err()).contains("WARN[0000] runtime connect using default endpoints");
        OsHarness.Result exec = h.run("crictl --runtime-endpoint unix:///run/containerd/containerd.sock exec "
                + "0123abcd etcdctl member list");
        assertThat(exec.exit()).isEqualTo(1);
        assertThat(exec.err()).isEqualTo("FATA[0000] execing command in container: rpc error: code = NotFound desc = "
                + "could not find container \"0123abcd\"\n");
    }

    @Test
    void unsupportedSyntaxExits2() {
        for (String line : new String[] {"cat /a | sha256sum", "echo $HOME", "cat `x`", "(date +%s)", "cat /a 2> /b",
                "cat /a >> /b", "{ date +%s }", "{ date +%s; ", "date +%s; }", "{ date +%s && }", "{date +%s; }",
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
    void plainMkdirIsExclusiveAndRmdirRemovesOnlyEmptyDirectories() throws Exception {
        assertThat(h.run("mkdir /var/lib/epiphany/lock").err())
                .isEqualTo("mkdir: cannot create directory '/var/lib/epiphany/lock': No such file or directory\n");
        assertThat(h.run("mkdir -p /var/lib/epiphany && mkdir /var/lib/epiphany/lock").exit()).isZero();
        OsHarness.Result again = h.run("mkdir /var/lib/epiphany/lock");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("mkdir: cannot create directory '/var/lib/epiphany/lock': File exists\n");
        h.host.files().write("/var/lib/epiphany/lock/owner", "x\n", 0644);
        assertThat(h.run("rmdir /var/lib/epiphany/lock").err())
                .isEqualTo("rmdir: failed to remove '/var/lib/epiphany/lock': Directory not empty\n");
        assertThat(h.run("rm -f /var/lib/epiphany/lock/owner && rmdir /var/lib/epiphany/lock").exit()).isZero();
        assertThat(h.host.files().exists("/var/lib/epiphany/lock")).isFalse();
        assertThat(h.run("rmdir /var/lib/epiphany/lock").err())
                .isEqualTo("rmdir: failed to remove '/var/lib/epiphany/lock': No such file or directory\n");
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

    /** The exec upload line of epiphany-ssh's FileTransfer (docs/host-commands.md), for a target and a mode. */
    private static String uploadLine(String path, String mode, String owner) {
        String dir = path.substring(0, path.lastIndexOf('/'));
        String t = Shell.quote(dir + "/." + path.substring(path.lastIndexOf('/') + 1) + ".epiphany-0a1b2c3d4e5f");
        return "mkdir -p " + Shell.quote(dir) + " && umask 077 && cat > " + t + " && chmod " + mode + " " + t
                + " && chown " + Shell.quote(owner) + " " + t + " && mv -f " + t + " " + Shell.quote(path)
                + " || { rm -f " + t + "; exit 1; }";
    }

    private OsHarness.Result asUser(String line, String stdin) {
        return h.run(line, false, stdin.getBytes(StandardCharsets.UTF_8), CommandInterceptor.NONE);
    }

    @Test
    void execUploadThroughSudoWritesAtomicallyWithModeAndOwner() throws Exception {
        String line = uploadLine("/etc/kubernetes/pki/ca.key", "600", "root");
        assertThat(h.os.changesState("sudo -n sh -c " + Shell.quote(line))).isTrue();
        OsHarness.Result r = asUser("sudo -n sh -c " + Shell.quote(line), "secret\n");
        assertThat(r.exit()).as(r.err()).isZero();
        HostFiles files = h.host.files();
        assertThat(files.readString("/etc/kubernetes/pki/ca.key")).isEqualTo("secret\n");
        assertThat(files.mode("/etc/kubernetes/pki/ca.key")).isEqualTo(0600);
        assertThat(files.list("/etc/kubernetes/pki")).containsExactly("ca.key");
        assertThat(asUser("sudo -n sh -c " + Shell.quote("stat -c %a:%U /etc/kubernetes/pki/ca.key && sha256sum "
                + "/etc/kubernetes/pki/ca.key"), "").out()).startsWith("600:root\n");
        assertThat(h.os.changesState("stat -c %a:%U /etc/a && sha256sum /etc/a")).isFalse();

        // the write is one change (plus chmod and rename), as over SFTP
        int before = h.writes.get();
        assertThat(asUser("sudo -n sh -c " + Shell.quote(uploadLine("/etc/kubernetes/pki/ca.key", "644", "root")),
                "v2").exit()).isZero();
        assertThat(h.writes.get() - before).isEqualTo(3);
        assertThat(files.mode("/etc/kubernetes/pki/ca.key")).isEqualTo(0644);
    }

    @Test
    void withoutSudoTheLoginUserCannotWriteUnderEtc() throws Exception {
        OsHarness.Result r = asUser(uploadLine("/etc/haproxy/haproxy.cfg", "644", "root"), "x");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("mkdir: cannot create directory '/etc/haproxy': Permission denied");
        assertThat(h.host.files().exists("/etc/haproxy")).isFalse();
        h.host.files().mkdirs("/etc/haproxy");
        r = asUser("cat > /etc/haproxy/haproxy.cfg", "x");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("sh: 1: cannot create /etc/haproxy/haproxy.cfg: Permission denied\n");
        assertThat(h.host.files().list("/etc/haproxy")).isEmpty();
        // in /tmp the login user may write and chmod, but chown is root's
        r = asUser(uploadLine("/tmp/a/f", "640", "root"), "x");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("chown: changing ownership of '/tmp/a/.f.epiphany-0a1b2c3d4e5f': "
                + "Operation not permitted");
        assertThat(h.host.files().list("/tmp/a")).isEmpty();
        assertThat(asUser("cat > /nope/f", "").err()).isEqualTo("sh: 1: cannot create /nope/f: Directory nonexistent\n");
    }

    @Test
    void umaskChmodChownStatIdAndExit() throws Exception {
        assertThat(h.run("umask").out()).isEqualTo("0022\n");
        assertThat(asUser("umask 027 && cat > /tmp/u; stat -c '%a %U:%G %u/%g %s %n %%' /tmp/u", "abc").out())
                .isEqualTo("640 root:root 0/0 3 /tmp/u %\n");
        assertThat(asUser("cat > /tmp/v", "").exit()).isZero();
        assertThat(h.host.files().mode("/tmp/v")).isEqualTo(0644);
        assertThat(h.run("chmod 600 /tmp/v && stat -c %a /tmp/v").out()).isEqualTo("600\n");
        assertThat(h.run("chmod u+x /tmp/v").exit()).isEqualTo(1);
        assertThat(h.run("stat -c %a /tmp/none").err()).isEqualTo("stat: cannot statx '/tmp/none': No such file or "
                + "directory\n");
        assertThat(h.run("chown nobody /tmp/v").err()).isEqualTo("chown: invalid user: 'nobody'\n");
        assertThat(h.run("chown root:root /tmp/v && chown 0 /tmp/v").exit()).isZero();
        assertThat(h.run("chown ubuntu /tmp/v").exit()).isEqualTo(1);

        assertThat(asUser("id -u && id -g && id -un", "").out()).isEqualTo("1000\n1000\nubuntu\n");
        assertThat(asUser("sudo -n sh -c 'id -u && id -un'", "").out()).isEqualTo("0\nroot\n");
        assertThat(asUser("id -u root && id -g root && id -u ubuntu", "").out()).isEqualTo("0\n0\n1000\n");
        assertThat(h.run("id -u nobody").exit()).isEqualTo(1);

        assertThat(h.run("exit 3; date +%s").exit()).isEqualTo(3);
        OsHarness.Result r = h.run("cat /nope || { rm -f /tmp/v; exit 1; }; date +%s");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(h.host.files().exists("/tmp/v")).isFalse();
        assertThat(h.run("date +%s && { exit 0; } || exit 5").exit()).isZero();
        assertThat(h.run("sh -c 'exit 7'; date +%s").exit()).isZero(); // exit ends only the inner sh
        h.diskFull = true;
        r = asUser("cat > /tmp/w", "x");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("cat: write error: No space left on device\n");
    }

    @Test
    void stateChangingCommandsAreClassifiedFromTheLine() {
        assertThat(h.os.changesState("cat > /tmp/x")).isTrue();
        assertThat(h.os.changesState("cat /tmp/x >/dev/null || { chmod 600 /tmp/x; }")).isTrue();
        assertThat(h.os.changesState("umask 077 && id -u && stat -c %a /tmp/x || { exit 1; }")).isFalse();
        assertThat(h.os.changesState("command -v haproxy")).isFalse();
        assertThat(h.os.changesState("systemctl is-active kubelet")).isFalse();
        assertThat(h.os.changesState("kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o json")).isFalse();
        String exec = "crictl --runtime-endpoint unix:///run/containerd/containerd.sock exec 0a1b etcdctl --endpoints "
                + "https://127.0.0.1:2379 ";
        assertThat(h.os.changesState(exec + "member list -w json --hex")).isFalse();
        assertThat(h.os.changesState(exec + "endpoint status --cluster -w json")).isFalse();
        assertThat(h.os.changesState("crictl ps --name etcd --state running -q")).isFalse();
        assertThat(h.os.changesState("sudo -n sh -c 'systemctl reload haproxy'")).isTrue();
        assertThat(h.os.changesState("env DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy")).isTrue();
        assertThat(h.os.changesState(exec + "member remove 8e9e05c52164694d")).isTrue();
        assertThat(h.os.changesState(exec + "move-leader 8e9e05c52164694d")).isTrue();
        assertThat(h.os.changesState("kubeadm version -o short")).isFalse();
        assertThat(h.os.changesState("kubeadm reset -f")).isTrue();
    }

    @Test
    void grepPrintsTheMatchingLinesOfOneFileWithGrepsExitStatuses() throws Exception {
        h.host.files().write("/etc/kubernetes/admin.conf", "users:\n- user:\n    client-certificate-data: QUJD\n"
                + "    client-key-data: S0VZ\n", 0600);
        OsHarness.Result r = h.run("grep -F client-certificate-data: /etc/kubernetes/admin.conf");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("    client-certificate-data: QUJD\n");
        assertThat(h.run("grep -F nothing-like-it /etc/kubernetes/admin.conf").exit()).isEqualTo(1);
        OsHarness.Result missing = h.run("grep -F x /etc/none");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("grep: /etc/none: No such file or directory\n");
        assertThat(h.run("grep -F client /etc/kubernetes/admin.conf", false, CommandInterceptor.NONE).exit())
                .as("a 0600 file is root's").isEqualTo(2);
        assertThat(h.run("grep -r x /etc").exit()).isEqualTo(2);
    }

    @Test
    void aLineSentOnStdinIsClassifiedOnceRead() {
        String line = "cat /etc/os-release";
        java.util.List<String> received = new java.util.ArrayList<>();
        CommandInterceptor seen = new CommandInterceptor() {
            @Override
            public OptionalInt intercept(java.util.List<String> words, java.io.PrintStream err) {
                return OptionalInt.empty();
            }

            @Override
            public void received(String real) {
                received.add(real);
            }
        };
        String request = "sh -c \"$(head -c " + line.length() + ")\"";
        assertThat(h.os.sendsLineOnStdin(request)).isTrue();
        assertThat(h.os.changesState(request)).as("not known before it is read").isTrue();
        h.run(request, true, line.getBytes(StandardCharsets.UTF_8), seen);
        assertThat(received).containsExactly(line);
        assertThat(h.os.changesState(received.get(0))).isFalse();
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
        // SIGUSR2 is delivered: the master's failed re-exec keeps the old workers, systemctl still exits 0
        assertThat(h.run("systemctl kill --kill-who=main --signal=SIGUSR2 haproxy").exit()).isZero();
        assertThat(h.run("curl -sk https://localhost:3446/readyz").exit()).isEqualTo(7);
        h.host.files().write("/etc/haproxy/haproxy.cfg", "global\ndefaults\n  mode tcp\n  timeout connect 5s\n"
                + "frontend fe\n  bind 127.0.0.1:3446\n  default_backend be\nbackend be\n"
                + "  server m1 10.0.0.1:6443 check inter 2s fall 3 rise 2\n", 0644);
        assertThat(h.run("haproxy -c -f /etc/haproxy/haproxy.cfg").out()).isEqualTo("Configuration file is valid\n");
        assertThat(h.run("systemctl kill --kill-who=main --signal=SIGUSR2 haproxy").exit()).isZero();
        assertThat(h.run("curl -sk https://localhost:3446/readyz").out()).contains("503 Service Unavailable");
    }

    @Test
    void systemctlKillSignalsOnlyHaproxysMasterAsTheSdkAsks() throws Exception {
        h.run("apt-get install -y haproxy");
        h.run("systemctl stop haproxy");
        OsHarness.Result stopped = h.run("systemctl kill --kill-whom=main -s USR2 haproxy.service");
        assertThat(stopped.exit()).isEqualTo(1);
        assertThat(stopped.err()).isEqualTo("Failed to kill unit haproxy.service: No main process to kill\n");
        h.run("systemctl start haproxy");
        assertThat(h.run("systemctl kill --kill-who=main --signal=SIGUSR2 haproxy").exit()).isZero();
        assertThat(h.run("systemctl kill --kill-who=sideways --signal=SIGUSR2 haproxy").err())
                .contains("Invalid who argument: sideways");
        assertThat(h.run("systemctl kill --signal=SIGUSR2 haproxy").err()).contains("SIMULATED", "--kill-who=main");
        assertThat(h.run("systemctl kill --kill-who=main haproxy").err()).contains("SIMULATED", "SIGTERM");
        assertThat(h.run("systemctl kill --kill-who=main --signal=SIGUSR2 --now haproxy").err())
                .isEqualTo("systemctl: unrecognized option '--now'\n");
        assertThat(h.run("systemctl kill --kill-who=main --signal=SIGUSR2 kubelet").err())
                .contains("SIMULATED", "only haproxy");
        assertThat(h.run("systemctl kill --kill-who=main --signal=SIGUSR2 nosuch").err())
                .isEqualTo("Failed to kill unit nosuch.service: Unit nosuch.service not loaded.\n");
        assertThat(h.run("systemctl kill --kill-who=main --signal=SIGUSR2 haproxy", false, CommandInterceptor.NONE)
                .err()).isEqualTo("Failed to kill unit haproxy.service: Access denied\n");
        assertThat(h.os.changesState("systemctl kill --kill-who=main --signal=SIGUSR2 haproxy")).isTrue();
        assertThat(h.run("systemctl is-active haproxy").out()).isEqualTo("active\n");
    }
}
