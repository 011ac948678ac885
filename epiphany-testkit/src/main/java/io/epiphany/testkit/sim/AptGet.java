package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SIMULATED apt: {@code apt-get update} reads {@code /etc/apt/sources.list.d/*.list} and indexes each source whose
 * repository the simulation serves and whose {@code signed-by} key file holds its key; {@code apt-get install -y
 * [--allow-change-held-packages] pkg[=version]...} installs from the indexed sources only (a list added since the
 * last update is unknown until the next); {@code apt-mark hold|unhold|showhold}. Messages are apt's.
 */
final class AptGet {
    private static final Pattern SOURCE = Pattern.compile(
            "^deb\\s+(?:\\[([^\\]]*)\\]\\s+)?(\\S+)\\s+(\\S+)(?:\\s+(.*))?$");

    private AptGet() {}

    /** One {@code deb} line: options, URI, suite. */
    record Source(String line, String signedBy, String uri, String suite) {
        String display() {
            return uri.replaceFirst("/$", "") + " " + suite;
        }
    }

    static List<Source> sources(HostFiles f) throws IOException {
        List<Source> out = new ArrayList<>();
        for (String name : f.list("/etc/apt/sources.list.d")) {
            if (!name.endsWith(".list")) {
                continue;
            }
            for (String raw : f.readString("/etc/apt/sources.list.d/" + name).split("\n")) {
                Matcher m = SOURCE.matcher(raw.strip());
                if (!m.matches()) {
                    continue;
                }
                String signedBy = null;
                for (String opt : (m.group(1) == null ? "" : m.group(1)).split("\\s+")) {
                    if (opt.startsWith("signed-by=")) {
                        signedBy = opt.substring("signed-by=".length());
                    }
                }
                out.add(new Source(raw.strip(), signedBy, m.group(2), m.group(3)));
            }
        }
        return out;
    }

    static int update(Invocation inv) throws IOException {
        if (!inv.root()) {
            return inv.fail(100, "E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)");
        }
        HostFiles f = inv.host().files();
        SimulationState.Host h = inv.host().host(x -> x);
        String codename = Repositories.codename(h.osId, h.osVersion);
        List<String> indexed = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int n = 1;
        inv.out().println("Hit:" + n++ + " http://deb.debian.org/debian " + codename + " InRelease (SIMULATED)");
        for (Source src : sources(f)) {
            int i = n++;
            Optional<Repositories.Repo> repo = inv.host().store().read(s -> Repositories.parse(s, src.uri()));
            if (repo.isEmpty()) {
                String host = Repositories.hostOf(src.uri());
                inv.out().println("Err:" + i + " " + src.display() + " InRelease");
                inv.out().println("  Could not resolve '" + host + "'");
                warnings.add("W: Failed to fetch " + src.uri().replaceFirst("/$", "") + "/dists/" + src.suite()
                        + "/InRelease  Could not resolve '" + host + "'");
                continue;
            }
            Repositories.Repo r = repo.get();
            boolean found = r.exists() && r.format().equals("deb") && (r.kubernetes() ? src.suite().equals("/")
                    : r.distro().equals(h.osId) && src.suite().equals(codename) && r.rest().isEmpty());
            if (!found) {
                inv.out().println("Ign:" + i + " " + src.display() + " InRelease");
                inv.out().println("Err:" + i + " " + src.display() + " Release");
                inv.out().println("  404  Not Found");
                errors.add("E: The repository '" + src.display() + " Release' does not have a Release file.");
                continue;
            }
            String key = src.signedBy() != null && f.exists(src.signedBy()) ? f.readString(src.signedBy()) : "";
            inv.out().println("Get:" + i + " " + src.display() + " InRelease [1,189 B]");
            if (!Repositories.keyIdOf(key).map(r.keyId()::equals).orElse(false)) {
                String why = "The following signatures couldn't be verified because the public key is not available: "
                        + "NO_PUBKEY " + r.keyId();
                inv.out().println("Err:" + i + " " + src.display() + " InRelease");
                inv.out().println("  " + why);
                warnings.add("W: GPG error: " + src.display() + " InRelease: " + why);
                errors.add("E: The repository '" + src.display() + " InRelease' is not signed.");
                continue;
            }
            indexed.add(src.line());
        }
        inv.out().println("Reading package lists...");
        inv.host().store().update(s -> {
            s.hosts.get(inv.host().hostname()).aptIndexed = indexed;
            return null;
        });
        warnings.forEach(inv.err()::println);
        if (warnings.stream().anyMatch(w -> w.startsWith("W: Failed to fetch"))) {
            inv.err().println("W: Some index files failed to download. They have been ignored, or old ones used "
                    + "instead.");
        }
        errors.forEach(inv.err()::println);
        return errors.isEmpty() ? 0 : 100;
    }

    /** Debian package version of an upstream one in a repository ({@code 1.37.0-1.1}, {@code 2.1.4-1}). */
    static String debVersion(Repositories.Repo r, String upstream) {
        return upstream + (r.kubernetes() ? "-1.1" : "-1~" + r.distro() + ".SIMULATED");
    }

    static int install(Invocation inv, List<String> specs) throws IOException {
        boolean allowHeld = inv.args().contains("--allow-change-held-packages");
        SimulationState.Host h = inv.host().host(x -> x);
        List<Repositories.Repo> repos = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        for (Source src : sources(inv.host().files())) {
            if (h.aptIndexed.contains(src.line())) {
                inv.host().store().read(s -> Repositories.parse(s, src.uri())).ifPresent(r -> {
                    repos.add(r);
                    uris.add(src.uri());
                });
            }
        }
        inv.out().println("Reading package lists...");
        inv.out().println("Building dependency tree...");
        // name → [upstream version, package version, repository]
        Map<String, String[]> plan = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String pkg = eq < 0 ? spec : spec.substring(0, eq);
            String wanted = eq < 0 ? null : spec.substring(eq + 1);
            String[] choice = null;
            boolean known = false;
            for (int i = 0; i < repos.size(); i++) {
                Repositories.Repo r = repos.get(i);
                for (String v : r.versions(pkg)) {
                    known = true;
                    if (wanted == null || debVersion(r, v).equals(wanted)) {
                        choice = new String[] {v, debVersion(r, v), uris.get(i)};
                    }
                }
            }
            if (!known) {
                return fail(inv, "E: Unable to locate package " + pkg);
            }
            if (choice == null) {
                return fail(inv, "E: Version '" + wanted + "' for '" + pkg + "' was not found");
            }
            plan.put(pkg, choice);
            if (pkg.equals("kubeadm") && !plan.containsKey("cri-tools")) {
                // kubeadm's Depends: cri-tools, from the same repository
                Repositories.Repo r = repos.get(uris.indexOf(choice[2]));
                List<String> v = r.versions("cri-tools");
                if (!h.packages.containsKey("cri-tools")) {
                    String last = v.get(v.size() - 1);
                    plan.put("cri-tools", new String[] {last, debVersion(r, last), choice[2]});
                }
            }
        }
        for (Map.Entry<String, String[]> e : plan.entrySet()) {
            SimulationState.Installed now = h.packages.get(e.getKey());
            boolean changes = now == null || !now.version.equals(e.getValue()[1]);
            if (changes && h.held.contains(e.getKey()) && !allowHeld) {
                return fail(inv, "E: Held packages were changed and -y was used without "
                        + "--allow-change-held-packages.");
            }
        }
        for (Map.Entry<String, String[]> e : plan.entrySet()) {
            SimulationState.Installed now = h.packages.get(e.getKey());
            String[] c = e.getValue();
            if (now != null && now.version.equals(c[1])) {
                inv.out().println(e.getKey() + " is already the newest version (" + c[1] + ").");
                continue;
            }
            inv.out().println("Setting up " + e.getKey() + " (" + c[1] + ") ...");
            PackageInstaller.installResolved(inv, e.getKey(), c[0], c[1], c[2]);
        }
        return 0;
    }

    private static int fail(Invocation inv, String message) {
        inv.err().println(message);
        return 100;
    }

    /** {@code apt-mark hold|unhold <pkg>...} and {@code apt-mark showhold}. */
    /**
     * SIMULATED {@code apt-cache madison <pkg>}: one line per version the indexed sources offer, newest first, as apt
     * prints them ({@code "   kubeadm | 1.36.4-1.1 | https://pkgs.k8s.io/core:/stable:/v1.36/deb  Packages"}); a
     * package no source offers prints nothing ("N: Unable to locate package" on stderr).
     */
    static Program aptCache() {
        return new Program() {
            @Override
            public boolean changesState(List<String> args) {
                return false;
            }

            @Override
            public int run(Invocation inv) throws IOException {
                List<String> a = inv.args();
                if (a.size() < 2 || !a.get(0).equals("madison")) {
                    return inv.fail(100, "only 'apt-cache madison <package>...' is supported by the SIMULATED host");
                }
                SimulationState.Host h = inv.host().host(x -> x);
                for (String pkg : a.subList(1, a.size())) {
                    List<String> lines = new ArrayList<>();
                    for (Source src : sources(inv.host().files())) {
                        if (!h.aptIndexed.contains(src.line())) {
                            continue;
                        }
                        Optional<Repositories.Repo> r = inv.host().store().read(s -> Repositories.parse(s, src.uri()));
                        if (r.isPresent()) {
                            String where = src.uri().replaceFirst("/$", "") + " " + (src.suite().equals("/") ? ""
                                    : src.suite());
                            r.get().versions(pkg).forEach(v -> lines.add(0, String.format("%10s | %s | %s Packages",
                                    pkg, debVersion(r.get(), v), where)));
                        }
                    }
                    if (lines.isEmpty()) {
                        inv.err().println("N: Unable to locate package " + pkg);
                    }
                    lines.forEach(inv.out()::println);
                }
                return 0;
            }
        };
    }

    static Program aptMark() {
        return new Program() {
            @Override
            public boolean changesState(List<String> args) {
                return !args.isEmpty() && !args.get(0).equals("showhold");
            }

            @Override
            public int run(Invocation inv) {
                List<String> a = inv.args();
                if (a.equals(List.of("showhold"))) {
                    inv.host().host(h -> h.held).forEach(inv.out()::println);
                    return 0;
                }
                if (a.size() < 2 || !(a.get(0).equals("hold") || a.get(0).equals("unhold"))) {
                    return inv.fail(1, "only 'apt-mark hold|unhold <package>...' and 'apt-mark showhold' are "
                            + "supported by the SIMULATED host");
                }
                if (!inv.root()) {
                    inv.err().println("E: Could not create temporary file for /var/lib/apt/extended_states - mkstemp "
                            + "(13: Permission denied)");
                    return 100;
                }
                boolean hold = a.get(0).equals("hold");
                for (String pkg : a.subList(1, a.size())) {
                    if (!inv.host().host(h -> h.packages.containsKey(pkg) || h.binaries.contains(pkg))) {
                        inv.err().println("E: Unable to locate package " + pkg);
                        return 100;
                    }
                }
                for (String pkg : a.subList(1, a.size())) {
                    boolean changed = inv.host().store().update(s -> hold
                            ? s.hosts.get(inv.host().hostname()).held.add(pkg)
                            : s.hosts.get(inv.host().hostname()).held.remove(pkg));
                    inv.out().println(hold ? pkg + (changed ? " set on hold." : " was already set on hold.")
                            : changed ? "Canceled hold on " + pkg + "." : pkg + " was already not on hold.");
                }
                return 0;
            }
        };
    }
}
