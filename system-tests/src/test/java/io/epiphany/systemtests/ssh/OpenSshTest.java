package io.epiphany.systemtests.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.Machine;
import io.epiphany.api.Secret;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.UploadResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * epiphany-ssh against real OpenSSH sshd on loopback ports: exec, SFTP, sudo as a non-root user, ProxyJump, hashed
 * known_hosts, accept-new, changed host keys. Runs as root (it starts sshd and creates users).
 */
class OpenSshTest {
    @TempDir
    Path dir;
    Path key;
    Path knownHosts;
    RemoteAccess access;
    final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    static void requireRootAndSshd() {
        String why = "needs root, /usr/sbin/sshd and sudo: run ./system-test as root (it installs openssh-server)";
        // Under ./system-test a missing prerequisite is a failure, never a silent skip (as SystemAssumptions does).
        if (Boolean.getBoolean("epiphany.system.required") && !OpenSshd.available()) {
            org.junit.jupiter.api.Assertions.fail(why);
        }
        assumeTrue(OpenSshd.available(), why);
    }

    @BeforeEach
    void setUp() throws Exception {
        key = OpenSshd.clientKey(dir, "ed25519", null);
        knownHosts = dir.resolve("known_hosts");
        access = RemoteAccess.load();
    }

    @AfterEach
    void tearDown() throws Exception {
        access.close();
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private OpenSshd sshd(String name) throws Exception {
        OpenSshd s = OpenSshd.start(dir.resolve(name), null, 0);
        cleanup.add(s);
        s.authorize("root", Path.of(key + ".pub"));
        return s;
    }

    private void trust(OpenSshd s) throws Exception {
        Files.writeString(knownHosts, s.knownHostsLine() + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    private SshSettings.Builder settings() {
        return SshSettings.builder().privateKey(key).knownHosts(knownHosts).hostKeyPolicy(HostKeyPolicy.STRICT);
    }

    private static Machine machine(OpenSshd s) {
        return Machine.builder().hostname("sshd-" + s.port).ip("127.0.0.1").sshPort(s.port).build();
    }

    @Test
    void execKeepsStreamsApartWithRealExitCodes() throws Exception {
        OpenSshd s = sshd("exec");
        trust(s);
        RemoteHost host = access.host(machine(s), settings().build());
        CommandResult r = host.run(Command.shell("id -un; echo warn >&2; exit 7"));
        assertThat(r.stdout()).isEqualTo("root\n");
        assertThat(r.stderr()).isEqualTo("warn\n");
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(host.run(Command.of("cat").stdin("in\n".getBytes(StandardCharsets.UTF_8))).stdout())
                .isEqualTo("in\n");
    }

    @Test
    void sftpUploadIsAtomicWithModeAndOwnerAndSkipsUnchangedContent() throws Exception {
        OpenSshd s = sshd("sftp");
        trust(s);
        RemoteHost host = access.host(machine(s), settings().build());
        Path target = dir.resolve("pki/etcd/ca.key");
        RemoteFile file = RemoteFile.of(target.toString(), "CA KEY\n", 0600).secret();
        assertThat(host.upload(file)).isEqualTo(UploadResult.WRITTEN);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");
        assertThat(Files.getOwner(target).getName()).isEqualTo("root");
        assertThat(host.upload(file)).isEqualTo(UploadResult.UNCHANGED);
        assertThat(host.upload(RemoteFile.of(target.toString(), "CA KEY 2\n", 0600))).isEqualTo(UploadResult.WRITTEN);
        assertThat(host.read(target.toString())).hasValue("CA KEY 2\n".getBytes(StandardCharsets.UTF_8));
        assertThat(host.read(dir.resolve("nope").toString())).isEmpty();
        try (var files = Files.list(target.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("ca.key");
        }
    }

    @Test
    void aNonRootUserGetsRootThroughSudoN() throws Exception {
        OpenSshd s = sshd("sudo");
        trust(s);
        try (TestUser user = TestUser.create("NOPASSWD: ALL", null)) {
            s.authorize(user.name, Path.of(key + ".pub"));
            RemoteHost host = access.host(machine(s).withSshUser(user.name), settings().build());
            assertThat(host.run(Command.of("id", "-un")).stdout()).isEqualTo(user.name + "\n");
            assertThat(host.run(Command.of("id", "-un").asRoot()).stdout()).isEqualTo("root\n");
            Path target = dir.resolve("root-only/secret.conf");
            RemoteFile file = RemoteFile.of(target.toString(), "s3cr3t\n", 0600).secret();
            assertThat(host.upload(file)).isEqualTo(UploadResult.WRITTEN);
            assertThat(Files.getOwner(target).getName()).isEqualTo("root");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");
            assertThat(host.upload(file)).isEqualTo(UploadResult.UNCHANGED);
            assertThat(host.read(target.toString())).hasValue("s3cr3t\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void sudoWantingAPasswordIsAClearErrorAndTheOptInPasswordWorks() throws Exception {
        OpenSshd s = sshd("sudopw");
        trust(s);
        String password = "pw-" + Long.toHexString(System.nanoTime());
        try (TestUser user = TestUser.create("ALL", password)) {
            s.authorize(user.name, Path.of(key + ".pub"));
            Machine m = machine(s).withSshUser(user.name);
            assertThatThrownBy(() -> access.host(m, settings().build()).run(Command.of("id", "-un").asRoot()))
                    .isInstanceOf(RemoteException.class).hasMessageContaining(m.hostname())
                    .hasMessageContaining("sudo wants a password").hasMessageContaining("sudoPassword");
            RemoteHost withPassword = access.host(m, settings().sudoPassword(Secret.of(password)).build());
            CommandResult r = withPassword.run(Command.shell("id -un; cat").asRoot()
                    .stdin("after-password\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(r.stdout()).isEqualTo("root\nafter-password\n");
            assertThat(r.toString() + r.stderr() + r.command()).doesNotContain(password);
        }
    }

    @Test
    void proxyJumpThroughASecondSshd() throws Exception {
        OpenSshd jump = sshd("jump");
        OpenSshd target = sshd("target");
        trust(jump);
        trust(target);
        RemoteHost host = access.host(machine(target),
                settings().addJumpHost("root@127.0.0.1:" + jump.port).build());
        assertThat(host.run(Command.shell("echo $SSH_CONNECTION")).stdout())
                .as("the target sees a connection coming from the jump host's forwarding, not from us directly")
                .startsWith("127.0.0.1 ").contains(" " + target.port);
        assertThat(host.upload(RemoteFile.of(dir.resolve("via-jump").toString(), "x", 0644)))
                .isEqualTo(UploadResult.WRITTEN);
    }

    @Test
    void hashedKnownHostsFromSshKeygenAreAccepted() throws Exception {
        OpenSshd s = sshd("hashed");
        trust(s);
        OpenSshd.run("ssh-keygen", "-H", "-f", knownHosts.toString());
        assertThat(Files.readString(knownHosts)).startsWith("|1|").doesNotContain("127.0.0.1");
        assertThat(access.host(machine(s), settings().build()).run(Command.of("true")).exitCode()).isZero();
    }

    @Test
    void acceptNewWritesAnEntryOpenSshItselfAccepts() throws Exception {
        OpenSshd s = sshd("tofu");
        assertThat(access.host(machine(s), settings().hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW).build())
                .run(Command.of("true")).exitCode()).isZero();
        assertThat(Files.readString(knownHosts)).contains("[127.0.0.1]:" + s.port);
        String out = OpenSshd.output("ssh", "-F", "/dev/null", "-i", key.toString(), "-p", String.valueOf(s.port),
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o",
                "UserKnownHostsFile=" + knownHosts, "root@127.0.0.1", "echo", "openssh-agrees");
        assertThat(out).contains("openssh-agrees");
    }

    /**
     * The common way a host gets into known_hosts: one {@code ssh} to it, which records the one key OpenSSH chose
     * (Ed25519 on a stock host with Ed25519, ECDSA and RSA keys). The SDK then asks the host for that key too.
     */
    @Test
    void aHostRecordedByOpenSshItselfIsAcceptedUnderStrict() throws Exception {
        OpenSshd s = OpenSshd.start(dir.resolve("three-keys"), null, 0, List.of("ecdsa", "rsa"));
        cleanup.add(s);
        s.authorize("root", Path.of(key + ".pub"));
        String out = OpenSshd.output("ssh", "-F", "/dev/null", "-i", key.toString(), "-p", String.valueOf(s.port),
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new", "-o",
                "UserKnownHostsFile=" + knownHosts, "root@127.0.0.1", "echo", "recorded");
        assertThat(out).contains("recorded");
        assertThat(Files.readAllLines(knownHosts)).as("OpenSSH recorded one key").singleElement().asString()
                .contains(" ssh-ed25519 ");
        assertThat(access.host(machine(s), settings().build()).run(Command.of("echo", "sdk")).stdout())
                .isEqualTo("sdk\n");
    }

    @Test
    void aHostKnownUnderEveryKeyShowsTheSdkTheKeyItShowsSsh() throws Exception {
        OpenSshd s = OpenSshd.start(dir.resolve("every-key"), null, 0, List.of("ecdsa", "rsa"));
        cleanup.add(s);
        s.authorize("root", Path.of(key + ".pub"));
        // as the README records hosts: ssh-keyscan writes every key the server has
        Files.writeString(knownHosts, OpenSshd.output("ssh-keyscan", "-p", String.valueOf(s.port), "127.0.0.1")
                .lines().filter(l -> !l.startsWith("#")).map(l -> l + "\n").reduce("", String::concat));
        assertThat(Files.readAllLines(knownHosts)).as("ssh-keyscan recorded three keys").hasSize(3);
        String debug = OpenSshd.output("ssh", "-v", "-F", "/dev/null", "-i", key.toString(), "-p",
                String.valueOf(s.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o",
                "UserKnownHostsFile=" + knownHosts, "root@127.0.0.1", "true");
        String shownToSsh = debug.replaceAll("(?s).*kex: host key algorithm: (\\S+).*", "$1");
        assertThat(shownToSsh).isEqualTo("ssh-ed25519");
        RemoteHost host = access.host(machine(s), settings().build());
        host.run(Command.of("true")).orThrow();
        assertThat(host.hostKeyAlgorithm()).contains(shownToSsh);
    }

    @Test
    void aChangedHostKeyIsRefusedWithBothFingerprints() throws Exception {
        OpenSshd original = sshd("changed");
        trust(original);
        String recorded = original.fingerprint();
        int port = original.port;
        original.close();
        cleanup.remove(original);
        OpenSshd replaced = OpenSshd.start(dir.resolve("changed2"), null, port);
        cleanup.add(replaced);
        replaced.authorize("root", Path.of(key + ".pub"));
        Path marker = dir.resolve("must-not-exist");
        assertThatThrownBy(() -> access.host(machine(replaced), settings().hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW)
                .build()).run(Command.of("touch", marker.toString())))
                .isInstanceOf(RemoteException.class).hasMessageContaining("HOST KEY CHANGED")
                .hasMessageContaining(recorded).hasMessageContaining(replaced.fingerprint());
        assertThat(marker).doesNotExist();
    }

    @Test
    void aPinnedFingerprintFromSshKeygenIsHonoured() throws Exception {
        OpenSshd s = sshd("pinned");
        Machine m = machine(s).withHostKeyFingerprint(s.fingerprint());
        assertThat(access.host(m, settings().build()).run(Command.of("echo", "pinned")).stdout())
                .isEqualTo("pinned\n");
    }
}
