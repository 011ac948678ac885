package io.epiphany.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code epiphany} command: {@code plan}, {@code apply}, {@code kubeconfig}, {@code reset}, {@code render},
 * {@code backup}, {@code restore}, {@code certificates}, {@code lb status} and {@code encryption status} on
 * the machines a file describes, or with {@code --simulated} on an in-process SIMULATED fleet standing in for them;
 * {@code completion} and {@code help}. Exit codes are listed in every command's help (see {@link Failures}).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        EarlyAccess.process().startFor(java.util.List.of(args)); // first: it overlaps everything below
        System.exit(run(Terminal.system(), args));
    }

    /** Runs one command line on the given streams and returns its exit code (the entry point tests use). */
    static int run(Terminal term, String... args) {
        return execute(commandLine(term, args.length == 0 ? null : args[0]), args);
    }

    /** Runs {@code args} on {@code cl}; an Error (picocli's handler sees Exceptions only) is {@link Failures#INTERNAL}. */
    static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(args);
        } catch (Error e) {
            return Failures.internal(e, cl.getErr());
        }
    }

    /** Every subcommand by name, in the order the help lists them, each made when it is added. */
    private static Map<String, Function<Terminal, Object>> subcommands() {
        Map<String, Function<Terminal, Object>> all = new LinkedHashMap<>();
        all.put("plan", PlanCommand::new);
        all.put("apply", ApplyCommand::new);
        all.put("kubeconfig", KubeconfigCommand::new);
        all.put("reset", ResetCommand::new);
        all.put("render", RenderCommand::new);
        all.put("backup", BackupCommand::new);
        all.put("restore", RestoreCommand::new);
        all.put("certificates", CertificatesCommand::new);
        all.put("lb", t -> new CommandLine(new LbCommand()).addSubcommand(new LbCommand.Status(t)));
        all.put("encryption", t -> new CommandLine(new EncryptionCommand())
                .addSubcommand(new EncryptionCommand.Status(t)));
        all.put("completion", t -> new CompletionCommand());
        all.put("help", t -> new HelpCommand());
        return all;
    }

    /** The whole command tree. */
    static CommandLine commandLine(Terminal term) {
        return commandLine(term, null);
    }

    /**
     * The command tree for a command line whose first argument is {@code first}: only that subcommand when it names
     * one that needs no view of the others. Picocli reads a command's annotations reflectively as it is added, in
     * classes of Java 5 that the class-data sharing archive cannot hold; for all twelve that was a large part of the
     * start-up (BENCHMARKS.md, "Start-up"). {@code help} and {@code completion} list every command, and anything
     * else (an option, a mistyped name to suggest a fix for, nothing) gets them all.
     */
    static CommandLine commandLine(Terminal term, String first) {
        Map<String, Function<Terminal, Object>> all = subcommands();
        boolean one = all.containsKey(first) && !"help".equals(first) && !"completion".equals(first);
        CommandLine cl = new CommandLine(new Root(term));
        all.forEach((name, make) -> {
            if (!one || name.equals(first)) {
                cl.addSubcommand(name, make.apply(term));
            }
        });
        Map<String, String> exitCodes = new LinkedHashMap<>();
        for (String line : Failures.EXIT_CODE_LIST) {
            int colon = line.indexOf(':');
            exitCodes.put(line.substring(0, colon), line.substring(colon + 1));
        }
        java.util.Deque<CommandLine> nested = new java.util.ArrayDeque<>(cl.getSubcommands().values());
        while (!nested.isEmpty()) { // `lb status`, `encryption status` too; the tree is two levels deep
            CommandLine c = nested.pop();
            c.getCommandSpec().versionProvider(new Version());
            c.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(exitCodes);
            if (c.getParent() == cl) {
                nested.addAll(c.getSubcommands().values());
            }
        }
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(exitCodes);
        // settings below reach every subcommand added above (picocli applies them to the hierarchy as it is now)
        cl.setOut(new PrintWriter(term.out(), true));
        cl.setErr(new PrintWriter(term.err(), true));
        cl.setColorScheme(Help.defaultColorScheme(term.colour() ? Help.Ansi.ON : Help.Ansi.OFF));
        cl.setExecutionExceptionHandler(new Failures());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** The top level: with no subcommand, the usage on stderr and exit code 2. */
    @Command(name = "epiphany", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Create and run highly-available Kubernetes clusters over SSH (kubeadm, stacked etcd, "
                    + "an HAProxy on every host).",
            footer = {"%nExamples:",
                "  epiphany apply -f examples/clusters/seed-cluster.yml --simulated",
                "  epiphany plan -f my-cluster.yml --output json",
                "  epiphany kubeconfig -f my-cluster.yml --server-of k1m1 > admin.conf",
                "  epiphany reset -f my-cluster.yml --yes",
                "  epiphany apply -f my-cluster.yml --rotate-encryption-key",
                "  epiphany backup -f my-cluster.yml k8s1-2026-12-01.backup",
                "  epiphany restore -f my-cluster.yml k8s1-2026-12-01.backup --sha256 <recorded hex>"})
    static final class Root implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        private final Terminal term;

        Root(Terminal term) {
            this.term = term;
        }

        @Override
        public Integer call() {
            spec.commandLine().usage(term.err());
            return Failures.USAGE;
        }
    }
}
