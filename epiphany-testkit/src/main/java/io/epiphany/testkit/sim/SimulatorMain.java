package io.epiphany.testkit.sim;

import io.epiphany.api.remote.Shell;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SIMULATED host as a command-line program, for hosts that are separate processes (network namespaces with a
 * real sshd): the same {@link SimulatedOs} as the in-process fleet, with the fleet state in a shared directory.
 *
 * <pre>
 * java -cp epiphany-testkit.jar:... io.epiphany.testkit.sim.SimulatorMain \
 *     --state /run/fleet --root / --hostname m1 --ip 10.0.0.11 [--user root] [--os debian] \
 *     ( -c '&lt;shell line&gt;' | --exec &lt;program&gt; [args...] )
 * </pre>
 *
 * A wrapper may also call it tool-first, {@code SimulatorMain kubeadm init --config f}, with the host from system
 * properties: {@code epiphany.sim.shared} (state directory), {@code epiphany.sim.root} (default {@code /}),
 * {@code epiphany.sim.hostname} (default: the kernel's hostname), {@code epiphany.sim.ip} (default: the hostname's
 * address from the resolver), {@code epiphany.sim.os}.
 *
 * <p>{@code --exec kubeadm init --config f} runs one program with its argv as given (to install the simulation as a
 * {@code kubeadm} executable); {@code -c} runs a line of the simulated shell. {@code --ip} is needed the first time a
 * host is seen. stdin, stdout, stderr and the exit code are the command's own. Exit 64 on a usage error.
 *
 * <p>With {@code -Depiphany.sim.real-os=true} (the real-OS fleet's wrappers) it runs on a real host: see
 * {@link RealOsMode} for what it then takes from, and does to, the real operating system.
 */
public final class SimulatorMain {
    private SimulatorMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs one invocation; returns the exit code. */
    public static int run(String[] args, InputStream stdin, OutputStream stdout, OutputStream stderr) {
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        String state = null;
        String root = null;
        String hostname = null;
        String ip = null;
        String user = "root";
        String os = "debian";
        String line = null;
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("-")) {
            // tool-first form, as installed wrappers call it: `kubeadm init ...` with the host from properties
            state = System.getProperty("epiphany.sim.shared");
            root = System.getProperty("epiphany.sim.root", "/");
            hostname = System.getProperty("epiphany.sim.hostname", kernelHostname());
            ip = System.getProperty("epiphany.sim.ip", resolve(hostname));
            user = System.getProperty("user.name", "root");
            os = System.getProperty("epiphany.sim.os", "debian");
            line = Arrays.stream(args).map(Shell::quote).collect(Collectors.joining(" "));
            i = args.length;
        }
        while (i < args.length) {
            String a = args[i];
            if (a.equals("--exec")) {
                List<String> words = Arrays.asList(args).subList(i + 1, args.length);
                if (words.isEmpty()) {
                    return usage(err, "--exec needs a program");
                }
                line = words.stream().map(Shell::quote).collect(Collectors.joining(" "));
                break;
            }
            if (i + 1 >= args.length) {
                return usage(err, a + " needs a value");
            }
            String v = args[i + 1];
            switch (a) {
                case "--state" -> state = v;
                case "--root" -> root = v;
                case "--hostname" -> hostname = v;
                case "--ip" -> ip = v;
                case "--user" -> user = v;
                case "--os" -> os = v;
                case "-c" -> line = v;
                default -> {
                    return usage(err, "unknown option " + a);
                }
            }
            i += 2;
        }
        if (state == null || root == null || hostname == null || line == null) {
            return usage(err, "--state, --root, --hostname and -c or --exec are required");
        }
        try {
            Files.createDirectories(Path.of(state));
            StateStore store = new FileStateStore(Path.of(state));
            String name = hostname;
            String address = ip;
            String family = os;
            String missing = store.update(s -> {
                if (s.hosts.containsKey(name)) {
                    return null;
                }
                if (address == null) {
                    return "host " + name + " is new to the fleet state in the state directory: give --ip";
                }
                SimulationState.Host h = new SimulationState.Host();
                h.ip = address;
                boolean bare = Boolean.getBoolean("epiphany.sim.bare");
                HostSetup.prepare(h, family.equals("rhel") ? "rocky" : System.getProperty("epiphany.sim.os-id",
                        "debian"), family.equals("rhel") ? "9.4" : System.getProperty("epiphany.sim.os-version", "12"),
                        bare, Boolean.getBoolean("epiphany.sim.cgroup-v1"));
                if (bare) {
                    h.kubeadmVersion = null;
                } else if (System.getProperty("epiphany.sim.kubeadm-version") != null) {
                    h.kubeadmVersion = System.getProperty("epiphany.sim.kubeadm-version"); // e.g. before an upgrade
                }
                if (System.getProperty("epiphany.sim.etcd-version") != null) {
                    s.etcdVersion = System.getProperty("epiphany.sim.etcd-version"); // the etcd image kubeadm deploys
                }
                s.hosts.put(name, h);
                return null;
            });
            if (missing != null) {
                return usage(err, missing);
            }
            // real-OS fleet only: the load balancer the simulation routes through is the host's real HAProxy
            RealOsMode.syncHaproxy(store, name);
            HostFiles files = new HostFiles(Path.of(root), p -> { }, () -> false);
            HostContext host = new HostContext(hostname, files, store, Clock.systemUTC());
            return new SimulatedOs().execute(host, line, stdin, stdout, stderr, user,
                    CommandInterceptor.NONE);
        } catch (RuntimeException | java.io.IOException e) {
            err.println("SIMULATED host " + hostname + ": " + e.getMessage());
            return 70;
        }
    }

    /** The host's address from the resolver (e.g. /etc/hosts), for its first registration; null when unknown. */
    private static String resolve(String hostname) {
        try {
            return hostname == null ? null : java.net.InetAddress.getByName(hostname).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static String kernelHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("SimulatorMain: " + problem);
        err.println("usage: SimulatorMain --state DIR --root DIR --hostname NAME [--ip IP] [--user U] [--os debian|rhel]"
                + " (-c LINE | --exec PROGRAM [ARGS...])");
        return 64;
    }
}
