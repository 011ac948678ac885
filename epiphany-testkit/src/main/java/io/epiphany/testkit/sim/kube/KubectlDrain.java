package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SIMULATED {@code kubectl drain <node>} after the cordon, over the Pods a test placed on Nodes, with kubectl's rules
 * and messages (staging/src/k8s.io/kubectl/pkg/drain/filters.go and drain.go, kubectl/pkg/cmd/drain/drain.go):
 *
 * <ul>
 *   <li>filters in kubectl's order, first refusal wins per Pod: DaemonSet-managed Pods refuse the drain without
 *       {@code --ignore-daemonsets} and are never deleted; Pods with an emptyDir volume refuse it without {@code
 *       --delete-emptydir-data}; Pods that declare no controller refuse it without {@code --force}. Any refusal and no
 *       Pod is touched: "error: unable to drain node ..., aborting command...", the pending nodes, then each refusal as
 *       "cannot delete &lt;why&gt;: ns/name, ...";</li>
 *   <li>eviction (unless {@code --disable-eviction}, which deletes and so bypasses PodDisruptionBudgets): a Pod whose
 *       budget allows no disruption answers 429, and kubectl retries every 5 s until {@code --timeout} ("error when
 *       evicting pods/..." then "global timeout reached"). {@code --timeout=0} means forever in kubectl; the
 *       simulation refuses a blocked eviction with it rather than hang;</li>
 *   <li>evicted Pods with a controller come back on another schedulable Node (their controller recreates them,
 *       SIMULATED as a move); Pods without one are gone.</li>
 * </ul>
 * The grace period is validated (an integer; negative means each Pod's own) but not waited for; a fleet's {@code
 * drainDelay} is (a benchmark's stand-in for the Pods' eviction time).
 */
final class KubectlDrain {
    private static final String DAEMONSET = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
    private static final String LOCAL_STORAGE = "Pods with local storage (use --delete-emptydir-data to override)";
    private static final String UNMANAGED = "cannot delete Pods that declare no controller (use --force to override)";
    private static final String PDB = "Cannot evict pod as it would violate the pod's disruption budget.";
    private static final long RETRY_MILLIS = 5000;

    private KubectlDrain() {}

    /** Evicts the Node's Pods (it is cordoned already); kubectl's exit code. */
    static int evict(Invocation inv, String node) {
        List<String> a = inv.args();
        Optional<String> grace = flag(a, "--grace-period");
        if (grace.isPresent() && !grace.get().matches("-?\\d+")) {
            return invalid(inv, grace.get(), "--grace-period", "strconv.ParseInt: parsing \"" + grace.get()
                    + "\": invalid syntax");
        }
        Optional<String> timeoutFlag = flag(a, "--timeout");
        long timeout = 0;
        if (timeoutFlag.isPresent()) {
            Optional<Long> parsed = seconds(timeoutFlag.get());
            if (parsed.isEmpty()) {
                return invalid(inv, timeoutFlag.get(), "--timeout", "time: invalid duration \"" + timeoutFlag.get()
                        + "\"");
            }
            timeout = parsed.get();
        }
        boolean ignoreDaemonSets = a.contains("--ignore-daemonsets");
        boolean emptyDir = a.contains("--delete-emptydir-data");
        boolean force = a.contains("--force");
        boolean disableEviction = a.contains("--disable-eviction");
        List<SimulationState.Pod> pods = inv.host().store().read(s -> s.kube.pods.stream()
                .filter(p -> node.equals(p.node)).map(KubectlDrain::copy).toList());
        Map<String, List<String>> refused = new LinkedHashMap<>();
        List<SimulationState.Pod> evict = new ArrayList<>();
        for (SimulationState.Pod p : pods) {
            String why = "DaemonSet".equals(p.controller) ? (ignoreDaemonSets ? "" : DAEMONSET)
                    : p.emptyDir && !emptyDir ? LOCAL_STORAGE
                    : p.controller == null && !force ? UNMANAGED : null;
            if (why == null) {
                evict.add(p);
            } else if (!why.isEmpty()) {
                refused.computeIfAbsent(why, k -> new ArrayList<>()).add(p.namespace + "/" + p.name);
            }
        }
        if (!refused.isEmpty()) {
            return abort(inv, node, refused.entrySet().stream().map(e -> (e.getKey().startsWith("cannot delete") ? ""
                    : "cannot delete ") + e.getKey() + ": " + String.join(", ", e.getValue())).toList());
        }
        long deadline = System.nanoTime() + timeout * 1_000_000_000L;
        sleep(inv.host().store().read(s -> s.drainDelayMillis));
        for (SimulationState.Pod p : evict) {
            inv.out().println("evicting pod " + p.namespace + "/" + p.name);
        }
        List<String> errors = new ArrayList<>();
        for (SimulationState.Pod p : evict) {
            boolean evicted = true;
            while (evicted && !disableEviction && blocked(inv, p)) {
                if (timeout == 0) {
                    return inv.fail(1, "SIMULATED: --timeout=0 waits forever for pods/\"" + p.name + "\" -n \""
                            + p.namespace + "\" (blocked by PodDisruptionBudget " + p.blockingPdb + ")");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    errors.add("error when evicting pods/\"" + p.name + "\" -n \"" + p.namespace + "\": global timeout "
                            + "reached: " + goDuration(timeout));
                    evicted = false;
                } else {
                    inv.err().println("error when evicting pods/\"" + p.name + "\" -n \"" + p.namespace + "\" (will "
                            + "retry after 5s): " + PDB);
                    sleep(Math.min(RETRY_MILLIS, left / 1_000_000L + 1));
                }
            }
            if (evicted) {
                remove(inv, p);
                inv.out().println("pod/" + p.name + (disableEviction ? " deleted" : " evicted"));
            }
        }
        if (!errors.isEmpty()) {
            return abort(inv, node, errors);
        }
        inv.out().println("node/" + node + " drained");
        return 0;
    }

    /** kubectl's output when one node of the command cannot be drained (cmd/drain/drain.go RunDrain). */
    private static int abort(Invocation inv, String node, List<String> errors) {
        inv.err().println("error: unable to drain node \"" + node + "\", aborting command...\n");
        inv.err().println("There are pending nodes to be drained:\n " + node);
        inv.err().println("error: " + (errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]"));
        return 1;
    }

    private static boolean blocked(Invocation inv, SimulationState.Pod p) {
        return inv.host().store().read(s -> s.kube.pods.stream().anyMatch(x -> same(x, p) && x.blockingPdb != null));
    }

    /** Gone, or (with a controller) recreated on another schedulable Node. */
    private static void remove(Invocation inv, SimulationState.Pod p) {
        inv.host().store().update(s -> {
            Optional<String> elsewhere = s.kube.nodes.values().stream()
                    .filter(n -> !n.unschedulable && !n.name.equals(p.node)).map(n -> n.name).findFirst();
            s.kube.pods.removeIf(x -> same(x, p) && (p.controller == null || elsewhere.isEmpty()));
            s.kube.pods.stream().filter(x -> same(x, p)).forEach(x -> x.node = elsewhere.orElseThrow());
            s.kube.revision++;
            return null;
        });
    }

    private static boolean same(SimulationState.Pod x, SimulationState.Pod p) {
        return x.namespace.equals(p.namespace) && x.name.equals(p.name) && x.node.equals(p.node);
    }

    private static SimulationState.Pod copy(SimulationState.Pod p) {
        SimulationState.Pod c = new SimulationState.Pod();
        c.namespace = p.namespace;
        c.name = p.name;
        c.node = p.node;
        c.controller = p.controller;
        c.emptyDir = p.emptyDir;
        c.blockingPdb = p.blockingPdb;
        return c;
    }

    private static Optional<String> flag(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).startsWith(name + "=")) {
                return Optional.of(args.get(i).substring(name.length() + 1));
            }
            if (args.get(i).equals(name) && i + 1 < args.size()) {
                return Optional.of(args.get(i + 1));
            }
        }
        return Optional.empty();
    }

    /** Go's duration syntax, the forms kubectl users write: {@code 0}, {@code 90s}, {@code 5m}, {@code 1h}. */
    private static Optional<Long> seconds(String d) {
        if (d.equals("0")) {
            return Optional.of(0L);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(h|m|s)").matcher(d);
        long total = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            total += Long.parseLong(m.group(1)) * switch (m.group(2)) {
                case "h" -> 3600;
                case "m" -> 60;
                default -> 1;
            };
            end = m.end();
        }
        return end == d.length() && end > 0 ? Optional.of(total) : Optional.empty();
    }

    /** As Go prints a time.Duration: {@code 30s}, {@code 5m0s}, {@code 1h0m0s}. */
    static String goDuration(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return h > 0 ? h + "h" + m + "m" + s + "s" : m > 0 ? m + "m" + s + "s" : s + "s";
    }

    private static int invalid(Invocation inv, String value, String flag, String why) {
        inv.err().println("error: invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + why);
        return 1;
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
