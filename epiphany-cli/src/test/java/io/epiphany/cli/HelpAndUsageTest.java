package io.epiphany.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Help, version, completion, and the exit codes of everything refused before a host is touched. */
class HelpAndUsageTest {
    static final String SMALL = "src/test/resources/small-cluster.yml";

    @ParameterizedTest
    @ValueSource(strings = {"plan", "apply", "kubeconfig", "reset", "render", "backup", "restore", "certificates",
        "completion"})
    void everySubcommandHasHelpWithItsOptionsAndTheExitCodes(String command) {
        CliRun run = CliRun.of(command, "--help");

        assertThat(run.code()).as(run.both()).isZero();
        assertThat(run.out()).startsWith("Usage: epiphany " + command + " ")
                .contains("-h, --help", "Exit codes:", "0   done", "1   the file is invalid", "2   usage",
                        "3   failed on a host", "4   an internal error in the SDK");
        if (!command.equals("completion")) {
            assertThat(run.out()).contains("-f=FILE", "--simulated");
        }
        assertThat(CliRun.of("help", command).out()).isEqualTo(run.out());
    }

    /** A command line builds the model of its own subcommand only; help, completion and anything else see all. */
    @Test
    void onlyTheSubcommandRunIsBuiltUnlessEveryOneIsListed() {
        Terminal term = Terminal.of(System.out, System.err, false, java.util.Map.of());
        java.util.Map<String, picocli.CommandLine> all = Main.commandLine(term).getSubcommands();
        assertThat(all).hasSize(12);
        all.forEach((name, c) -> {
            // the names Main adds them under are the names their annotations give
            assertThat(c.getCommandSpec().userObject().getClass().getAnnotation(picocli.CommandLine.Command.class)
                    .name()).isEqualTo(name);
            boolean listsAll = name.equals("help") || name.equals("completion");
            assertThat(Main.commandLine(term, name).getSubcommands().keySet())
                    .isEqualTo(listsAll ? all.keySet() : java.util.Set.of(name));
        });
        for (String first : new String[] {"--help", "pln", "", "-f"}) {
            assertThat(Main.commandLine(term, first).getSubcommands().keySet()).as(first).isEqualTo(all.keySet());
        }
        assertThat(Main.commandLine(term, "lb").getSubcommands().get("lb").getSubcommands()).containsKey("status");
    }

    @Test
    void eachSubcommandShowsItsOwnOptions() {
        assertThat(CliRun.of("plan", "--help").out()).contains("--output=FORMAT", "json");
        assertThat(CliRun.of("kubeconfig", "--help").out()).contains("--server-of=HOST");
        assertThat(CliRun.of("reset", "--help").out()).contains("--yes");
        assertThat(CliRun.of("render", "--help").out()).contains("-o=DIR");
        assertThat(CliRun.of("restore", "--help").out()).contains("ARCHIVE", "--replace=CLUSTER", "--sha256=HEX");
        assertThat(CliRun.of("backup", "--help").out()).contains("ARCHIVE", "--output=FORMAT");
        assertThat(CliRun.of("apply", "--help").out()).contains("--rotate-encryption-key", "encryption status");
        CliRun status = CliRun.of("encryption", "status", "--help");
        assertThat(status.code()).as(status.both()).isZero();
        assertThat(status.out()).startsWith("Usage: epiphany encryption status ")
                .contains("-f=FILE", "--simulated", "never their material", "Exit codes:", "3   failed on a host");
        CliRun bare = CliRun.of("encryption");
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.err()).contains("Usage: epiphany encryption", "status");
    }

    @Test
    void topLevelHelpListsEveryCommandAndNoCommandIsAUsageError() {
        CliRun help = CliRun.of("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("plan", "apply", "kubeconfig", "reset", "render", "completion", "Exit codes:");

        CliRun bare = CliRun.of();
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.err()).contains("Usage: epiphany");
    }

    @Test
    void versionIsTheBuildsProjectVersion() {
        assertThat(System.getProperty("project.version")).as("set by the module's surefire configuration").isNotBlank();
        CliRun run = CliRun.of("--version");

        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("epiphany " + System.getProperty("project.version"))
                .doesNotContain("${");
        assertThat(CliRun.of("plan", "--version").out()).isEqualTo(run.out());
    }

    @Test
    void usageErrorsExit2BeforeAnyHostIsTouched() {
        assertUsage(CliRun.of("plan"), "Missing required option: '-f=FILE'");
        assertUsage(CliRun.of("plan", "-f", SMALL, "--bogus"), "Unknown option: '--bogus'");
        assertUsage(CliRun.of("plan", "-f", SMALL, "--output", "yaml"), "--output", "yaml");
        assertUsage(CliRun.of("deploy", "-f", SMALL), "Unmatched argument");
        assertUsage(CliRun.of("render", "-f", SMALL), "Missing required option: '-o=DIR'");
        assertUsage(CliRun.of("reset", "-f", SMALL, "--simulated"), "reset destroys cluster 'small'", "add --yes");
        assertUsage(CliRun.of("kubeconfig", "-f", SMALL, "--simulated", "--server-of", "nope"),
                "--server-of nope: no such machine; the file has [k1m1, k1c1]");
    }

    private static void assertUsage(CliRun run, String... messages) {
        assertThat(run.code()).as(run.both()).isEqualTo(2);
        assertThat(run.err()).contains(messages);
        assertThat(run.out()).as("nothing started: no SIMULATED fleet, no plan").isEmpty();
    }

    @Test
    void anInvalidFileExits1WithEveryProblemItsYamlPathAndValue(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, Files.readString(Path.of(SMALL)).replace("ip: 10.10.1.208", "ip: 10.10.1.999")
                .replace("count: 1\n      machines:\n        - default-k8s-node1",
                        "count: 2\n      machines:\n        - default-k8s-node1"));

        CliRun run = CliRun.of("apply", "-f", bad.toString(), "--simulated");

        assertThat(run.code()).as(run.both()).isEqualTo(1);
        assertThat(run.err()).contains("infrastructure/machine 'default-k8s-node1' > specification.ip",
                "'10.10.1.999'", "not an IP address", "count");
        assertThat(run.out()).isEmpty();

        CliRun missing = CliRun.of("plan", "-f", dir.resolve("absent.yml").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("absent.yml", "cannot read the file");
    }

    @Test
    void completionScriptCompletesCommandsAndOptionsInBash() throws Exception {
        CliRun run = CliRun.of("completion");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("complete -F _complete_epiphany", "plan", "kubeconfig", "--server-of");

        assertThat(complete(run.out(), "epiphany", "k")).containsExactly("kubeconfig");
        assertThat(complete(run.out(), "epiphany", "plan", "--o")).containsExactly("--output");
        assertThat(complete(run.out(), "epiphany", "plan", "--output", "")).containsExactlyInAnyOrder("text", "json");
    }

    /** Sources the script in a real bash and asks its completion function what it offers for the last word. */
    private static List<String> complete(String script, String... words) throws Exception {
        Path file = Files.createTempFile("epiphany-completion", ".bash");
        try {
            Files.writeString(file, script);
            StringBuilder array = new StringBuilder();
            for (String w : words) {
                array.append(" '").append(w).append('\'');
            }
            String bash = "source '" + file + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
                    + "; COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; _complete_epiphany; "
                    + "printf '%s\\n' \"${COMPREPLY[@]}\"";
            // stderr dropped: outside a real completion bash warns that compopt cannot set options
            Process p = new ProcessBuilder("bash", "-c", bash).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("bash finished").isTrue();
            String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return printed.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
