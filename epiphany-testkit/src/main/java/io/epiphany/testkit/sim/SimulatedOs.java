package io.epiphany.testkit.sim;

import io.epiphany.testkit.sim.kube.Etcdctl;
import io.epiphany.testkit.sim.kube.Kubeadm;
import io.epiphany.testkit.sim.kube.Kubectl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The SIMULATED shell and operating system of a host: runs one command line of the small language of
 * {@code docs/host-commands.md} against a {@link HostContext}. Unknown programs exit 127 with dash's message;
 * unsupported syntax exits 2. Stateless: one instance serves every host.
 */
public final class SimulatedOs {
    private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

    /** {@code sh -c "$(head -c N)"}: the one command substitution the SDK uses (docs/host-commands.md). */
    private static final java.util.regex.Pattern LINE_ON_STDIN =
            java.util.regex.Pattern.compile("sh -c \"\\$\\(head -c (\\d{1,7})\\)\"");

    private final Map<String, Program> programs;

    public SimulatedOs() {
        FileCommands files = new FileCommands();
        this.programs = Map.ofEntries(
                Map.entry("cat", files.cat()),
                Map.entry("mkdir", files.mkdir()),
                Map.entry("mv", files.mv()),
                Map.entry("rm", files.rm()),
                Map.entry("sha256sum", files.sha256sum()),
                Map.entry("date", files.date()),
                Map.entry("test", files.test()),
                Map.entry("sysctl", new Sysctl()),
                Map.entry("systemctl", new Systemctl()),
                Map.entry("apt-get", new PackageInstaller("apt-get")),
                Map.entry("dnf", new PackageInstaller("dnf")),
                Map.entry("haproxy", new HaproxyCommand()),
                Map.entry("curl", new Curl()),
                Map.entry("kubelet", new Kubelet()),
                Map.entry("kubeadm", new Kubeadm()),
                Map.entry("kubectl", new Kubectl()),
                Map.entry("etcdctl", new Etcdctl()));
    }

    /** The binaries every simulated host has before the SDK installs anything. */
    public static List<String> baseBinaries() {
        return List.of("sh", "env", "sudo", "test", "sysctl", "cat", "mkdir", "mv", "rm", "sha256sum", "date", "systemctl", "curl",
                "kubeadm", "kubelet", "kubectl", "etcdctl", "containerd");
    }

    /**
     * Runs a command line and returns its exit code.
     *
     * @param root whether the login user is root (otherwise only {@code sudo} gives root)
     */
    public int execute(HostContext host, String line, InputStream stdin, OutputStream stdout, OutputStream stderr,
            boolean root, CommandInterceptor interceptor) {
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        try {
            java.util.regex.Matcher lineOnStdin = LINE_ON_STDIN.matcher(line);
            if (lineOnStdin.matches()) {
                // the SDK sends secret-bearing lines this way: the real line is the first N bytes of stdin
                try {
                    line = new String(stdin.readNBytes(Integer.parseInt(lineOnStdin.group(1))), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    err.println("sh: 1: head: " + e.getMessage());
                    return 1;
                }
            }
            return runLine(host, line, stdin, out, err, root, interceptor);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * Whether a line asks for a change: true when any command in it would change the host or the cluster. Decided
     * from the text alone (the SDK's read-only flag is not sent to the server).
     */
    public boolean changesState(String line) {
        if (LINE_ON_STDIN.matcher(line).matches()) {
            return true; // the real line is not known yet: count it as a change, never hide one
        }
        try {
            for (ShellScript.Step step : ShellParser.parse(line).steps()) {
                if (changesState(step.command().words())) {
                    return true;
                }
            }
            return false;
        } catch (ShellSyntaxException e) {
            return false;
        }
    }

    private boolean changesState(List<String> words) {
        List<String> w = unwrapPrefixes(words);
        if (w.isEmpty()) {
            return false;
        }
        if (isShC(w)) {
            return changesState(w.get(2));
        }
        Program p = programs.get(baseName(w.get(0)));
        return p != null && p.changesState(w.subList(1, w.size()));
    }

    private int runLine(HostContext host, String line, InputStream stdin, PrintStream out, PrintStream err,
            boolean root, CommandInterceptor interceptor) {
        ShellScript script;
        try {
            script = ShellParser.parse(line);
        } catch (ShellSyntaxException e) {
            err.println("sh: 1: " + e.getMessage() + " (SIMULATED shell)");
            return 2;
        }
        int status = 0;
        for (ShellScript.Step step : script.steps()) {
            if ((step.join() == ShellScript.Join.AND && status != 0)
                    || (step.join() == ShellScript.Join.OR && status == 0)) {
                continue;
            }
            SimpleCommand c = step.command();
            status = runCommand(host, c.words(), stdin, c.discardStdout() ? DISCARD : out,
                    c.discardStderr() ? DISCARD : err, root, interceptor);
        }
        return status;
    }

    private int runCommand(HostContext host, List<String> words, InputStream stdin, PrintStream out,
            PrintStream err, boolean root, CommandInterceptor interceptor) {
        boolean asRoot = root;
        List<String> w = words;
        if ("sudo".equals(w.get(0))) {
            int i = 1;
            while (i < w.size() && w.get(i).startsWith("-")) {
                String opt = w.get(i);
                if ("-p".equals(opt)) {
                    i++;
                } else if ("-S".equals(opt)) {
                    readPasswordLine(stdin);
                } else if (!"-n".equals(opt)) {
                    err.println("sudo: invalid option -- '" + opt.substring(1) + "'");
                    return 1;
                }
                i++;
            }
            if (i >= w.size()) {
                err.println("usage: sudo -h | -K | -k | -V");
                return 1;
            }
            asRoot = true;
            w = w.subList(i, w.size());
        }
        w = unwrapPrefixes(w);
        if (w.isEmpty()) {
            return 0;
        }
        if (isShC(w)) {
            return runLine(host, w.get(2), stdin, out, err, asRoot, interceptor);
        }
        if ("sh".equals(w.get(0))) {
            err.println("sh: only 'sh -c <line>' is supported by the SIMULATED shell");
            return 2;
        }
        OptionalInt injected = interceptor.intercept(w, err);
        if (injected.isPresent()) {
            return injected.getAsInt();
        }
        String name = baseName(w.get(0));
        if ("command".equals(name)) {
            return commandV(host, w, out, err);
        }
        Program program = programs.get(name);
        boolean installed = host.host(h -> h.binaries.contains(name));
        if (program == null || !installed) {
            err.println("sh: 1: " + w.get(0) + ": not found");
            return 127;
        }
        try {
            return program.run(new Invocation(name, w.subList(1, w.size()), stdin, out, err, host, asRoot));
        } catch (IOException | RuntimeException e) {
            err.println(name + ": " + e.getMessage());
            return 1;
        }
    }

    private static int commandV(HostContext host, List<String> w, PrintStream out, PrintStream err) {
        if (w.size() != 3 || !"-v".equals(w.get(1))) {
            err.println("sh: 1: command: only 'command -v <name>' is supported by the SIMULATED shell");
            return 2;
        }
        String name = w.get(2);
        boolean builtin = List.of("command", "cd", "echo", "exit", "true", "false", "test").contains(name);
        if (builtin) {
            out.println(name);
            return 0;
        }
        if (host.host(h -> h.binaries.contains(baseName(name)))) {
            out.println(name.contains("/") ? name : binaryPath(name));
            return 0;
        }
        return 1;
    }

    static String binaryPath(String name) {
        return switch (name) {
            case "haproxy" -> "/usr/sbin/haproxy";
            case "sh" -> "/usr/bin/sh";
            default -> "/usr/bin/" + name;
        };
    }

    /** Drops {@code env NAME=value ...} prefixes. */
    private static List<String> unwrapPrefixes(List<String> words) {
        List<String> w = words;
        if (!w.isEmpty() && "sudo".equals(w.get(0))) {
            int i = 1;
            while (i < w.size() && w.get(i).startsWith("-")) {
                i += "-p".equals(w.get(i)) ? 2 : 1;
            }
            w = w.subList(Math.min(i, w.size()), w.size());
        }
        if (!w.isEmpty() && "env".equals(w.get(0))) {
            int i = 1;
            while (i < w.size() && w.get(i).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                i++;
            }
            w = w.subList(i, w.size());
        }
        return w;
    }

    private static boolean isShC(List<String> w) {
        return w.size() == 3 && "sh".equals(baseName(w.get(0))) && "-c".equals(w.get(1));
    }

    private static String baseName(String program) {
        if (program.startsWith("/usr/bin/") || program.startsWith("/usr/sbin/") || program.startsWith("/bin/")
                || program.startsWith("/sbin/")) {
            return program.substring(program.lastIndexOf('/') + 1);
        }
        return program;
    }

    private static void readPasswordLine(InputStream stdin) {
        try {
            int c;
            do {
                c = stdin.read();
            } while (c >= 0 && c != '\n');
        } catch (IOException e) {
            // no password given: password-less sudo is simulated, so nothing depends on it
        }
    }
}
