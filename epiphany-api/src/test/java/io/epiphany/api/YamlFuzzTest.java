package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;

/**
 * Mutates the seed's YAML (and a description using every optional key) thousands of times: whatever the input,
 * {@link Cluster#fromYaml(String)} returns a cluster or throws {@link ConfigException}, never anything else; and a
 * cluster it returns survives a write/read round trip.
 */
class YamlFuzzTest {
    private static final List<String> BASES = List.of(resource("/seed-cluster.yml"),
            resource("/full-options-cluster.yml"));
    /** Characters with a meaning in YAML, and some that trouble parsers. */
    private static final List<String> SPECIAL = List.of(":", ": ", "- ", "-", "[", "]", "{", "}", "&a ", "*a", "!",
            "!!str ", "!!binary ", "|", ">", "%", "@", "`", "#", "'", "\"", ",", "?", "? ", "---", "...", "\t", "\n",
            "\r", "\u0000", "\u0085", "\u2028", "\uFEFF", "\uD800", "\\", "<<: ", "~", "null", "&a [*a, *a]", "\n  ",
            "\n- ", "%YAML 1.2\n", "!!python/object ");

    private static String resource(String name) {
        try {
            return RoundTripTest.resource(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the text: a cluster or a ConfigException with at least one problem; anything else fails the property. */
    private static void readsOrReportsProblems(String yaml) {
        Cluster cluster;
        try {
            cluster = Cluster.fromYaml(yaml);
        } catch (ConfigException e) {
            assertWellFormed(e);
            Statistics.collect("ConfigException");
            return;
        }
        Statistics.collect("Cluster");
        assertThat(Cluster.fromYaml(cluster.toYaml())).isEqualTo(cluster);
    }

    private static void assertWellFormed(ConfigException e) {
        assertThat(e.problems()).isNotEmpty();
        assertThat(e.problems()).allSatisfy(p -> {
            assertThat(p.field()).isNotBlank();
            assertThat(p.message()).isNotBlank();
        });
    }

    @Property(tries = 2000, shrinking = ShrinkingMode.BOUNDED)
    void mutatedYamlGivesAClusterOrAConfigException(@ForAll("mutatedYaml") String yaml) {
        readsOrReportsProblems(yaml);
        // both outcomes must occur, or the mutations are too weak (or too strong) to test anything
        Statistics.coverage(c -> {
            c.check("Cluster").count(n -> n > 0);
            c.check("ConfigException").count(n -> n > 0);
        });
    }

    /** Any strings and numbers in the DSL's fields: a cluster, or a ConfigException, never another exception. */
    @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
    void anyDslValuesGiveAClusterOrAConfigException(@ForAll("texts") String hostname, @ForAll("texts") String ip,
            @ForAll("texts") String version, @ForAll("texts") String podSubnet, @ForAll("texts") String endpoint,
            @ForAll("texts") String labelKey, @ForAll("texts") String labelValue, @ForAll("texts") String flag,
            @ForAll("texts") String user, @ForAll int port, @ForAll int sshPort, @ForAll boolean external) {
        Cluster seed = SeedYamlTest.seedAsDsl();
        Machine m = Machine.builder().hostname(hostname).ip(ip).sshPort(sshPort).sshUser(user).sshAddress(ip)
                .zone(labelValue).hostKeyFingerprint(labelValue).putLabel(labelKey, labelValue)
                .addTaint(Taint.of(labelKey, labelValue, Taint.Effect.NoExecute)).build();
        try {
            seed.toBuilder()
                    .masters(m, seed.masters().get(1), seed.masters().get(2))
                    .kubernetesVersion(version)
                    .networking(Networking.builder().podSubnet(podSubnet).serviceSubnet(ip + "/" + port).dnsDomain(hostname).build())
                    .loadBalancer(external ? LoadBalancer.external(endpoint) : LoadBalancer.internal(port))
                    .apiServer(ApiServer.builder().addAdmissionPlugins("NodeRestriction", flag).putExtraArg(flag, user).build())
                    .ssh(SshSettings.builder().port(port).user(user).addJumpHost(endpoint).build())
                    .encryption(Encryption.builder().key(Secret.of(labelValue)).build())
                    .certificatesDir(endpoint)
                    .build();
            Statistics.collect("Cluster");
        } catch (ConfigException e) {
            assertWellFormed(e);
            Statistics.collect("ConfigException");
        }
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(List.of(
                Arbitraries.strings().ofMaxLength(300),
                Arbitraries.strings().withChars("abcdefABCDEF0123456789.:/-_[]@%").ofMaxLength(50),
                Arbitraries.of("", "k1m1", "10.10.9.9", "fd00::9", "::ffff:10.10.1.148", "1.37.0", "10.244.0.0/16",
                        "::/0", "0.0.0.0/0", "api.example.com:6443", "[::1]:6443", "1.2.3.4:0", ":", "[", "]:", "a".repeat(300),
                        "99999999999.1.1", "1.99999999999.1", "1.2.3.4/99999999999", "a..b", ".", "-", "NodeRestriction")));
    }

    @Property(tries = 300)
    void arbitraryTextGivesAClusterOrAConfigException(@ForAll String text) {
        readsOrReportsProblems(text);
    }

    @Provide
    Arbitrary<String> mutatedYaml() {
        Arbitrary<UnaryOperator<String>> mutation = Arbitraries.oneOf(List.of(
                deleteChars(), insert(Arbitraries.of(SPECIAL)), insert(Arbitraries.strings().ofMaxLength(8)),
                replaceChar(), duplicateLine(), deleteLine(), swapLines(), reindent(), replaceValue(), randomBytes()));
        return Combinators.combine(Arbitraries.of(BASES), mutation.list().ofMinSize(1).ofMaxSize(6))
                .as((base, mutations) -> {
                    String yaml = base;
                    for (UnaryOperator<String> m : mutations) {
                        yaml = m.apply(yaml);
                    }
                    return yaml;
                });
    }

    /** A position within the text, as a fraction of its length, so a mutation fits whatever text it gets. */
    private static Arbitrary<Double> where() {
        return Arbitraries.doubles().between(0, 1);
    }

    private static int at(String text, double where) {
        return (int) Math.min(text.length(), Math.floor(where * (text.length() + 1)));
    }

    private static Arbitrary<UnaryOperator<String>> deleteChars() {
        return Combinators.combine(where(), Arbitraries.integers().between(1, 20)).as((w, n) -> text -> {
            int from = at(text, w);
            return text.substring(0, from) + text.substring(Math.min(text.length(), from + n));
        });
    }

    private static Arbitrary<UnaryOperator<String>> insert(Arbitrary<String> what) {
        return Combinators.combine(where(), what).as((w, s) -> text -> {
            int i = at(text, w);
            return text.substring(0, i) + s + text.substring(i);
        });
    }

    private static Arbitrary<UnaryOperator<String>> replaceChar() {
        return Combinators.combine(where(), Arbitraries.chars()).as((w, c) -> text -> {
            int i = at(text, w);
            return i >= text.length() ? text + c : text.substring(0, i) + c + text.substring(i + 1);
        });
    }

    private static Arbitrary<UnaryOperator<String>> onLines(java.util.function.BiFunction<List<String>, Integer, List<String>> f) {
        return where().map(w -> text -> {
            List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
            int i = Math.min(lines.size() - 1, (int) (w * lines.size()));
            return String.join("\n", f.apply(lines, i));
        });
    }

    private static Arbitrary<UnaryOperator<String>> duplicateLine() {
        return onLines((lines, i) -> {
            lines.add(i, lines.get(i));
            return lines;
        });
    }

    private static Arbitrary<UnaryOperator<String>> deleteLine() {
        return onLines((lines, i) -> {
            lines.remove((int) i);
            return lines;
        });
    }

    private static Arbitrary<UnaryOperator<String>> swapLines() {
        return onLines((lines, i) -> {
            int j = (i + 1) % lines.size();
            String t = lines.get(i);
            lines.set(i, lines.get(j));
            lines.set(j, t);
            return lines;
        });
    }

    /** Changes one line's indentation: more, less, or tabs. */
    private static Arbitrary<UnaryOperator<String>> reindent() {
        return Combinators.combine(where(), Arbitraries.of("", " ", "  ", "    ", "\t", "      ", "        ")).as(
                (w, indent) -> onLinesNow(w, (lines, i) -> {
                    lines.set(i, indent + lines.get(i).stripLeading());
                    return lines;
                }));
    }

    private static UnaryOperator<String> onLinesNow(double w,
            java.util.function.BiFunction<List<String>, Integer, List<String>> f) {
        return text -> {
            List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
            int i = Math.min(lines.size() - 1, (int) (w * lines.size()));
            return String.join("\n", f.apply(lines, i));
        };
    }

    /** Replaces the value after a line's "key: " by a random string, number, list, mapping or special value. */
    private static Arbitrary<UnaryOperator<String>> replaceValue() {
        Arbitrary<String> values = Arbitraries.oneOf(List.of(
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-._/:").ofMaxLength(70),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(), java.math.BigInteger.TEN.pow(30))
                        .map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.of("[]", "{}", "[a, b]", "{a: 1}", "~", "null", "true", "no", "''", "\"\"", "-1", "0",
                        "65536", "2147483648", "1e400", ".inf", "0x10", "1.37", "v1.37.0", "1.34.2", "1.38.0",
                        "10.244.0.1/16", "::", "127.0.0.1", "0s", "-5s", "1h1h", "[1, [2, [3]]]", "&x 1", "*x",
                        "!!binary aGk=", "|\n  text", ">\n  folded", "\"\\u0000\"", "\"\\uD800\"")));
        return Combinators.combine(where(), values).as((w, v) -> onLinesNow(w, (lines, i) -> {
            String line = lines.get(i);
            int colon = line.indexOf(": ");
            int dash = line.indexOf("- ");
            if (colon >= 0) {
                lines.set(i, line.substring(0, colon + 2) + v);
            } else if (dash >= 0) {
                lines.set(i, line.substring(0, dash + 2) + v);
            }
            return lines;
        }));
    }

    private static Arbitrary<UnaryOperator<String>> randomBytes() {
        return Combinators.combine(where(), Arbitraries.bytes().array(byte[].class).ofMaxSize(16)).as((w, bytes) -> text -> {
            int i = at(text, w);
            return text.substring(0, i) + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1) + text.substring(i);
        });
    }
}
