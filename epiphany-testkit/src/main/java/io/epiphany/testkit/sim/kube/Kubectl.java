package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.Program;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * SIMULATED {@code kubectl --kubeconfig <file>}: {@code get nodes [-o json]}, {@code get configmap kubeadm-config -n
 * kube-system -o json}, {@code label node}, {@code annotate node}, {@code taint node}, {@code cordon},
 * {@code uncordon}, {@code drain} ({@link KubectlDrain}), {@code delete node}, {@code apply -f}, {@code create -f}
 * (bootstrap token Secrets among them), Secrets ({@link KubectlSecrets}); and {@code version --client [-o json]}.
 * Requests go to the
 * kubeconfig's server through the host's own load balancer, and fail like kubectl when it or etcd is down.
 */
public final class Kubectl implements Program {
    @Override
    public boolean changesState(List<String> args) {
        List<String> words = positional(args);
        return !words.isEmpty() && !words.get(0).equals("get") && !words.get(0).equals("version");
    }

    @Override
    public int run(Invocation inv) throws IOException {
        HostContext host = inv.host();
        if (!inv.args().isEmpty() && inv.args().get(0).equals("version") && inv.args().contains("--client")) {
            return KubectlVersion.client(inv); // needs no kubeconfig and no server
        }
        String kubeconfig = Kubeadm.option(inv.args(), "--kubeconfig").orElse("/root/.kube/config");
        if (!host.files().exists(kubeconfig)) {
            inv.err().println("error: stat " + kubeconfig + ": no such file or directory");
            return 1;
        }
        if (!inv.root() && !host.files().worldReadable(kubeconfig)) {
            inv.err().println("error: error loading config file \"" + kubeconfig + "\": open " + kubeconfig
                    + ": permission denied");
            return 1;
        }
        String server = ControlPlane.kubeconfigServer(host.files().readString(kubeconfig));
        if (ClientCertificates.expired(host, host.files().readString(kubeconfig))) {
            inv.err().println(ClientCertificates.UNAUTHORIZED);
            return 1;
        }
        List<String> w = positional(inv.args());
        if (w.isEmpty()) {
            return inv.fail(1, "a command is needed (SIMULATED kubectl)");
        }
        return switch (w.get(0)) {
            case "get" -> get(inv, server, w);
            case "label" -> onNode(inv, server, w, 2, n -> KubectlNodeChanges.label(inv, n, rest(w)));
            case "taint" -> onNode(inv, server, w, 2, n -> KubectlNodeChanges.taint(inv, n, rest(w)));
            case "annotate" -> onNode(inv, server, w, 2, n -> KubectlNodeChanges.annotate(inv, n, rest(w)));
            case "cordon" -> onNode(inv, server, w, 1, n -> KubectlNodeChanges.cordon(n, true));
            case "uncordon" -> onNode(inv, server, w, 1, n -> KubectlNodeChanges.cordon(n, false));
            case "drain" -> {
                int cordoned = onNode(inv, server, w, 1, n -> KubectlNodeChanges.cordon(n, true));
                yield cordoned != 0 ? cordoned : KubectlDrain.evict(inv, w.get(1));
            }
            case "delete" -> delete(inv, server, w);
            case "apply" -> apply(inv, server, false);
            case "create" -> apply(inv, server, true);
            case "replace" -> KubectlSecrets.replace(inv, server);
            default -> inv.fail(1, "unknown command \"" + w.get(0) + "\" (SIMULATED kubectl)");
        };
    }

    /** The words after {@code <verb> node <name>}. */
    private static List<String> rest(List<String> w) {
        return w.subList(3, w.size());
    }

    /** Arguments without flags (and without the values of flags that take one). */
    private static List<String> positional(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (List.of("--kubeconfig", "-o", "--output", "-n", "--namespace", "-f", "--filename").contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                out.add(a);
            }
        }
        return out;
    }

    private static Optional<String> apiError(SimulationState s, HostContext host, String server, String path) {
        return ClusterAccess.apiError(s, ClusterAccess.route(s, host.hostname(), server), server + path);
    }

    static int failApi(Invocation inv, String server, String error) {
        if (error.contains("connection refused")) {
            inv.err().println("The connection to the server " + server.replaceFirst("^https://", "")
                    + " was refused - did you specify the right host or port?");
        } else {
            // "Error from server (Reason): message" when the status has a reason, as kubectl prints it
            inv.err().println("Error from server" + (error.startsWith("(") ? " " : ": ") + error);
        }
        return 1;
    }

    private static int get(Invocation inv, String server, List<String> w) {
        if (KubectlSecrets.isSecrets(w)) {
            return KubectlSecrets.get(inv, server, w);
        }
        if (w.size() == 3 && List.of("configmap", "configmaps", "cm").contains(w.get(1))) {
            return getConfigMap(inv, server, w.get(2));
        }
        if (w.size() == 2 && List.of("daemonsets", "daemonset", "ds").contains(w.get(1))) {
            return read(inv, server, "/apis/apps/v1/daemonsets", Workloads::daemonSetsJson);
        }
        if (w.size() == 3 && List.of("deployment", "deployments", "deploy").contains(w.get(1))
                && w.get(2).equals("coredns")) {
            return read(inv, server, "/apis/apps/v1/namespaces/kube-system/deployments/coredns",
                    Workloads::corednsJson);
        }
        if (w.size() < 2 || !(w.get(1).equals("nodes") || w.get(1).equals("node"))) {
            return inv.fail(1, "only 'get nodes' and 'get configmap kubeadm-config -n kube-system' are supported by "
                    + "the SIMULATED kubectl");
        }
        boolean json = Kubeadm.option(inv.args(), "-o").or(() -> Kubeadm.option(inv.args(), "--output"))
                .map("json"::equals).orElse(false);
        HostContext host = inv.host();
        String[] result = host.store().read(s -> {
            Optional<String> e = s.kube == null ? Optional.of("connection refused")
                    : apiError(s, host, server, "/api/v1/nodes");
            if (e.isPresent()) {
                return new String[] {null, e.get()};
            }
            if (json) {
                return new String[] {Nodes.listJson(s, host.now(s)), null};
            }
            StringBuilder sb = new StringBuilder(String.format("%-20s %-10s %-15s %-5s %s%n", "NAME", "STATUS",
                    "ROLES", "AGE", "VERSION"));
            for (SimulationState.Node n : s.kube.nodes.values()) {
                sb.append(String.format("%-20s %-10s %-15s %-5s %s%n", n.name,
                        (Nodes.ready(s, n) ? "Ready" : "NotReady") + (n.unschedulable ? ",SchedulingDisabled" : ""),
                        n.controlPlane ? "control-plane" : "<none>", "1m", n.kubeletVersion));
            }
            return new String[] {sb.toString(), null};
        });
        if (result[1] != null) {
            return failApi(inv, server, result[1]);
        }
        inv.out().print(result[0]);
        if (json) {
            inv.out().println();
        }
        return 0;
    }

    private interface Render {
        String json(SimulationState s) throws IOException;
    }

    /** A read-only request whose JSON the simulation renders from the state. */
    private static int read(Invocation inv, String server, String path, Render render) {
        HostContext host = inv.host();
        String[] result = host.store().read(s -> {
            Optional<String> e = s.kube == null ? Optional.of("connection refused") : apiError(s, host, server, path);
            if (e.isPresent()) {
                return new String[] {null, e.get()};
            }
            try {
                return new String[] {render.json(s), null};
            } catch (IOException x) {
                return new String[] {null, x.getMessage()};
            }
        });
        if (result[1] != null) {
            return failApi(inv, server, result[1]);
        }
        inv.out().println(result[0]);
        return 0;
    }

    /**
     * {@code apply [--server-side] [--force-conflicts] -f <file>} stores the manifest's objects; {@code create -f
     * <file>} the same, refusing objects that exist.
     */
    private static int apply(Invocation inv, String server, boolean create) throws IOException {
        Optional<String> file = Kubeadm.option(inv.args(), "-f").or(() -> Kubeadm.option(inv.args(), "--filename"));
        if (file.isEmpty()) {
            return inv.fail(1, "error: must specify one of -f and -k");
        }
        boolean stdin = file.get().equals("-");
        if (!stdin && !inv.host().files().exists(file.get())) {
            inv.err().println("error: the path \"" + file.get() + "\" does not exist");
            return 1;
        }
        List<com.fasterxml.jackson.databind.JsonNode> objects;
        try {
            objects = Workloads.parse(stdin ? new String(inv.stdin().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8) : inv.host().files().readString(file.get()));
        } catch (IOException e) {
            inv.err().println("error: error parsing " + file.get() + ": " + e.getMessage());
            return 1;
        }
        HostContext host = inv.host();
        String[] result = host.store().update(s -> {
            Optional<String> e = s.kube == null ? Optional.of("connection refused")
                    : apiError(s, host, server, "/apis");
            return e.isPresent() ? new String[] {"", "!" + e.get()} : Workloads.apply(s,
                    ((ClusterAccess.Apiserver) ClusterAccess.route(s, host.hostname(), server)).host(), objects, create,
                    file.get());
        });
        inv.out().print(result[0] == null ? "" : result[0]);
        if (result[1] == null) {
            return 0;
        }
        if (result[1].startsWith("!")) {
            return failApi(inv, server, result[1].substring(1));
        }
        inv.err().println(result[1]);
        return 1;
    }

    /** {@code get configmap <name> -n kube-system -o json}: the kubeadm-config ConfigMap kubeadm stored. */
    private static int getConfigMap(Invocation inv, String server, String name) {
        String namespace = Kubeadm.option(inv.args(), "-n").or(() -> Kubeadm.option(inv.args(), "--namespace"))
                .orElse("default");
        String output = Kubeadm.option(inv.args(), "-o").or(() -> Kubeadm.option(inv.args(), "--output")).orElse("");
        if (!output.equals("json")) {
            return inv.fail(1, "the SIMULATED kubectl prints a ConfigMap only with -o json");
        }
        HostContext host = inv.host();
        String[] result = host.store().read(s -> {
            Optional<String> e = s.kube == null ? Optional.of("connection refused")
                    : apiError(s, host, server, "/api/v1/namespaces/" + namespace + "/configmaps/" + name);
            if (e.isPresent()) {
                return new String[] {null, e.get()};
            }
            if (!name.equals("kubeadm-config") || !namespace.equals("kube-system")) {
                return new String[] {null, "(NotFound): configmaps \"" + name + "\" not found"};
            }
            return new String[] {Nodes.configMapJson(s, name, namespace, java.util.Map.of("ClusterConfiguration",
                    s.kube.clusterConfiguration)), null};
        });
        if (result[1] != null) {
            return failApi(inv, server, result[1]);
        }
        inv.out().println(result[0]);
        return 0;
    }

    /** Runs a change on one Node; the function returns kubectl's output or "error: ..." text. */
    private static int onNode(Invocation inv, String server, List<String> w, int nameIndex,
            Function<SimulationState.Node, String> change) {
        if (w.size() <= nameIndex) {
            return inv.fail(1, "a node name is needed (SIMULATED kubectl)");
        }
        String name = w.get(nameIndex);
        HostContext host = inv.host();
        String[] result = host.store().update(s -> {
            Optional<String> e = s.kube == null ? Optional.of("connection refused")
                    : apiError(s, host, server, "/api/v1/nodes/" + name);
            if (e.isPresent()) {
                return new String[] {null, e.get()};
            }
            SimulationState.Node n = s.kube.nodes.get(name);
            if (n == null) {
                return new String[] {null, "(NotFound): nodes \"" + name + "\" not found"};
            }
            String out = change.apply(n);
            s.kube.revision++;
            return new String[] {out, null};
        });
        if (result[1] != null) {
            if (result[1].startsWith("(NotFound)")) {
                inv.err().println("Error from server " + result[1]);
                return 1;
            }
            return failApi(inv, server, result[1]);
        }
        if (result[0].startsWith("error: ")) {
            inv.err().println(result[0]);
            return 1;
        }
        inv.out().println(result[0]);
        return 0;
    }

    private static int delete(Invocation inv, String server, List<String> w) {
        if (w.size() != 3 || !(w.get(1).equals("node") || w.get(1).equals("nodes"))) {
            return inv.fail(1, "only 'delete node <name>' is supported by the SIMULATED kubectl");
        }
        String name = w.get(2);
        HostContext host = inv.host();
        String error = host.store().update(s -> {
            Optional<String> e = s.kube == null ? Optional.of("connection refused")
                    : apiError(s, host, server, "/api/v1/nodes/" + name);
            if (e.isPresent()) {
                return e.get();
            }
            if (s.kube.nodes.remove(name) == null) {
                return "(NotFound): nodes \"" + name + "\" not found";
            }
            s.kube.revision++;
            return null;
        });
        if (error == null) {
            inv.out().println("node \"" + name + "\" deleted");
            return 0;
        }
        if (error.startsWith("(NotFound)")) {
            inv.err().println("Error from server " + error);
            return 1;
        }
        return failApi(inv, server, error);
    }
}
