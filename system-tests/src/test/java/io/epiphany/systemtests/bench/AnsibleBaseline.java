package io.epiphany.systemtests.bench;

import io.epiphany.systemtests.fleet.FleetHost;
import io.epiphany.systemtests.fleet.ProcessRun;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The Ansible side of {@link LbChangeBenchmark}: an {@code ansible-playbook} run doing the same LB change on the same
 * hosts (template {@code /etc/haproxy/haproxy.cfg} with {@code validate: haproxy -c -f %s}, then a handler running
 * {@code systemctl reload haproxy}, the reload a playbook runs; the SDK signals HAProxy's master itself after its own
 * check, without the unit's second one). Everything Ansible reads is written here, into the
 * benchmark's directory: the playbook, an inventory holding exactly the fleet's hosts (by their namespace addresses),
 * and an {@code ansible.cfg} that points OpenSSH at the fleet's key and known_hosts with strict host-key checking and
 * no {@code ~/.ssh/config}. Settings a user tuning Ansible for a fan-out would pick: {@code forks} = N, pipelining,
 * no fact gathering, a fixed Python interpreter. Each run is a new {@code ansible-playbook} process with cold
 * connections: its ControlMaster sockets live in a directory of that run and are closed after it (not timed).
 */
final class AnsibleBaseline {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    /** One recap line per host: the template changed and the handler ran, nothing failed or unreachable. */
    private static final Pattern CHANGED = Pattern.compile("^\\S+\\s+:\\s+ok=2\\s+changed=2\\s+unreachable=0\\s+failed=0.*");

    private final Path privateKey;
    private final Path knownHosts;
    private final Path dir;
    private int runs;

    /** Files in {@code dir} for hosts reached with this key and known_hosts; {@link #prepare} installs Ansible. */
    AnsibleBaseline(Path privateKey, Path knownHosts, Path dir) throws java.io.IOException {
        this.privateKey = privateKey;
        this.knownHosts = knownHosts;
        this.dir = Files.createDirectories(dir);
        writePlaybook();
    }

    /**
     * The baseline, installing {@code ansible-core} with apt-get when {@code ansible-playbook} is missing (only this
     * benchmark does that, never a normal test); empty, with the reason recorded, when it cannot be had.
     */
    static java.util.Optional<AnsibleBaseline> prepare(RealOsFleet fleet, Path dir) throws Exception {
        if (!onPath()) {
            LbChangeBenchmark.record("ansible-playbook is missing: apt-get install -y --no-install-recommends"
                    + " ansible-core");
            ProcessRun.Result r = ProcessRun.run(TIMEOUT, Map.of("DEBIAN_FRONTEND", "noninteractive"),
                    List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", "ansible-core"));
            if (!r.ok() || !onPath()) {
                LbChangeBenchmark.record("Ansible not measured: apt-get install ansible-core failed (exit "
                        + r.exitCode() + "): " + tail(r.stderr()));
                return java.util.Optional.empty();
            }
        }
        AnsibleBaseline a = new AnsibleBaseline(fleet.privateKey(), fleet.knownHosts(), dir);
        LbChangeBenchmark.record("ansible: " + ProcessRun.run(TIMEOUT, List.of("ansible-playbook", "--version"))
                .orThrow().stdout().lines().findFirst().orElse("?"));
        return java.util.Optional.of(a);
    }

    private static boolean onPath() {
        return ProcessRun.run(Duration.ofSeconds(30), List.of("sh", "-c", "command -v ansible-playbook")).ok();
    }

    /** The playbook and ansible.cfg (the inventory is per N: {@link #change}). */
    private void writePlaybook() throws java.io.IOException {
        Files.writeString(dir.resolve("lb-change.yml"), String.join("\n",
                "- name: LB change on every host",
                "  hosts: fleet",
                "  gather_facts: false",
                "  tasks:",
                "    - name: haproxy.cfg",
                "      ansible.builtin.template:",
                "        src: \"{{ lb_config }}\"",
                "        dest: /etc/haproxy/haproxy.cfg",
                "        validate: haproxy -c -f %s",
                "      notify: reload haproxy",
                "  handlers:",
                "    - name: reload haproxy",
                "      ansible.builtin.command: systemctl reload haproxy",
                ""));
        Files.writeString(dir.resolve("ansible.cfg"), String.join("\n",
                "[defaults]",
                "home = " + dir.resolve("home"),
                "local_tmp = " + dir.resolve("local-tmp"),
                "remote_tmp = /tmp/.ansible-bench",
                "interpreter_python = /usr/bin/python3",
                "host_key_checking = True",
                "nocolor = True",
                "retry_files_enabled = False",
                "[ssh_connection]",
                "pipelining = True",
                "ssh_args = -F /dev/null -o ControlMaster=auto -o ControlPersist=60s -o BatchMode=yes"
                        + " -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + knownHosts,
                ""));
    }

    /** Checks the playbook and an inventory of these hosts without contacting any of them. */
    void syntaxCheck(List<FleetHost> hosts) throws Exception {
        ProcessRun.run(TIMEOUT, environment(), List.of("ansible-playbook", "-i", inventory(hosts).toString(),
                "--syntax-check", dir.resolve("lb-change.yml").toString())).orThrow();
    }

    /** One {@code ansible-playbook} run rendering {@code template} on every host; its wall time in ms. */
    long change(List<FleetHost> hosts, Path config) throws Exception {
        String text = Files.readString(config);
        if (text.contains("{{") || text.contains("{%") || text.contains("{#")) {
            throw new IllegalStateException(config + " has Jinja2 markup: it would not render as itself");
        }
        Path template = dir.resolve(config.getFileName() + ".j2");
        Files.writeString(template, text);
        Path controlDir = Files.createDirectories(dir.resolve("cp-" + (++runs)));
        List<String> line = new ArrayList<>(List.of("ansible-playbook", "-i", inventory(hosts).toString(),
                "-f", Integer.toString(hosts.size()), "-e", "lb_config=" + template,
                dir.resolve("lb-change.yml").toString()));
        Map<String, String> env = new java.util.HashMap<>(environment());
        env.put("ANSIBLE_SSH_CONTROL_PATH_DIR", controlDir.toString());
        long start = System.nanoTime();
        ProcessRun.Result r = ProcessRun.run(TIMEOUT, env, line);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        closeMasters(controlDir);
        long changed = r.stdout().lines().filter(l -> CHANGED.matcher(l).matches()).count();
        if (!r.ok() || changed != hosts.size()) {
            throw new IllegalStateException("ansible-playbook: " + changed + " of " + hosts.size()
                    + " hosts changed and reloaded (exit " + r.exitCode() + "): " + tail(r.stdout()) + tail(r.stderr()));
        }
        return ms;
    }

    /** The inventory: exactly these hosts, by the fleet's namespace addresses, root with the fleet's key. */
    private Path inventory(List<FleetHost> hosts) throws java.io.IOException {
        StringBuilder b = new StringBuilder("[fleet]\n");
        for (FleetHost h : hosts) {
            b.append(h.hostname()).append(" ansible_host=").append(h.ip()).append('\n');
        }
        b.append("[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file=").append(privateKey)
                .append('\n');
        Path file = dir.resolve("inventory-" + hosts.size() + ".ini");
        Files.writeString(file, b.toString());
        return file;
    }

    private Map<String, String> environment() {
        return Map.of("ANSIBLE_CONFIG", dir.resolve("ansible.cfg").toString());
    }

    /** Ends the run's ControlMaster processes (ControlPersist keeps them 60 s), so the next run connects cold. */
    private static void closeMasters(Path controlDir) throws java.io.IOException {
        try (var sockets = Files.list(controlDir)) {
            for (Path socket : sockets.toList()) {
                ProcessRun.run(Duration.ofSeconds(30), List.of("ssh", "-F", "/dev/null", "-o", "ControlPath=" + socket,
                        "-O", "exit", "unused"));
            }
        }
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
    }
}
