package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.List;

/**
 * How a SIMULATED machine looks when the fleet starts: a kubeadm-ready host (the default: the Kubernetes binaries,
 * containerd 2.1.4 running with a CRI-serving config, swap off, overlay and br_netfilter loaded, the bridge sysctls
 * at 1; ip_forward stays 0 as on a stock install, which the SDK sets) or a bare one (no kubeadm, kubelet, kubectl,
 * crictl, containerd; swap on, also in /etc/fstab; no modules; ip_forward 0), each with an /etc/os-release.
 */
public final class HostSetup {
    /** What every machine has, bare or not. */
    static final List<String> BARE_BINARIES = List.of("sh", "env", "sudo", "test", "sysctl", "cat", "dd", "head", "grep", "cmp", "cp", "mkdir", "mv",
            "rm", "rmdir", "sha256sum", "date", "systemctl", "curl", "stat", "chmod", "chown", "id", "swapon",
            "swapoff", "modprobe", "lsmod");
    /** A containerd 2.x config that serves the CRI with the systemd cgroup driver (SIMULATED default). */
    public static final String READY_CONTAINERD_CONFIG = "version = 3\n\n[plugins.'io.containerd.cri.v1.runtime'.containerd"
            + ".runtimes.runc.options]\n  SystemdCgroup = true\n";
    /** What Docker's containerd.io package installs as /etc/containerd/config.toml. */
    public static final String DOCKER_CONTAINERD_CONFIG = "#   Copyright 2018-2022 Docker Inc.\n\n"
            + "#   SIMULATED copy of the containerd.io package's config\n\ndisabled_plugins = [\"cri\"]\n";

    private HostSetup() {}

    /** The OS family of an /etc/os-release ID. */
    public static String family(String osId) {
        return switch (osId) {
            case "debian", "ubuntu" -> "debian";
            case "rhel", "rocky", "almalinux", "centos" -> "rhel";
            default -> throw new IllegalArgumentException("the simulation knows debian, ubuntu, rhel, rocky, "
                    + "almalinux; was " + osId);
        };
    }

    /** Sets up a new host's state; the files follow with {@link #writeFiles}. */
    public static void prepare(SimulationState.Host h, String osId, String osVersion, boolean bare, boolean cgroupV1) {
        h.osId = osId;
        h.osVersion = osVersion;
        h.os = family(osId);
        h.cgroupV1 = cgroupV1;
        h.binaries.addAll(BARE_BINARIES);
        h.binaries.add(h.os.equals("debian") ? "apt-get" : "dnf");
        if (h.os.equals("debian")) {
            h.binaries.add("apt-mark");
            h.binaries.add("apt-cache");
        }
        if (bare) {
            h.swap.add(swapDevice(osId));
            h.kubeadmVersion = null;
            return;
        }
        h.binaries.addAll(List.of("kubeadm", "kubelet", "kubectl", "crictl", "containerd", "ctr"));
        h.modules.addAll(List.of("overlay", "br_netfilter", "bridge"));
        h.sysctls.put("net.bridge.bridge-nf-call-iptables", "1");
        h.sysctls.put("net.bridge.bridge-nf-call-ip6tables", "1");
        h.containerdVersion = Repositories.CONTAINERD_VERSION;
        h.containerdCri = true;
        h.active.add("containerd");
        h.enabled.add("containerd");
        h.enabled.add("kubelet");
    }

    /** The files of a new host: /etc/os-release, /etc/fstab, containerd's config on a ready host. */
    public static void writeFiles(SimulationState.Host h, HostFiles files, boolean bare) throws IOException {
        files.write("/etc/os-release", osRelease(h.osId, h.osVersion), 0644);
        files.mkdirs(h.os.equals("debian") ? "/etc/apt/sources.list.d" : "/etc/yum.repos.d");
        String fstab = "# /etc/fstab: static file system information (SIMULATED)\n"
                + "/dev/vda1\t/\text4\terrors=remount-ro\t0\t1\n";
        if (bare) {
            fstab += swapDevice(h.osId) + "\tnone\tswap\tsw\t0\t0\n";
        }
        files.write("/etc/fstab", fstab, 0644);
        if (!bare) {
            files.write("/etc/containerd/config.toml", READY_CONTAINERD_CONFIG, 0644);
        }
    }

    static String swapDevice(String osId) {
        return osId.equals("ubuntu") ? "/swap.img" : "/dev/vda2";
    }

    static String osRelease(String id, String version) {
        String codename = Repositories.codename(id, version);
        return switch (id) {
            case "debian" -> "PRETTY_NAME=\"Debian GNU/Linux " + version + " (" + codename + ")\"\nNAME=\"Debian "
                    + "GNU/Linux\"\nVERSION_ID=\"" + version + "\"\nVERSION=\"" + version + " (" + codename + ")\"\n"
                    + "VERSION_CODENAME=" + codename + "\nID=debian\n";
            case "ubuntu" -> "PRETTY_NAME=\"Ubuntu " + version + " LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"" + version
                    + "\"\nVERSION=\"" + version + " LTS\"\nVERSION_CODENAME=" + codename + "\nID=ubuntu\n"
                    + "ID_LIKE=debian\nUBUNTU_CODENAME=" + codename + "\n";
            default -> "NAME=\"" + (id.equals("rocky") ? "Rocky Linux" : id.equals("almalinux") ? "AlmaLinux"
                    : "Red Hat Enterprise Linux") + "\"\nVERSION=\"" + version + "\"\nID=\"" + id + "\"\n"
                    + "ID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"" + version + "\"\nPLATFORM_ID=\"platform:el9\"\n";
        };
    }

    /**
     * A boot: swap lines of /etc/fstab come back, modules listed in /etc/modules-load.d load, /etc/sysctl.d applies;
     * everything not persisted is lost (runtime swapoff, modprobe, sysctl).
     */
    public static void boot(SimulationState.Host h, HostFiles files) throws IOException {
        h.swap.clear();
        if (files.exists("/etc/fstab")) {
            for (String line : files.readString("/etc/fstab").split("\n")) {
                String[] f = line.strip().split("\\s+");
                if (!line.strip().startsWith("#") && f.length >= 3 && f[2].equals("swap")) {
                    h.swap.add(f[0]);
                }
            }
        }
        h.modules.clear();
        h.sysctls.clear();
        h.ipForward = "0";
        for (String name : files.list("/etc/modules-load.d")) {
            for (String line : files.readString("/etc/modules-load.d/" + name).split("\n")) {
                String m = line.strip();
                if (KernelCommands.KNOWN_MODULES.contains(m)) {
                    KernelCommands.load(h, m);
                }
            }
        }
        for (String name : files.list("/etc/sysctl.d")) {
            Sysctl.applyFile(h, files.readString("/etc/sysctl.d/" + name), null);
        }
    }
}
