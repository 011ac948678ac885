package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.List;

/**
 * SIMULATED package managers, one per host by its OS: {@code apt-get update}, {@code apt-get install -y ...} and
 * {@code dnf install -y ...}. The distribution's own {@code haproxy} and {@code socat} are always installable (their
 * binaries, haproxy's unit and default config; Debian's starts and enables the service, Red Hat's does not); the
 * Kubernetes packages and {@code containerd.io} come from the {@link Repositories} the host's apt lists or yum repo
 * files name ({@link AptGet}, {@link Dnf}).
 */
final class PackageInstaller implements Program {
    private final String tool;

    PackageInstaller(String tool) {
        this.tool = tool;
    }

    @Override
    public boolean changesState(List<String> args) {
        return args.contains("install") || args.contains("update");
    }

    @Override
    public int run(Invocation inv) throws IOException {
        String os = inv.host().host(h -> h.os);
        if (!("apt-get".equals(tool) ? "debian" : "rhel").equals(os)) {
            inv.err().println("sh: 1: " + tool + ": not found");
            return 127;
        }
        if ("apt-get".equals(tool) && inv.args().equals(List.of("update"))) {
            return AptGet.update(inv);
        }
        List<String> words = inv.args().stream().filter(a -> !a.startsWith("-")).toList();
        if ("dnf".equals(tool) && words.size() == 2 && words.get(0).equals("list")
                && inv.args().contains("--showduplicates")) {
            return Dnf.list(inv, words.get(1));
        }
        List<String> packages = inv.args().stream().filter(a -> !a.startsWith("-") && !a.equals("install")).toList();
        if (!inv.args().contains("install") || !inv.args().contains("-y") || packages.isEmpty()) {
            return inv.fail(100, "E: only '" + tool + " update' and '" + tool + " install -y <package>...' are "
                    + "supported by the SIMULATED host");
        }
        if (!inv.root()) {
            return "dnf".equals(tool) ? inv.fail(1, "Error: This command has to be run with superuser privileges "
                    + "(under the root user on most systems).")
                    : inv.fail(100, "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission "
                    + "denied)");
        }
        List<String> distro = packages.stream().filter(p -> p.equals("haproxy") || p.equals("socat")).toList();
        List<String> repo = packages.stream().filter(p -> !distro.contains(p)).toList();
        if (!repo.isEmpty()) {
            int status = "dnf".equals(tool) ? Dnf.install(inv, repo) : AptGet.install(inv, repo);
            if (status != 0 || distro.isEmpty()) {
                return status;
            }
        }
        return installDistro(inv, distro);
    }

    /** Installs one resolved package from a SIMULATED repository: its binary, version, unit and config. */
    static void installResolved(Invocation inv, String pkg, String upstreamVersion, String packageVersion,
            String repository) throws IOException {
        boolean debian = inv.host().host(h -> h.os.equals("debian"));
        String tag = "v" + upstreamVersion;
        boolean containerd = pkg.equals("containerd.io");
        if (containerd && !inv.host().files().exists("/etc/containerd/config.toml")) {
            // a conffile: dpkg and rpm keep one that is already there
            inv.host().files().write("/etc/containerd/config.toml", HostSetup.DOCKER_CONTAINERD_CONFIG, 0644);
        }
        inv.host().store().update(s -> {
            SimulationState.Host h = s.hosts.get(inv.host().hostname());
            // a binary whose version followed kubeadm's keeps its own from now on
            if (h.kubeletVersion == null && h.binaries.contains("kubelet")) {
                h.kubeletVersion = h.kubeadmVersion;
            }
            if (h.kubectlVersion == null && h.binaries.contains("kubectl")) {
                h.kubectlVersion = h.kubeadmVersion;
            }
            String binary = Repositories.binaryOf(pkg);
            if (binary != null) {
                h.binaries.add(binary);
            }
            switch (pkg) {
                case "kubeadm" -> h.kubeadmVersion = tag;
                case "kubelet" -> {
                    h.kubeletVersion = tag;
                    if (debian) {
                        h.enabled.add("kubelet"); // the deb's postinst enables it; it crash-loops until kubeadm runs
                    }
                }
                case "kubectl" -> h.kubectlVersion = tag;
                case "containerd.io" -> {
                    h.containerdVersion = upstreamVersion;
                    h.binaries.add("ctr"); // containerd.io ships containerd's own client too
                    if (debian) {
                        h.enabled.add("containerd");
                    }
                }
                default -> { }
            }
            SimulationState.Installed i = new SimulationState.Installed();
            i.version = packageVersion;
            i.repository = repository;
            h.packages.put(pkg, i);
            return null;
        });
        if (containerd && debian) {
            Containerd.started(inv.host());
            inv.host().store().update(s -> s.hosts.get(inv.host().hostname()).active.add("containerd"));
        }
    }

    private int installDistro(Invocation inv, List<String> packages) throws IOException {
        if (packages.contains("socat")) {
            inv.host().store().update(s -> s.hosts.get(inv.host().hostname()).binaries.add("socat"));
        }
        if (!packages.contains("haproxy")) {
            return 0;
        }
        if (inv.host().host(h -> h.binaries.contains("haproxy"))) {
            inv.out().println("haproxy is already the newest version.");
            return 0;
        }
        if (!inv.host().files().exists(HaproxyCommand.DEFAULT_CONFIG)) {
            inv.host().files().write(HaproxyCommand.DEFAULT_CONFIG, HaproxyConfig.PACKAGE_DEFAULT, 0644);
        }
        boolean debian = "apt-get".equals(tool);
        // dpkg keeps a config that is already there (a conffile), and the service starts only if it is valid
        String config = inv.host().files().readString(HaproxyCommand.DEFAULT_CONFIG);
        boolean starts = debian && HaproxyConfig.parse(config).problems().isEmpty();
        inv.host().store().update(s -> {
            SimulationState.Host h = s.hosts.get(inv.host().hostname());
            h.binaries.add("haproxy");
            if (debian) {
                h.enabled.add("haproxy");
            }
            if (starts) {
                h.active.add("haproxy");
                h.haproxyLoaded(config);
            }
            return null;
        });
        inv.out().println("Setting up haproxy (SIMULATED) ...");
        return 0;
    }
}
