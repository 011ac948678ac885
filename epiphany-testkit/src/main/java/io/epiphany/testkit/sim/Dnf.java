package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SIMULATED {@code dnf install -y [--disableexcludes=<repo>|all] name[-version]...}: the repositories are the
 * sections of {@code /etc/yum.repos.d/*.repo} ({@code baseurl}, {@code gpgkey}, {@code exclude}, {@code enabled});
 * dnf fetches their metadata itself (no update step), fails on a repository it cannot reach, and hides what an
 * {@code exclude=} line names unless {@code --disableexcludes} lifts it (kubeadm's install docs use that as the hold).
 * RPM versions are pkgs.k8s.io's {@code <v>-150500.1.1}. Messages are dnf 4's.
 */
final class Dnf {
    private Dnf() {}

    record RepoFile(String id, String baseurl, String gpgkey, boolean gpgcheck, List<String> exclude) {}

    static List<RepoFile> repos(HostFiles f) throws IOException {
        List<RepoFile> out = new ArrayList<>();
        for (String name : f.list("/etc/yum.repos.d")) {
            if (!name.endsWith(".repo")) {
                continue;
            }
            String id = null;
            Map<String, String> keys = new LinkedHashMap<>();
            List<String> lines = new ArrayList<>(List.of(f.readString("/etc/yum.repos.d/" + name).split("\n")));
            lines.add("[]");
            for (String raw : lines) {
                String line = raw.strip();
                if (line.startsWith("[") && line.endsWith("]")) {
                    if (id != null && !"0".equals(keys.get("enabled")) && keys.containsKey("baseurl")) {
                        out.add(new RepoFile(id, keys.get("baseurl"), keys.get("gpgkey"),
                                "1".equals(keys.getOrDefault("gpgcheck", "1")),
                                List.of(keys.getOrDefault("exclude", "").split("\\s+"))));
                    }
                    id = line.substring(1, line.length() - 1);
                    keys.clear();
                } else if (line.contains("=") && !line.startsWith("#")) {
                    keys.put(line.substring(0, line.indexOf('=')).strip(), line.substring(line.indexOf('=') + 1).strip());
                }
            }
        }
        return out;
    }

    static String rpmVersion(Repositories.Repo r, String upstream) {
        return upstream + (r.kubernetes() ? "-150500.1.1" : "-1.el9");
    }

    private static String disabledExcludes(Invocation inv) {
        return inv.args().stream().filter(a -> a.startsWith("--disableexcludes="))
                .map(a -> a.substring("--disableexcludes=".length())).findFirst().orElse("");
    }

    /** The enabled repositories' metadata, or dnf's exit code when one cannot be downloaded. */
    private static int load(Invocation inv, List<Repositories.Repo> repos, List<RepoFile> files) throws IOException {
        for (RepoFile rf : repos(inv.host().files())) {
            Optional<Repositories.Repo> r = inv.host().store().read(s -> Repositories.parse(s, rf.baseurl()));
            if (r.isEmpty() || !r.get().exists() || !r.get().format().equals("rpm")) {
                String url = rf.baseurl().replaceFirst("/$", "") + "/repodata/repomd.xml";
                inv.err().println("Errors during downloading metadata for repository '" + rf.id() + "':");
                inv.err().println(r.isEmpty() ? "  - Curl error (6): Couldn't resolve host name for " + url
                        + " [Could not resolve host: " + Repositories.hostOf(url) + "]"
                        : "  - Status code: 404 for " + url + " (IP: SIMULATED)");
                inv.err().println("Error: Failed to download metadata for repo '" + rf.id() + "': Cannot download "
                        + "repomd.xml: Cannot download repodata/repomd.xml: All mirrors were tried");
                return 1;
            }
            if (rf.gpgcheck()) {
                Optional<Repositories.Repo> key = rf.gpgkey() == null ? Optional.empty()
                        : inv.host().store().read(s -> Repositories.parse(s, rf.gpgkey()));
                if (key.isEmpty() || !key.get().isKey() || key.get().kubernetes() != r.get().kubernetes()) {
                    inv.err().println("Curl error (6): Couldn't resolve host name for " + rf.gpgkey()
                            + " [Could not resolve host: " + Repositories.hostOf(String.valueOf(rf.gpgkey())) + "]");
                    inv.err().println("Error: Failed to retrieve GPG key for repository '" + rf.id() + "'");
                    return 1;
                }
            }
            repos.add(r.get());
            files.add(rf);
        }
        return 0;
    }

    /**
     * {@code dnf list --showduplicates <pkg>}: "Installed Packages" then "Available Packages", one
     * {@code name.arch  version-release  repo} line each, oldest first (excluded packages hidden unless {@code
     * --disableexcludes} names their repository).
     */
    static int list(Invocation inv, String pkg) throws IOException {
        List<Repositories.Repo> repos = new ArrayList<>();
        List<RepoFile> files = new ArrayList<>();
        int loaded = load(inv, repos, files);
        if (loaded != 0) {
            return loaded;
        }
        String disabled = disabledExcludes(inv);
        SimulationState.Installed installed = inv.host().host(h -> h.packages.get(pkg));
        List<String> available = new ArrayList<>();
        for (int i = 0; i < repos.size(); i++) {
            boolean hidden = files.get(i).exclude().contains(pkg) && !disabled.equals(files.get(i).id())
                    && !disabled.equals("all");
            for (String v : hidden ? List.<String>of() : repos.get(i).versions(pkg)) {
                available.add(String.format("%-30s %-30s %s", pkg + ".x86_64", rpmVersion(repos.get(i), v),
                        files.get(i).id()));
            }
        }
        if (installed == null && available.isEmpty()) {
            inv.err().println("Error: No matching Packages to list");
            return 1;
        }
        if (installed != null) {
            inv.out().println("Installed Packages");
            inv.out().println(String.format("%-30s %-30s %s", pkg + ".x86_64", installed.version, "@kubernetes"));
        }
        if (!available.isEmpty()) {
            inv.out().println("Available Packages");
            available.forEach(inv.out()::println);
        }
        return 0;
    }

    static int install(Invocation inv, List<String> specs) throws IOException {
        String disabled = disabledExcludes(inv);
        List<Repositories.Repo> repos = new ArrayList<>();
        List<RepoFile> files = new ArrayList<>();
        int loaded = load(inv, repos, files);
        if (loaded != 0) {
            return loaded;
        }
        Map<String, String[]> plan = new LinkedHashMap<>();
        for (String spec : specs) {
            String[] nv = splitSpec(spec);
            String[] choice = null;
            for (int i = 0; i < repos.size(); i++) {
                boolean hidden = files.get(i).exclude().contains(nv[0]) && !disabled.equals(files.get(i).id())
                        && !disabled.equals("all");
                for (String v : hidden ? List.<String>of() : repos.get(i).versions(nv[0])) {
                    if (nv[1] == null || v.equals(nv[1]) || rpmVersion(repos.get(i), v).equals(nv[1])) {
                        choice = new String[] {v, rpmVersion(repos.get(i), v), files.get(i).baseurl(),
                                String.valueOf(i)};
                    }
                }
            }
            if (choice == null) {
                inv.out().println("No match for argument: " + spec);
                inv.err().println("Error: Unable to find a match: " + spec);
                return 1;
            }
            plan.put(nv[0], choice);
            if (nv[0].equals("kubeadm")) {
                Repositories.Repo r = repos.get(Integer.parseInt(choice[3]));
                List<String> v = r.versions("cri-tools");
                String last = v.get(v.size() - 1);
                plan.putIfAbsent("cri-tools", new String[] {last, rpmVersion(r, last), choice[2]});
            }
        }
        SimulationState.Host h = inv.host().host(x -> x);
        inv.out().println("Dependencies resolved.");
        boolean any = false;
        for (Map.Entry<String, String[]> e : plan.entrySet()) {
            String[] c = e.getValue();
            SimulationState.Installed now = h.packages.get(e.getKey());
            if (now != null && now.version.equals(c[1])) {
                inv.out().println("Package " + e.getKey() + "-" + c[1] + ".x86_64 is already installed.");
                continue;
            }
            any = true;
            PackageInstaller.installResolved(inv, e.getKey(), c[0], c[1], c[2]);
            inv.out().println("Installed:\n  " + e.getKey() + "-" + c[1] + ".x86_64");
        }
        inv.out().println(any ? "Complete!" : "Nothing to do.\nComplete!");
        return 0;
    }

    /** {@code kubeadm-1.37.0} → kubeadm, 1.37.0; {@code containerd.io} → containerd.io, null. */
    private static String[] splitSpec(String spec) {
        int dash = spec.lastIndexOf('-');
        while (dash > 0) {
            if (dash + 1 < spec.length() && Character.isDigit(spec.charAt(dash + 1))) {
                String name = spec.substring(0, dash);
                // "name-1.37.0-150500.1.1": the version may have a release part
                int inner = name.lastIndexOf('-');
                if (inner > 0 && inner + 1 < name.length() && Character.isDigit(name.charAt(inner + 1))) {
                    return new String[] {name.substring(0, inner), spec.substring(inner + 1)};
                }
                return new String[] {name, spec.substring(dash + 1)};
            }
            dash = spec.lastIndexOf('-', dash - 1);
        }
        return new String[] {spec, null};
    }
}
