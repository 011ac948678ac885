package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inputs an attacker (or a slip of the keyboard) gives: special files, huge values, secrets in the wrong place, paths
 * that are not normalised, keys Kubernetes would refuse. Each is a {@link ConfigException} before any host is touched,
 * short, and without the secret. The preemptive timeouts only keep a hang from blocking the build.
 */
class HostileInputTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    @TempDir
    Path dir;

    private static ConfigException refused(UnaryOperator<Cluster.Builder> change) {
        return catchThrowableOfType(() -> change.apply(SeedYamlTest.seedAsDsl().toBuilder()).build(),
                ConfigException.class);
    }

    private static ConfigException refusedFile(Path file) {
        return catchThrowableOfType(() -> Cluster.fromYaml(file), ConfigException.class);
    }

    @Test
    void devZeroIsRefusedBeforeItIsRead() {
        ConfigException e = assertTimeoutPreemptively(HANG_GUARD, () -> refusedFile(Path.of("/dev/zero")));
        assertThat(e).hasMessageContaining("/dev/zero is not a regular file (a device, named pipe or socket)");
    }

    @Test
    void aNamedPipeIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("cluster.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        ConfigException e = assertTimeoutPreemptively(HANG_GUARD, () -> refusedFile(fifo));
        assertThat(e).hasMessageContaining("is not a regular file");
    }

    @Test
    void aDirectoryIsRefused() {
        assertThat(refusedFile(dir)).hasMessageContaining("is not a regular file (a directory)");
    }

    @Test
    void aHugeFileIsRefusedBySizeWithoutReadingIt() throws Exception {
        Path big = dir.resolve("big.yml");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(EpiphanyYaml.MAX_CHARS * 4L + 1); // sparse: no disk used
        }
        assertThat(refusedFile(big)).hasMessageContaining("is larger than");
    }

    @Test
    void anInterruptedReadStopsWithTheFlagStillSet() throws Exception {
        Path file = dir.resolve("cluster.yml");
        Files.writeString(file, SeedYamlTest.seed());
        Thread.currentThread().interrupt();
        try {
            assertThat(refusedFile(file)).hasMessageContaining("reading was interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(Cluster.fromYaml(file).name()).isEqualTo("k8s1");
    }

    @Test
    void aFileThatIsNotYamlOfOursIsNotEchoed() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n");
        ConfigException e = refusedFile(passwd);
        assertThat(e.getMessage()).doesNotContain("root:x").doesNotContain("/bin/bash").doesNotContain("daemon");
        assertThat(e).hasMessageContaining("each document must be a mapping");
    }

    @Test
    void aBinaryFileIsNotUtf8() throws Exception {
        Path bin = dir.resolve("bin.yml");
        Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertThat(refusedFile(bin)).hasMessageContaining("not UTF-8 text");
    }

    @Test
    void aHugeValueIsEchoedShortened() {
        String huge = "a".repeat(2_000_000);
        ConfigException e = refused(b -> b.masters(Machine.of(huge, "10.10.1.148")));
        assertThat(e.getMessage().length()).isLessThan(2_000);
        assertThat(e.getMessage()).contains("…(2000000 chars)");
        assertThat(e.problems().get(0).value()).hasSize(Problem.MAX_VALUE + "…(2000000 chars)".length());
    }

    @Test
    void aHugeValueInYamlIsEchoedShortened() {
        String huge = "b".repeat(2_000_000);
        ConfigException e = catchThrowableOfType(() -> Cluster.fromYaml(InvalidInputTest.seedWith(
                "hostname: k1m1", "hostname: " + huge)), ConfigException.class);
        assertThat(e.getMessage().length()).isLessThan(4_000);
    }

    @Test
    void aHugeMachineNameIsShortenedInFieldsAndMessagesToo() {
        String huge = "m".repeat(1_000_000);
        ConfigException e = catchThrowableOfType(() -> Cluster.fromYaml(InvalidInputTest.seedWith(
                "- default-k8s-master1", "- " + huge)), ConfigException.class);
        assertThat(e.getMessage().length()).isLessThan(6_000);
        assertThat(e.getMessage()).contains("…(1000000 chars)");
    }

    @Test
    void anEncryptionKeyWrittenWhereAValueIsEchoedIsHidden() {
        String key = Secret.randomBase64(32).reveal();
        // one key in 64 starts with '/' and is then a valid certificates_dir, which would not be a problem to hide
        for (int i = 0; i < 100 && key.startsWith("/"); i++) {
            key = Secret.randomBase64(32).reveal();
        }
        String yaml = InvalidInputTest.seedWithConfig("encryption: {provider: '" + key + "'}",
                "certificates_dir: '" + key + "'", "cri_socket: '" + key + "'", "api_server: {extra_args: {x: \""
                        + key + "\\n\"}}");
        ConfigException e = catchThrowableOfType(() -> Cluster.fromYaml(yaml), ConfigException.class);
        assertThat(e.problems()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(e.getMessage()).doesNotContain(key).doesNotContain(key.substring(0, 20)).contains("hidden");
    }

    @Test
    void aBootstrapTokenWrittenAsAValueIsHidden() {
        String token = Secret.bootstrapToken().reveal();
        ConfigException e = refused(b -> b.criSocket(token));
        assertThat(e.getMessage()).doesNotContain(token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/kubernetes/pki/../pki", "/etc/kubernetes/./pki", "/etc//kubernetes/pki",
            "/etc/kubernetes/pki/", "/", "etc/kubernetes/pki", "/etc/kubernetes/pki\n", "/etc/kubernetes/pki\r",
            "/etc/kube\0rnetes", "/etc/kube\u001brnetes"})
    void certificatesDirMustBeANormalAbsolutePath(String path) {
        ConfigException e = refused(b -> b.certificatesDir(path));
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.field()).isEqualTo("certificatesDir"));
        assertThat(e.getMessage()).doesNotContain("\n  - certificatesDir = '" + path + "\n");
    }

    @Test
    void everyHostPathFieldIsChecked() {
        ConfigException e = refused(b -> b
                .apiServer(ApiServer.builder().audit(Audit.builder().policyFile("/etc/a/../b").logPath("/var/log\r/x")
                        .build()).build())
                .encryption(Encryption.builder().configFile("/etc//enc.yaml").build()));
        assertThat(e.problems()).extracting(Problem::field).containsExactlyInAnyOrder("apiServer.audit.policyFile",
                "apiServer.audit.logPath", "encryption.configFile");
    }

    @Test
    void localPathsMustBeAbsoluteAndNormalised() {
        ConfigException e = refused(b -> b.ssh(SshSettings.builder().privateKey("keys/id_ed25519")
                .knownHosts("/home/me/.ssh/../.ssh/known_hosts").build()));
        assertThat(e.problems()).extracting(Problem::field).containsExactlyInAnyOrder("ssh.privateKey",
                "ssh.knownHosts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix://", "unix:///", "unix://run/containerd.sock", "unix:///run/../containerd.sock",
            "unix:///run/containerd.sock\n", "unix:///run//containerd.sock", "npipe:////./pipe/containerd"})
    void criSocketIsAUnixUrlWithANormalAbsolutePath(String socket) {
        ConfigException e = refused(b -> b.criSocket(socket));
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.field()).isEqualTo("criSocket"));
    }

    @Test
    void labelAndTaintKeysFollowKubernetesQualifiedNames() {
        String longPrefix = ("a".repeat(50) + ".").repeat(5) + "com"; // 258 characters
        String longLabel = "a".repeat(64) + ".com";
        Machine m = Machine.of("k1m1", "10.10.1.148").withLabel(longPrefix + "/x", "v").withLabel(longLabel + "/x", "v")
                .withLabel("Example.com/x", "v").withLabel("/x", "v").withLabel("a/" + "n".repeat(64), "v")
                .withTaint(longPrefix + "/t=v:NoSchedule").withTaint("k=" + "v".repeat(64) + ":NoSchedule");
        ConfigException e = refused(b -> b.masters(m, Machine.of("k1m2", "10.10.2.129"),
                Machine.of("k1m3", "10.10.3.16")));
        assertThat(e.problems()).extracting(Problem::field).containsExactly("masters[0].labels", "masters[0].labels",
                "masters[0].labels", "masters[0].labels", "masters[0].labels", "masters[0].taints",
                "masters[0].taints");
    }

    @Test
    void validQualifiedNamesPass() {
        Machine m = Machine.of("k1m1", "10.10.1.148").withLabel("example.com/rack", "42")
                .withLabel(("a".repeat(63) + ".").repeat(3) + "a".repeat(61) + "/x", "") // a 253-character prefix
                .withLabel("node.kubernetes.io/Some_Name.x", "A-b_c.9").withTaint("dedicated:NoSchedule");
        Cluster c = SeedYamlTest.seedAsDsl().toBuilder().masters(m, Machine.of("k1m2", "10.10.2.129"),
                Machine.of("k1m3", "10.10.3.16")).build();
        assertThat(c.masters().get(0).labels()).hasSize(3);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 21, 60, Integer.MAX_VALUE})
    void connectAttemptsAreBounded(int attempts) {
        ConfigException e = refused(b -> b.ssh(SshSettings.builder().connectAttempts(attempts).build()));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("ssh.connectAttempts");
            assertThat(p.message()).contains("1 to 20");
        });
    }

    @Test
    void twentyConnectAttemptsAreAccepted() {
        assertThat(SeedYamlTest.seedAsDsl().toBuilder().ssh(SshSettings.builder().connectAttempts(20).build()).build()
                .ssh().connectAttempts()).isEqualTo(20);
    }
}
