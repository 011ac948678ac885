package io.epiphany.testkit.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the SIMULATION meets a real operating system: the real-OS fleet of the system tests runs {@link SimulatorMain}
 * as {@code kubeadm}/{@code kubectl}/{@code kubelet} on hosts (network namespaces) that have a REAL HAProxy and REAL
 * processes standing in for the API servers. Off unless the system property {@code epiphany.sim.real-os} is
 * {@code true} (set only by the fleet's wrappers), so the in-process fleet never takes these paths.
 *
 * <ul>
 *   <li>{@link #syncHaproxy}: the simulation's model of this host's load balancer (used by simulated kubeadm
 *       discovery, upload-config, reset and kubectl to decide whether {@code localhost:3446} reaches an apiserver)
 *       is taken from the real host: a real {@code haproxy} process in this host's PID namespace and the real
 *       {@code /etc/haproxy/haproxy.cfg}. Which apiserver behind it is up stays the simulation's model, which the
 *       hook below keeps in step with the real stand-ins.</li>
 *   <li>etcd is REAL ({@link RealEtcd}): the SIMULATED kubelet runs the etcd static pod's command through the
 *       program named by {@code epiphany.sim.etcd-hook}, SIMULATED kubeadm adds, promotes and removes real members;
 *       the fleet's crictl shim runs the real etcdctl "in the etcd container" (hosts have none on their PATH).</li>
 *   <li>{@link #staticPodsStarted}/{@link #staticPodsStopped}: when the SIMULATED kubelet starts or stops a
 *       control plane's static pods, the program named by {@code epiphany.sim.static-pods-hook} is run with
 *       {@code start} or {@code stop}, so that a real process serves (or stops serving) {@code :6443}, as a real
 *       kubelet starting the kube-apiserver pod would.</li>
 * </ul>
 */
public final class RealOsMode {
    static final String ENABLED = "epiphany.sim.real-os";
    static final String HOOK = "epiphany.sim.static-pods-hook";
    private static final String HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";
    private static final long HOOK_TIMEOUT_SECONDS = 60;

    private RealOsMode() {}

    /** True when this JVM is the simulation running on a real-OS fleet host. */
    public static boolean enabled() {
        return Boolean.getBoolean(ENABLED);
    }

    /** Copies the real HAProxy's state of this host into the simulation's model of it (no-op when disabled). */
    static void syncHaproxy(StateStore store, String hostname) {
        if (!enabled()) {
            return;
        }
        boolean running = ProcessHandle.allProcesses().anyMatch(p -> p.info().command()
                .map(c -> Path.of(c).getFileName().toString().equals("haproxy")).orElse(false));
        String config = null;
        if (running) {
            try {
                config = Files.readString(Path.of(HAPROXY_CFG), StandardCharsets.UTF_8);
            } catch (IOException noConfig) {
                running = false;
            }
        }
        boolean active = running;
        String cfg = config;
        store.update(s -> {
            SimulationState.Host h = s.hosts.get(hostname);
            if (active) {
                h.active.add("haproxy");
                h.binaries.add("haproxy");
            } else {
                h.active.remove("haproxy");
            }
            h.haproxyLoaded(cfg);
            return null;
        });
    }

    /**
     * The SIMULATED kubeadm started ({@code true}: init, join) or stopped ({@code false}: reset) the kubelet: the
     * real-OS fleet's systemctl shim keeps the unit's state in these files, so {@code systemctl is-active kubelet}
     * agrees with the simulation (no-op when disabled).
     */
    public static void kubeletActive(boolean active) {
        if (!enabled()) {
            return;
        }
        try {
            for (Path p : List.of(Path.of("/run/epiphany-systemctl-shim/kubelet.active"),
                    Path.of("/etc/epiphany-systemctl-shim/enabled/kubelet"))) {
                if (active) {
                    Files.createDirectories(p.getParent());
                    Files.writeString(p, "");
                } else if (p.getFileName().toString().equals("kubelet.active")) {
                    Files.deleteIfExists(p); // kubeadm reset stops the kubelet; it stays enabled
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("real-OS fleet: cannot record the kubelet's state for the systemctl shim: "
                    + e.getMessage(), e);
        }
    }

    /** The SIMULATED kubelet started a control plane whose apiserver is healthy: start the real stand-in. */
    public static void staticPodsStarted(String hostname) {
        runHook(HOOK, hostname, List.of("start"));
    }

    /** The control plane's static pods are gone ({@code kubeadm reset}): stop the real stand-in. */
    public static void staticPodsStopped(String hostname) {
        runHook(HOOK, hostname, List.of("stop"));
    }

    /** Runs the program named by the system property {@code property} with {@code args} (no-op when unset). */
    static void runHook(String property, String hostname, List<String> args) {
        String hook = System.getProperty(property);
        String action = args.get(0);
        if (!enabled() || hook == null || hook.isBlank()) {
            return;
        }
        try {
            List<String> line = new java.util.ArrayList<>(List.of(hook));
            line.addAll(args);
            Process p = new ProcessBuilder(line).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(HOOK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("real-OS static-pods hook '" + hook + " " + action + "' on " + hostname
                        + " did not finish in " + HOOK_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("real-OS static-pods hook '" + hook + " " + action + "' on " + hostname
                        + " exited " + p.exitValue() + ": " + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("real-OS static-pods hook '" + hook + "' on " + hostname
                    + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the static-pods hook on " + hostname, e);
        }
    }
}
