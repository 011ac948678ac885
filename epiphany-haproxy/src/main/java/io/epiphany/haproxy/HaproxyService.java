package io.epiphany.haproxy;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteHost;
import java.time.Duration;
import java.util.List;

/**
 * HAProxy as a host service on one machine: install it with the host's package manager, replace its configuration
 * only after the new one passed {@code haproxy -c} on that host, and reload without dropping established
 * connections; through its runtime API (the root-only socket {@link HaproxyConfig#ADMIN_SOCKET}, spoken to with
 * {@code socat}) drain a master before it restarts or leaves, bring it back, and read every server's state. Commands
 * are the ones listed in {@code docs/host-commands.md}.
 */
public final class HaproxyService {
    /** Where the configuration lives on every host. */
    public static final String CONFIG_PATH = "/etc/haproxy/haproxy.cfg";
    /** The fixed candidate name of SDK versions before the one-exec swap: removed with the rest by {@link #remove}. */
    static final String CANDIDATE_PATH = "/etc/haproxy/haproxy.cfg.epiphany-new";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
    /** Between two looks at a draining server's open connections. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(500);

    private final RemoteHost host;
    private final HaproxyRuntime runtime;

    public HaproxyService(RemoteHost host) {
        this.host = host;
        this.runtime = new HaproxyRuntime(host);
    }

    /** Installs HAProxy and socat (the runtime API's client) with {@code apt-get} or {@code dnf}. */
    public void install(String packageManager) {
        installPackages(packageManager, "haproxy", "socat");
    }

    /**
     * Installs socat where it is missing (hosts set up before the runtime API was used): one round trip when it is
     * there.
     */
    public void ensureRuntimeClient(String packageManager) {
        if (!host.run(Command.of("sh", "-c", "command -v socat").readOnly()).ok()) {
            installPackages(packageManager, "socat");
        }
    }

    private void installPackages(String packageManager, String... packages) {
        List<String> words = switch (packageManager) {
            case "apt-get" -> new java.util.ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get",
                    "install", "-y"));
            case "dnf" -> new java.util.ArrayList<>(List.of("dnf", "install", "-y"));
            default -> throw new IllegalArgumentException("no way to install " + String.join(" and ", packages)
                    + " with " + packageManager + "; install it on " + host.hostname() + " or use apt-get/dnf");
        };
        words.addAll(List.of(packages));
        host.run(Command.of(words).asRoot().timeout(INSTALL_TIMEOUT)).orThrow();
    }

    /**
     * Every server of the running HAProxy (runtime API {@code show stat}): state, last check and its duration, open
     * connections, weight. One round trip.
     *
     * @throws IllegalStateException when HAProxy (or its socket, or socat) is not there
     */
    public List<HaproxyServerState> servers() {
        return runtime.servers();
    }

    /** The read-only command behind {@link #servers()}, for a caller that sends it beside other reads. */
    public static Command serversCommand() {
        return HaproxyRuntime.command(HaproxyRuntime.SHOW_STAT, false);
    }

    /**
     * {@link #servers()} from the result of {@link #serversCommand()} run on {@code hostname}.
     *
     * @throws IllegalStateException when HAProxy (or its socket, or socat) did not answer
     */
    public static List<HaproxyServerState> servers(String hostname, io.epiphany.api.remote.CommandResult result) {
        return HaproxyServerState.parseShowStat(HaproxyRuntime.answer(hostname, result));
    }

    /**
     * Stops new connections to {@code server} (runtime API {@code set server kube-apiserver/SERVER state drain}; the
     * live config file gets {@code weight 0} on that server's line, so a reload keeps it drained), waits up to
     * {@code wait} for the connections open to it to finish, then closes the ones left ({@code shutdown sessions}:
     * long watches, whose clients reconnect, to another master). Health checks go on. Costs 4 SSH round trips (2 for
     * the config file: read, then the one-exec swap), plus one round trip every 0.5 s while connections remain.
     *
     * @return how many connections were open when the drain began and how many had to be closed
     * @throws IllegalArgumentException when HAProxy has no such server
     */
    public Drained drain(String server, Duration wait) {
        long begun = System.nanoTime();
        long openAtStart = runtime.server(server).sessions();
        runtime.change("set server " + HaproxyConfig.BACKEND + "/" + server + " state drain");
        runtime.markInConfig(server, HaproxyRuntime.DRAIN_MARK);
        long deadline = begun + wait.toNanos();
        long open = openAtStart;
        while (open > 0 && System.nanoTime() < deadline) {
            sleep(DRAIN_POLL);
            open = runtime.server(server).sessions();
        }
        if (open > 0) {
            runtime.change("shutdown sessions server " + HaproxyConfig.BACKEND + "/" + server);
        }
        return new Drained(host.hostname(), server, openAtStart, open, Duration.ofNanos(System.nanoTime() - begun));
    }

    /**
     * Takes {@code server} out completely ({@code state maint}: no traffic, no health checks; the config line gets
     * {@code disabled}). Open connections stay until they end: {@link #drain} first to move them off. 4 SSH round
     * trips (2 for the config file).
     */
    public void maint(String server) {
        runtime.server(server);
        runtime.change("set server " + HaproxyConfig.BACKEND + "/" + server + " state maint");
        runtime.markInConfig(server, HaproxyRuntime.MAINT_MARK);
    }

    /**
     * Puts a drained or disabled server back ({@code state ready} and weight 1, as rendered; its config line as
     * rendered). A drained server takes new connections at once; one that was in maintenance is checked again first.
     * 5 SSH round trips (2 for the config file).
     */
    public void ready(String server) {
        runtime.server(server);
        runtime.change("set server " + HaproxyConfig.BACKEND + "/" + server + " state ready");
        runtime.change("set weight " + HaproxyConfig.BACKEND + "/" + server + " 1");
        runtime.markInConfig(server, "");
    }

    /**
     * The live file {@link #drain} leaves on a host whose file was {@code config}: for a caller that keeps each host's
     * live file for {@link #configure(String, String)}.
     *
     * @throws IllegalArgumentException when {@code config} has no line for {@code server}
     */
    public static String drainedConfig(String config, String server) {
        return HaproxyRuntime.mark(config, server, HaproxyRuntime.DRAIN_MARK);
    }

    /** The live file {@link #ready} leaves on a host whose file was {@code config} (see {@link #drainedConfig}). */
    public static String readyConfig(String config, String server) {
        return HaproxyRuntime.mark(config, server, "");
    }

    /** What {@link #drain} did on one host. */
    public record Drained(String host, String server, long connectionsAtStart, long connectionsClosed,
                          Duration took) {}

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while draining", e);
        }
    }

    /**
     * The installed HAProxy's branch, from {@code haproxy -v} (as root: a login user's PATH lacks {@code /usr/sbin}
     * on Debian), for {@link HaproxyConfig#render(io.epiphany.api.Cluster, List, HaproxyVersion)}. One round trip.
     */
    public HaproxyVersion version() {
        return HaproxyVersion.parse(host.run(Command.of("haproxy", "-v").asRoot().readOnly()).orThrow().stdout());
    }

    /** Whether the service runs now (Debian's package starts it on install, with its default configuration). */
    public boolean isActive() {
        var r = host.run(Command.of("systemctl", "is-active", "haproxy").readOnly());
        return r.ok() && r.stdout().trim().equals("active");
    }

    /**
     * Puts {@code config} in place in one SSH exec ({@link ConfigSwap}): written beside the live file under a name of
     * its own, checked with {@code haproxy -c}, left alone when the live file already has this content, otherwise
     * renamed over it and HAProxy reloaded ({@code running}: SIGUSR2 to its master through {@code systemctl kill}, the
     * unit's own reload minus its second check of the same bytes) or enabled and started; when that fails (no master
     * to signal: HAProxy stopped meanwhile) the previous file is put back (the process still runs the old config, so
     * the next apply sees the difference). A config that fails the check never replaces the live one. With the same
     * content and {@code running}, nothing changes on the host. Returns once the master has the signal, as
     * {@code systemctl reload} did; the new workers start right after (see {@link ConfigSwap}).
     *
     * @return whether the live file was replaced
     * @throws io.epiphany.api.remote.RemoteException naming the step that failed, its exit status and stderr
     */
    public boolean configure(String config, boolean running) {
        ConfigSwap.Then then = running ? ConfigSwap.Then.RELOAD : ConfigSwap.Then.START;
        return ConfigSwap.outcome(host.run(configureCommand(config, running)), CONFIG_PATH, then)
                != ConfigSwap.Outcome.UNCHANGED;
    }

    /**
     * {@link #configure(String, boolean) configure(config, true)} for a running HAProxy whose live file the caller
     * read ({@code live}, e.g. from the engine's facts): when the two differ only in servers added to or removed from
     * the API servers' backend (a master joined or left), the same one exec gives the running HAProxy the change
     * through its runtime API ({@code add server}, {@code del server}) instead of a reload, after the same
     * {@code haproxy -c} and rename; when HAProxy refuses a command there (2.4, or connections still on a removed
     * server) it reloads as {@code configure} does. Any other difference: exactly {@code configure(config, true)}.
     * The script compares the host's file with {@code live} ({@code cmp}) before it uses the runtime API: a file
     * changed since it was read costs a reload, never a running HAProxy that differs from its file.
     *
     * @return whether the live file was replaced
     * @throws io.epiphany.api.remote.RemoteException naming the step that failed, its exit status and stderr
     */
    public boolean configure(String config, String live) {
        Command c = configureCommand(config, live);
        return ConfigSwap.outcome(host.run(c), CONFIG_PATH, ConfigSwap.Then.RELOAD) != ConfigSwap.Outcome.UNCHANGED;
    }

    /**
     * Whether {@link #configure(String, String)} would give a HAProxy running {@code live} the change to
     * {@code config} through its runtime API (only servers of the API servers' backend added or removed).
     */
    public static boolean changesOnlyServers(String live, String config) {
        return ServerDelta.between(live, config).isPresent();
    }

    /** The one command {@link #configure(String, String)} runs, for another SSH client (see the other overload). */
    public static Command configureCommand(String config, String live) {
        java.util.Objects.requireNonNull(live, "live");
        return ServerDelta.between(live, config).map(d -> ConfigSwap.command(CONFIG_PATH, config, d))
                .orElseGet(() -> ConfigSwap.command(CONFIG_PATH, config, ConfigSwap.Then.RELOAD));
    }

    /**
     * The one command {@link #configure} runs (as root, its line sent on stdin ahead of the content): for a tool that
     * runs it through another SSH client, e.g. the benchmark's OpenSSH floor doing the same work. Its result lines
     * start with {@code epiphany-haproxy-swap:} (docs/host-commands.md).
     */
    public static Command configureCommand(String config, boolean running) {
        return ConfigSwap.command(CONFIG_PATH, config, running ? ConfigSwap.Then.RELOAD : ConfigSwap.Then.START);
    }

    /** Reloads a running HAProxy (seamless: old workers finish their connections) or enables and starts it. */
    public void start(boolean running) {
        Command c = running ? Command.of("systemctl", "reload", "haproxy")
                : Command.of("systemctl", "enable", "--now", "haproxy");
        host.run(c.asRoot()).orThrow();
    }

    /** Stops HAProxy and removes the SDK's configuration (the package stays installed). */
    public void remove() {
        host.run(Command.of("systemctl", "stop", "haproxy").asRoot()).orThrow();
        host.run(Command.of("rm", "-f", CONFIG_PATH, CANDIDATE_PATH).asRoot()).orThrow();
    }
}
