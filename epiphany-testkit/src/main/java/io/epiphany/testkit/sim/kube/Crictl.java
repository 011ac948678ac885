package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.Program;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED {@code crictl} (cri-tools, installed with the kubeadm packages) talking to the host's containerd:
 * {@code ps --name etcd [--state running] [-q]} lists the running etcd static-pod container of this host, and
 * {@code exec <id> etcdctl ...} runs {@link Etcdctl} inside it, the only way to etcdctl on a kubeadm host (the
 * kubeadm, kubelet and kubectl packages ship no etcdctl; the registry.k8s.io/etcd image has it). The container ID is
 * 64 hex digits derived from the host and the count of etcd starts, so a restarted etcd has a new ID and the old one
 * is NotFound, as containerd answers for a removed container. (The real-OS fleet of the system tests installs its own
 * crictl shim instead, in front of REAL etcd.)
 */
public final class Crictl implements Program {
    /** kubeadm's default criSocket for containerd; {@code /var/run} is a symlink to {@code /run} on Debian. */
    private static final List<String> SOCKETS = List.of("unix:///run/containerd/containerd.sock",
            "unix:///var/run/containerd/containerd.sock");
    private final Etcdctl etcdctl = new Etcdctl();

    @Override
    public boolean changesState(List<String> args) {
        List<String> w = afterGlobalFlags(args);
        if (!w.isEmpty() && w.get(0).equals("stop")) {
            return true;
        }
        if (w.isEmpty() || !w.get(0).equals("exec")) {
            return false;
        }
        List<String> command = execCommand(w);
        return command.size() < 1 || (!isEtcdctl(command.get(0)) && !command.get(0).equals("etcdutl"))
                || etcdctl.changesState(command.subList(1, command.size()));
    }

    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        Optional<String> endpoint = Kubeadm.option(a, "--runtime-endpoint").or(() -> Kubeadm.option(a, "-r"));
        if (endpoint.isEmpty()) {
            // crictl's warning when neither --runtime-endpoint nor /etc/crictl.yaml names the runtime
            inv.err().println("WARN[0000] runtime connect using default endpoints: [unix:///run/containerd/"
                    + "containerd.sock unix:///run/crio/crio.sock unix:///var/run/cri-dockerd.sock]. As the default "
                    + "settings are now deprecated, you should set the endpoint instead.");
        }
        String socket = endpoint.orElse(SOCKETS.get(0));
        Optional<String> dialError = !SOCKETS.contains(socket) || !inv.host().host(h -> h.active.contains("containerd"))
                ? Optional.of("no such file or directory") : !inv.root() ? Optional.of("permission denied")
                : Optional.empty();
        if (dialError.isPresent()) {
            // crictl's validation of the runtime connection (cri-tools cmd/crictl/main.go), the socket from the URL
            String path = socket.replaceFirst("^unix://", "");
            inv.err().println("FATA[0000] validate service connection: validate CRI v1 runtime API for endpoint \""
                    + socket + "\": rpc error: code = Unavailable desc = connection error: desc = \"transport: Error "
                    + "while dialing: dial unix " + path + ": connect: " + dialError.get() + "\"");
            return 1;
        }
        List<String> w = afterGlobalFlags(a);
        String sub = w.isEmpty() ? "" : w.get(0);
        return switch (sub) {
            case "ps" -> ps(inv, w);
            case "exec" -> exec(inv, w);
            case "stop" -> StaticPodContainers.stop(inv, w);
            default -> inv.fail(1, "the SIMULATED crictl supports only 'ps --name <static pod> --state running -q', "
                    + "'stop <id>' and 'exec <id> etcdctl ...'");
        };
    }

    private static int ps(Invocation inv, List<String> w) {
        Optional<String> name = Kubeadm.option(w, "--name");
        String state = Kubeadm.option(w, "--state").orElse("running");
        if (name.isPresent() && StaticPodContainers.OTHERS.contains(name.get()) && state.equalsIgnoreCase("running")
                && (w.contains("-q") || w.contains("--quiet"))) {
            StaticPodContainers.running(inv.host(), name.get()).ifPresent(inv.out()::println);
            return 0;
        }
        if (name.isEmpty() || !name.get().equals("etcd") || !state.equalsIgnoreCase("running")) {
            return inv.fail(1, "the SIMULATED crictl lists only the running etcd container "
                    + "(ps --name etcd --state running)");
        }
        Optional<String> id = runningEtcd(inv.host());
        if (w.contains("-q") || w.contains("--quiet")) {
            id.ifPresent(inv.out()::println);
            return 0;
        }
        inv.out().printf("%-13s   %-13s   %-13s   %-7s   %-4s   %s%n", "CONTAINER", "IMAGE", "CREATED", "STATE",
                "NAME", "ATTEMPT");
        id.ifPresent(x -> inv.out().printf("%-13s   %-13s   %-13s   %-7s   %-4s   %s%n", x.substring(0, 13),
                "SIMULATED", "1 minute ago", "Running", "etcd", "0"));
        return 0;
    }

    private int exec(Invocation inv, List<String> w) throws IOException {
        List<String> command = execCommand(w);
        int idIndex = w.size() - command.size() - 1;
        if (idIndex < 1) {
            inv.err().println("FATA[0000] container ID cannot be empty");
            return 1;
        }
        String id = w.get(idIndex);
        Optional<String> running = runningEtcd(inv.host());
        if (running.isEmpty() || id.length() < 1 || !running.get().startsWith(id)) {
            // containerd's answer for an unknown or removed container, as crictl prints it
            inv.err().println("FATA[0000] execing command in container: rpc error: code = NotFound desc = could not "
                    + "find container \"" + id + "\"");
            return 1;
        }
        if (command.isEmpty()) {
            inv.err().println("FATA[0000] command cannot be empty");
            return 1;
        }
        if (command.get(0).equals("etcdutl")) {
            return EtcdSnapshots.etcdutl(new Invocation("etcdutl", command.subList(1, command.size()), inv.stdin(),
                    inv.out(), inv.err(), inv.host(), "root", inv.login()), etcdMounts(inv.host()));
        }
        if (!isEtcdctl(command.get(0))) {
            // the etcd image holds etcd, etcdctl and etcdutl and no shell; the SIMULATED one answers only etcdctl
            inv.err().println("FATA[0000] execing command in container: rpc error: code = Unknown desc = failed to "
                    + "exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start "
                    + "container process: exec: \"" + command.get(0) + "\": executable file not found in $PATH: "
                    + "unknown (SIMULATED: only etcdctl)");
            return 1;
        }
        Invocation inContainer = new Invocation("etcdctl", command.subList(1, command.size()), inv.stdin(),
                inv.out(), inv.err(), inv.host(), "root", inv.login());
        return etcdctl.run(inContainer, etcdMounts(inv.host()));
    }

    /** The running etcd container's ID on this host. */
    public static Optional<String> runningEtcd(HostContext host) {
        return host.store().read(s -> ClusterAccess.etcdContainerRunning(s, host.hostname())
                ? Optional.of(containerId(host.hostname(), s.hosts.get(host.hostname()).etcdStarts))
                : Optional.<String>empty());
    }

    /** A stable 64-hex container ID of the {@code starts}-th etcd container of a host. */
    public static String containerId(String hostname, long starts) {
        return Kubeadm.sha256("SIMULATED etcd container " + hostname + " #" + starts);
    }

    /** Where the etcd pod's hostPath volumes are mounted (kubeadm: the etcd PKI directory and the data directory). */
    private static List<String> etcdMounts(HostContext host) {
        List<String> mounts = new ArrayList<>();
        StaticPods.volumes(host.files(), "etcd").forEach(v -> mounts.add(v.mountPath()));
        return mounts;
    }

    private static boolean isEtcdctl(String program) {
        return program.equals("etcdctl") || program.equals("/usr/local/bin/etcdctl");
    }

    /** The words from the subcommand on: crictl's global flags ({@code -r/--runtime-endpoint X}, ...) dropped. */
    private static List<String> afterGlobalFlags(List<String> args) {
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("-")) {
            String f = args.get(i);
            boolean takesValue = List.of("--runtime-endpoint", "-r", "--image-endpoint", "-i", "--timeout", "-t",
                    "--config", "-c").contains(f);
            i += takesValue ? 2 : 1;
        }
        return args.subList(Math.min(i, args.size()), args.size());
    }

    /** For {@code exec [flags] ID CMD ARGS...}: CMD and ARGS (flag parsing stops at the container ID). */
    private static List<String> execCommand(List<String> w) {
        int i = 1;
        while (i < w.size() && w.get(i).startsWith("-")) {
            i += List.of("--timeout", "--name", "--label").contains(w.get(i)) ? 2 : 1;
        }
        return i + 1 <= w.size() ? w.subList(Math.min(i + 1, w.size()), w.size()) : List.of();
    }
}
