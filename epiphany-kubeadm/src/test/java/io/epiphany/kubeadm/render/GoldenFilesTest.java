package io.epiphany.kubeadm.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostFile;
import io.epiphany.api.KubernetesVersion;
import io.epiphany.api.Machine;
import io.epiphany.api.Rendering;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of every host, for every supported minor, compared with
 * {@code src/test/resources/golden/<minor>/<variant>/<hostname>/<path>}; the list of each host's files (order, mode,
 * secret) is in {@code <hostname>.files}. Regenerate after an intended change with
 * {@code ./mvnw -pl epiphany-kubeadm verify -Dgolden.update=true} and review the diff.
 */
class GoldenFilesTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden");
    static final boolean UPDATE = Boolean.getBoolean("golden.update");
    static final List<String> VARIANTS = List.of("seed", "single-master");

    /** Each supported minor's first release: golden files pin a version, so they survive a change of the default. */
    static List<String> supportedMinors() {
        List<String> minors = new ArrayList<>();
        for (int m = KubernetesVersion.MIN.minor(); m <= KubernetesVersion.MAX_MINOR.minor(); m++) {
            minors.add("1." + m);
        }
        return minors;
    }

    static Stream<Arguments> minorsAndVariants() {
        return supportedMinors().stream().flatMap(minor -> VARIANTS.stream().map(v -> Arguments.of(minor, v)));
    }

    /**
     * {@code seed}: the seed's example as {@code cluster.render()} shows it (join files pin the CA-hash placeholder).
     * {@code single-master}: its first master and both nodes, as apply writes them once the CA hash is known.
     */
    static Cluster cluster(String minor, String variant) {
        Cluster base = variant.equals("seed") ? Fixtures.seed() : Fixtures.singleMaster();
        return base.toBuilder().kubernetesVersion(minor + ".0").build();
    }

    static Rendering render(Cluster cluster, String variant) {
        return switch (variant) {
            case "seed" -> HostFiles.render(cluster, Fixtures.context(cluster));
            case "single-master" -> HostFiles.render(cluster,
                    Fixtures.context(cluster).withCaCertHash(Fixtures.caHash()));
            default -> throw new IllegalArgumentException(variant);
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("minorsAndVariants")
    void everyFileOfEveryHostMatchesItsGoldenFile(String minor, String variant) throws IOException {
        Cluster cluster = cluster(minor, variant);
        Rendering rendering = render(cluster, variant);
        Path dir = GOLDEN.resolve(minor).resolve(variant);
        List<String> expectedFiles = new ArrayList<>();
        for (Machine machine : cluster.machines()) {
            String host = machine.hostname();
            StringBuilder listing = new StringBuilder();
            for (HostFile f : rendering.files(host)) {
                Path golden = dir.resolve(host).resolve(f.path().substring(1));
                expectedFiles.add(GOLDEN.relativize(golden).toString());
                listing.append(String.format("%s %04o%s%n", f.path(), f.mode(), f.isSecret() ? " secret" : ""));
                compare(golden, f.content());
            }
            compare(dir.resolve(host + ".files"), listing.toString());
            expectedFiles.add(GOLDEN.relativize(dir.resolve(host + ".files")).toString());
        }
        // No stale golden file of a file the renderer no longer writes.
        assertThat(filesUnder(dir)).as("golden files of %s %s", minor, variant).isEqualTo(new TreeSet<>(expectedFiles));
    }

    @Test
    void goldenFilesExistForEverySupportedMinorAndNoOther() throws IOException {
        TreeSet<String> expected = new TreeSet<>();
        supportedMinors().forEach(minor -> VARIANTS.forEach(v -> expected.add(minor + "/" + v)));
        TreeSet<String> present = new TreeSet<>();
        for (String file : filesUnder(GOLDEN)) {
            String[] parts = file.split("/", 3);
            present.add(parts[0] + "/" + (parts.length > 1 ? parts[1] : ""));
        }
        assertThat(present).isEqualTo(expected);
    }

    private static TreeSet<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).map(p -> GOLDEN.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static void compare(Path golden, String actual) throws IOException {
        if (UPDATE) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual);
        }
        assertThat(golden).as("golden file %s (regenerate with -Dgolden.update=true)", golden).exists();
        assertThat(actual).as("%s", golden).isEqualTo(Files.readString(golden));
    }
}
