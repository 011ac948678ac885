package io.epiphany.systemtests.fleet;

import io.epiphany.testkit.sim.FileStateStore;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.HostSetup;
import io.epiphany.testkit.sim.SimulationState;
import io.epiphany.testkit.sim.SimulatorMain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Run once inside each real-OS fleet host when it starts (fleet.sh, through {@code /usr/local/sbin/epiphany-sim} with
 * {@code EPIPHANY_SIM_CLASS} set, so with the fleet's simulation properties): registers the host with the SIMULATED
 * state as {@link SimulatorMain} does on a host's first command ({@code epiphany.sim.bare}, {@code .os-id},
 * {@code .os-version}, {@code .cgroup-v1}), then writes the files the simulation decides for such a machine
 * ({@link HostSetup#writeFiles}: {@code /etc/os-release}, {@code /etc/fstab}, containerd's config on a ready host) into
 * the host's own {@code /etc} (an overlay: never the machine's). Refuses to write through a symlink.
 *
 * <p>It also keeps the host's installed programs in step with the simulation: kubeadm, kubelet, kubectl,
 * containerd, crictl and ctr are links in the host's own {@code /usr/local/bin} (to the fleet's wrappers in
 * {@code /usr/local/sbin/k8s}) exactly when the SIMULATED host has them, so {@code command -v kubeadm} (the SDK's
 * check, answered by the real shell) fails on a bare host until the SIMULATED {@code apt-get}/{@code dnf} installed
 * it; the fleet's apt-get and dnf run through {@code exec} here for that.
 */
public final class SimulatedHostFiles {
    private SimulatedHostFiles() {}

    /** The programs a host has only once installed: links in its /usr/local/bin to the fleet's wrappers. */
    static final List<String> INSTALLED_PROGRAMS = List.of("kubeadm", "kubelet", "kubectl", "containerd", "crictl",
            "ctr");
    private static final Path LINKS = Path.of("/usr/local/bin");
    private static final Path WRAPPERS = Path.of("/usr/local/sbin/k8s");

    /** {@code init}: register the host and write its files; {@code exec TOOL ARGS...}: run a SIMULATED tool, then sync. */
    public static void main(String[] args) throws IOException {
        if (!Boolean.getBoolean("epiphany.sim.real-os")) {
            fail("only for real-OS fleet hosts (-Depiphany.sim.real-os=true, set by the fleet's epiphany-sim)");
        }
        if (args.length >= 2 && args[0].equals("exec")) {
            int rc = SimulatorMain.run(Arrays.copyOfRange(args, 1, args.length), System.in, System.out, System.err);
            System.out.flush();
            if ("root".equals(System.getProperty("user.name"))) {
                syncLinks(host());
            }
            System.exit(rc);
        }
        if (args.length != 1 || !args[0].equals("init")) {
            fail("usage: SimulatedHostFiles init | exec TOOL [ARGS...]");
        }
        init();
    }

    private static void init() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // a read-only command: its first run registers the host (SimulatorMain's own registration, one implementation)
        int rc = SimulatorMain.run(new String[] {"swapon", "--show=NAME", "--noheadings"},
                new ByteArrayInputStream(new byte[0]), out, err);
        if (rc != 0) {
            fail("SIMULATED swapon exited " + rc + ": " + err.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
        SimulationState.Host h = host();
        for (String p : new String[] {"/etc/os-release", "/etc/fstab", "/etc/containerd/config.toml"}) {
            if (Files.isSymbolicLink(Path.of(p)) || Files.exists(Path.of(p), LinkOption.NOFOLLOW_LINKS)
                    && !p.equals("/etc/containerd/config.toml")) {
                fail(p + " still exists (a symlink would lead outside the host's /etc): fleet.sh removes it first");
            }
        }
        boolean bare = Boolean.getBoolean("epiphany.sim.bare");
        HostSetup.writeFiles(h, new HostFiles(Path.of("/"), changed -> { }, () -> false), bare);
        syncLinks(h);
        System.out.println("SIMULATED host " + hostname() + ": " + h.osId + " " + h.osVersion
                + (bare ? ", bare" : ", ready") + (h.cgroupV1 ? ", cgroup v1" : ", cgroup v2")
                + "; /etc/os-release and /etc/fstab written; installed: " + installed(h));
    }

    private static List<String> installed(SimulationState.Host h) {
        return INSTALLED_PROGRAMS.stream().filter(h.binaries::contains).toList();
    }

    /** Links in /usr/local/bin for exactly the programs the simulation says the host has. */
    private static void syncLinks(SimulationState.Host h) throws IOException {
        for (String program : INSTALLED_PROGRAMS) {
            Path link = LINKS.resolve(program);
            boolean wanted = h.binaries.contains(program);
            if (wanted && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, WRAPPERS.resolve(program));
            } else if (!wanted && Files.isSymbolicLink(link)) {
                Files.delete(link);
            }
        }
    }

    private static String hostname() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    }

    private static SimulationState.Host host() throws IOException {
        String hostname = hostname();
        SimulationState.Host h = new FileStateStore(Path.of(System.getProperty("epiphany.sim.shared")))
                .read(s -> s.hosts.get(hostname));
        if (h == null) {
            fail("host " + hostname + " is not in the simulation's state after its first command");
        }
        return h;
    }

    private static void fail(String message) {
        System.err.println("SimulatedHostFiles: " + message);
        System.exit(1);
    }
}
