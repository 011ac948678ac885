package io.epiphany.testkit.sim;

import io.epiphany.testkit.sim.kube.Crictl;
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
        StreamCommands streams = new StreamCommands();
        this.programs = Map.ofEntries(
                Map.entry("cat", files.cat()),
                Map.entry("dd", streams.dd()),
                Map.entry("head", streams.head()),
                Map.entry("cmp", streams.cmp()),
                Map.entry("grep", streams.grep()),
                Map.entry("cp", streams.cp()),
                Map.entry("mkdir", files.mkdir()),
                Map.entry("mv", files.mv()),
                Map.entry("rm", files.rm()),
                Map.entry("rmdir", files.rmdir()),
                Map.entry("sha256sum", files.sha256sum()),
                Map.entry("date", files.date()),
                Map.entry("test", files.test()),
                Map.entry("stat", files.stat()),
                Map.entry("chmod", files.chmod()),
                Map.entry("chown", files.chown()),
                Map.entry("id", new Id()),
                Map.entry("sysctl", new Sysctl()),
                Map.entry("systemctl", new Systemctl()),
                Map.entry("apt-get", new PackageInstaller("apt-get")),
                Map.entry("dnf", new PackageInstaller("dnf")),
                Map.entry("haproxy", new HaproxyCommand()),
                Map.entry("curl", new Curl()),
                Map.entry("socat", new Socat()),
                Map.entry("kubelet", new Kubelet()),
                Map.entry("kubeadm", new Kubeadm()),
                Map.entry("kubectl", new Kubectl()),
                Map.entry("crictl", new Crictl()),
                Map.entry("ctr", new io.epiphany.testkit.sim.kube.Ctr()),
                Map.entry("swapon", KernelCommands.swapon()),
                Map.entry("swapoff", KernelCommands.swapoff()),
                Map.entry("lsmod", KernelCommands.lsmod()),
                Map.entry("modprobe", KernelCommands.modprobe()),
                Map.entry("containerd", new Containerd()),
                Map.entry("apt-mark", AptGet.aptMark()),
                Map.entry("apt-cache", AptGet.aptCache()));
    }

    /**
     * The binaries every simulated host has before the SDK installs anything: a kubeadm host's, so no
     * {@code etcdctl} (the kubeadm, kubelet and kubectl packages do not ship it; it is inside the etcd static pod,
     * reached with {@code crictl exec}) and {@code crictl} (cri-tools, a dependency of the kubeadm package).
     */
    public static List<String> baseBinaries() {
        List<String> all = new java.util.ArrayList<>(HostSetup.BARE_BINARIES);
        all.addAll(List.of("kubeadm", "kubelet", "kubectl", "crictl", "containerd", "ctr"));
        return List.copyOf(all);
    }

    /**
     * Runs a command line and returns its exit code.
     *
     * @param login the SSH login user; only {@code root} (or {@code sudo}) has root's rights
     */
    public int execute(HostContext host, String line, InputStream stdin, OutputStream stdout, OutputStream stderr,
            String login, CommandInterceptor interceptor) {
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        try {
            java.util.regex.Matcher lineOnStdin = LINE_ON_STDIN.matcher(line);
            if (lineOnStdin.matches()) {
                // the SDK sends secret-bearing lines this way: the real line is the first N bytes of stdin
                try {
                    line = new String(stdin.readNBytes(Integer.parseInt(lineOnStdin.group(1))), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    interceptor.received(null);
                    err.println("sh: 1: head: " + e.getMessage());
                    return 1;
                }
            }
            interceptor.received(line);
            io.epiphany.testkit.sim.kube.Workloads.reconcile(host);
            return runLine(new Sh(host, login, login, stdin, interceptor), line, out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * Whether a line asks for a change: true when any command in it would change the host or the cluster (including
     * a {@code > file} redirection). Decided from the text alone (the SDK's read-only flag is not sent to the server).
     */
    public boolean changesState(String line) {
        if (line == null || sendsLineOnStdin(line)) {
            return true; // the real line is not known (yet): count it as a change, never hide one
        }
        try {
            return changesState(ShellParser.parse(line));
        } catch (ShellSyntaxException e) {
            return false;
        }
    }

    /** Whether the exec request is {@code sh -c "$(head -c N)"}: its real line comes first on stdin. */
    public boolean sendsLineOnStdin(String line) {
        return LINE_ON_STDIN.matcher(line).matches();
    }

    private boolean changesState(ShellScript script) {
        for (ShellScript.Step step : script.steps()) {
            boolean changes = step.group() != null ? changesState(step.group())
                    : step.command().stdoutFile() != null || changesState(step.command().words());
            if (changes) {
                return true;
            }
        }
        return false;
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

    /**
     * One SIMULATED {@code sh} process: the host, whose it is, its umask. A brace group runs in the same process;
     * {@code sh -c} starts a new one.
     */
    private static final class Sh {
        final HostContext host;
        final String user;
        final String login;
        final InputStream stdin;
        final CommandInterceptor interceptor;
        int umask = 022;

        Sh(HostContext host, String user, String login, InputStream stdin, CommandInterceptor interceptor) {
            this.host = host;
            this.user = user;
            this.login = login;
            this.stdin = stdin;
            this.interceptor = interceptor;
        }

        boolean root() {
            return "root".equals(user);
        }
    }

    /** {@code exit N}: ends the whole {@code sh} process, also from inside a brace group. */
    private static final class ShellExit extends Exception {
        final int status;

        ShellExit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    private int runLine(Sh sh, String line, PrintStream out, PrintStream err) {
        sh.interceptor.shell(line);
        ShellScript script;
        try {
            script = ShellParser.parse(line);
        } catch (ShellSyntaxException e) {
            err.println("sh: 1: " + e.getMessage() + " (SIMULATED shell)");
            return 2;
        }
        try {
            return runScript(sh, script, 0, out, err);
        } catch (ShellExit e) {
            return e.status;
        }
    }

    private int runScript(Sh sh, ShellScript script, int before, PrintStream out, PrintStream err)
            throws ShellExit {
        int status = before;
        for (ShellScript.Step step : script.steps()) {
            if ((step.join() == ShellScript.Join.AND && status != 0)
                    || (step.join() == ShellScript.Join.OR && status == 0)) {
                continue;
            }
            status = step.group() != null ? runScript(sh, step.group(), status, out, err)
                    : runRedirected(sh, step.command(), status, out, err);
        }
        return status;
    }

    /**
     * Runs a command with its redirections. {@code > file} is opened by the shell, as the shell's user: a new file
     * gets mode 0666 minus the umask, an existing one keeps its mode; the content is stored when the command ends.
     */
    private int runRedirected(Sh sh, SimpleCommand c, int before, PrintStream out, PrintStream err)
            throws ShellExit {
        PrintStream e = c.discardStderr() ? DISCARD : err;
        String file = c.stdoutFile();
        if (file == null) {
            return runCommand(sh, c.words(), before, c.discardStdout() ? DISCARD : out, e);
        }
        HostFiles files = sh.host.files();
        String parent = file.contains("/") ? file.substring(0, Math.max(1, file.lastIndexOf('/'))) : HostFiles.HOME;
        String problem = !files.isDirectory(parent) ? "Directory nonexistent"
                : files.isDirectory(file) ? "Is a directory"
                : !FileCommands.writable(sh.root(), file) ? "Permission denied" : null;
        if (problem != null) {
            e.println("sh: 1: cannot create " + file + ": " + problem);
            return 2;
        }
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        PrintStream captured = new PrintStream(content, true, StandardCharsets.UTF_8);
        try {
            return runCommand(sh, c.words(), before, captured, e);
        } finally {
            captured.flush();
            try {
                int mode = files.exists(file) ? files.mode(file) : 0666 & ~sh.umask;
                files.write(file, content.toByteArray(), mode);
            } catch (IOException x) {
                e.println(c.program() + ": write error: " + (x instanceof java.nio.file.FileSystemException f
                        && f.getReason() != null ? f.getReason() : x.getMessage()));
                // a failed write makes the command fail, as cat's write error does
                throw new ShellExit(1);
            }
        }
    }

    private int runCommand(Sh sh, List<String> parsed, int before, PrintStream out, PrintStream err)
            throws ShellExit {
        List<String> words = ShellParser.expandStatus(parsed, before);
        if ("exit".equals(words.get(0))) {
            throw new ShellExit(ShellBuiltins.exitStatus(words, before, err));
        }
        if ("umask".equals(words.get(0))) {
            return umask(sh, words, out, err);
        }
        if ("echo".equals(words.get(0))) {
            return ShellBuiltins.echo(words, out, err);
        }
        String user = sh.user;
        List<String> w = words;
        InputStream stdin = sh.stdin;
        if ("sudo".equals(w.get(0))) {
            int i = 1;
            while (i < w.size() && w.get(i).startsWith("-")) {
                String opt = w.get(i);
                if ("-p".equals(opt)) {
                    i++;
                } else if ("-S".equals(opt)) {
                    readPasswordLine(stdin);
                } else if (!"-n".equals(opt) && !"-k".equals(opt)) {
                    err.println("sudo: invalid option -- '" + opt.substring(1) + "'");
                    return 1;
                }
                i++;
            }
            if (i >= w.size()) {
                err.println("usage: sudo -h | -K | -k | -V");
                return 1;
            }
            user = "root";
            w = w.subList(i, w.size());
        }
        w = unwrapPrefixes(w);
        if (w.isEmpty()) {
            return 0;
        }
        HostContext host = sh.host;
        if (isShC(w)) {
            return runLine(new Sh(host, user, sh.login, stdin, sh.interceptor), w.get(2), out, err);
        }
        if ("sh".equals(w.get(0))) {
            err.println("sh: only 'sh -c <line>' is supported by the SIMULATED shell");
            return 2;
        }
        OptionalInt injected = sh.interceptor.intercept(w, err);
        if (injected.isPresent()) {
            return injected.getAsInt();
        }
        String name = baseName(w.get(0));
        if ("command".equals(name)) {
            return ShellBuiltins.commandV(host, w, out, err);
        }
        Program program = programs.get(name);
        boolean installed = host.host(h -> h.binaries.contains(name));
        if (program == null || !installed) {
            err.println("sh: 1: " + w.get(0) + ": not found");
            return 127;
        }
        try {
            return program.run(new Invocation(name, w.subList(1, w.size()), stdin, out, err, host, user, sh.login));
        } catch (IOException | RuntimeException e) {
            err.println(name + ": " + e.getMessage());
            return 1;
        }
    }

    /** {@code umask} prints the mask, {@code umask NNN} (octal) sets it for the rest of this shell. */
    private static int umask(Sh sh, List<String> words, PrintStream out, PrintStream err) {
        if (words.size() == 1) {
            out.printf("%04o%n", sh.umask);
            return 0;
        }
        if (words.size() == 2 && words.get(1).matches("[0-7]{1,4}")) {
            sh.umask = Integer.parseInt(words.get(1), 8) & 0777;
            return 0;
        }
        err.println("sh: 1: umask: Illegal number: " + String.join(" ", words.subList(1, words.size())));
        return 2;
    }

    static String binaryPath(String name) {
        return switch (name) {
            case "haproxy", "swapon", "swapoff", "modprobe", "lsmod" -> "/usr/sbin/" + name;
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

    static String baseName(String program) {
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
