package io.epiphany.kubeadm.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostPreparation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The host-preparation files, per supported minor and OS family, against golden files in
 * {@code src/test/resources/golden-host-setup/<minor>/}; regenerate with {@code -Dgolden.update=true} and review.
 */
class HostSetupGoldenTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden-host-setup");

    static Stream<String> minors() {
        return GoldenFilesTest.supportedMinors().stream();
    }

    static Map<String, String> files(Cluster c) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("sysctl.conf", HostSetupFiles.sysctl());
        out.put("modules.conf", HostSetupFiles.modules());
        out.put("containerd-config.toml", HostSetupFiles.containerdConfig("registry.k8s.io/pause:3.10.1"));
        out.put("debian/kubernetes.list", HostSetupFiles.kubernetesAptList(c));
        out.put("debian/docker.list", HostSetupFiles.dockerAptList(c, "debian", "bookworm"));
        out.put("ubuntu/docker.list", HostSetupFiles.dockerAptList(c, "ubuntu", "noble"));
        out.put("rhel/kubernetes.repo", HostSetupFiles.kubernetesYumRepo(c));
        out.put("rhel/docker-ce.repo", HostSetupFiles.dockerYumRepo(c));
        out.put("kubeadm-images.yaml", HostSetupFiles.imagesConfig(c));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("minors")
    void everyHostSetupFileMatchesItsGoldenFile(String minor) throws IOException {
        Cluster c = Fixtures.singleMaster().toBuilder().kubernetesVersion(minor + ".0").build();
        Path dir = GOLDEN.resolve(minor);
        Map<String, String> files = files(c);
        for (var e : files.entrySet()) {
            Path golden = dir.resolve(e.getKey());
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(golden.getParent());
                Files.writeString(golden, e.getValue());
            }
            assertThat(golden).as("golden file %s (regenerate with -Dgolden.update=true)", golden).exists();
            assertThat(e.getValue()).as("%s", golden).isEqualTo(Files.readString(golden));
        }
        try (Stream<Path> all = Files.walk(dir)) {
            TreeSet<String> present = all.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(present).as("no stale golden file").isEqualTo(new TreeSet<>(files.keySet()));
        }
    }

    @Test
    void theRepositoriesFollowTheMinorAndTheMirrorSettings() {
        Cluster c = Fixtures.singleMaster().toBuilder().kubernetesVersion("1.36.2")
                .hostPreparation(HostPreparation.fromMirrors("https://mirror.example/k8s", "https://mirror.example/docker"))
                .imageRepository("mirror.example:5000/k8s").build();
        assertThat(HostSetupFiles.kubernetesAptList(c)).contains("deb [signed-by=/etc/apt/keyrings/kubernetes-apt-"
                + "keyring.asc] https://mirror.example/k8s/v1.36/deb/ /").doesNotContain("pkgs.k8s.io");
        assertThat(HostSetupFiles.kubernetesYumRepo(c)).contains("baseurl=https://mirror.example/k8s/v1.36/rpm/",
                "gpgkey=https://mirror.example/k8s/v1.36/rpm/repodata/repomd.xml.key", "exclude=kubelet kubeadm kubectl");
        assertThat(HostSetupFiles.dockerAptList(c, "debian", "trixie"))
                .contains("https://mirror.example/docker/debian trixie stable");
        assertThat(HostSetupFiles.imagesConfig(c)).contains("imageRepository: \"mirror.example:5000/k8s\"")
                .doesNotContain("token");
    }

    @Test
    void aSandboxImageThatIsNoImageReferenceIsRefused() {
        assertThatThrownBy(() -> HostSetupFiles.containerdConfig("pause'\n[plugins]"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
