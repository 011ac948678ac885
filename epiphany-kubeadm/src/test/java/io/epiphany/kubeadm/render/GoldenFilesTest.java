package io.epiphany.kubeadm.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostFile;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every file of every host, compared with {@code src/test/resources/golden/<variant>/<hostname>/<path>}; the list of
 * each host's files (order, mode, secret) is in {@code <hostname>.files}. Regenerate after an intended change with
 * {@code ./mvnw -pl epiphany-kubeadm verify -Dgolden.update=true} and review the diff.
 */
class GoldenFilesTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden");
    static final boolean UPDATE = Boolean.getBoolean("golden.update");

    /**
     * {@code seed}: the seed's example as {@code cluster.render()} shows it (join files pin the CA-hash placeholder).
     * {@code single-master}: its first master and both nodes, as apply writes them once the CA hash is known.
     */
    static Rendering render(String variant) {
        return switch (variant) {
            case "seed" -> HostFiles.render(Fixtures.seed(), Fixtures.context(Fixtures.seed()));
            case "single-master" -> HostFiles.render(Fixtures.singleMaster(),
                    Fixtures.context(Fixtures.singleMaster()).withCaCertHash(Fixtures.caHash()));
            default -> throw new IllegalArgumentException(variant);
        };
    }

    static Cluster cluster(String variant) {
        return variant.equals("seed") ? Fixtures.seed() : Fixtures.singleMaster();
    }

    @ParameterizedTest
    @ValueSource(strings = {"seed", "single-master"})
    void everyFileOfEveryHostMatchesItsGoldenFile(String variant) throws IOException {
        Rendering rendering = render(variant);
        Path dir = GOLDEN.resolve(variant);
        List<String> expectedFiles = new ArrayList<>();
        for (Machine machine : cluster(variant).machines()) {
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
        TreeSet<String> present;
        try (Stream<Path> all = Files.walk(dir)) {
            present = all.filter(Files::isRegularFile).map(p -> GOLDEN.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(present).as("golden files of %s", variant).isEqualTo(new TreeSet<>(expectedFiles));
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
