package io.epiphany.haproxy;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteHost;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * HAProxy's runtime API on one host: {@code socat stdio UNIX-CONNECT:/run/haproxy-admin.sock} as root, the command on
 * stdin (never in the command line), and the live configuration file kept in step with what the API changed, so a
 * reload or restart keeps a drained or disabled server out.
 */
final class HaproxyRuntime {
    /** What the SDK appends to a server line while the server is drained or in maintenance. */
    static final String DRAIN_MARK = " weight 0";
    static final String MAINT_MARK = " disabled";
    private static final Command SOCAT = Command.of("socat", "stdio", "UNIX-CONNECT:" + HaproxyConfig.ADMIN_SOCKET);

    private final RemoteHost host;

    HaproxyRuntime(RemoteHost host) {
        this.host = host;
    }

    /**
     * Runs runtime-API commands (several separated by {@code ;}) and returns HAProxy's answer.
     *
     * @throws IllegalStateException when socat is missing or HAProxy's socket does not answer (not running, or a
     *     configuration without the admin socket)
     */
    String call(String commands, boolean changes) {
        return answer(host.hostname(), host.run(command(commands, changes)));
    }

    /** {@code commands} for the runtime API: on stdin, as root. */
    static Command command(String commands, boolean changes) {
        Command c = SOCAT.stdin((commands + "\n").getBytes(StandardCharsets.UTF_8)).asRoot();
        return changes ? c : c.readOnly();
    }

    /** HAProxy's answer to {@link #command}, or why there was none. */
    static String answer(String hostname, CommandResult r) {
        if (!r.ok()) {
            String why = r.exitCode() == 127 || r.stderr().contains("not found")
                    ? "socat is not installed (HaproxyService.ensureRuntimeClient installs it)"
                    : "HAProxy's runtime socket " + HaproxyConfig.ADMIN_SOCKET + " did not answer (is HAProxy running "
                            + "with the SDK's configuration?): " + r.stderrTail(2);
            throw new IllegalStateException("HAProxy runtime API on " + hostname + ": " + why);
        }
        return r.stdout();
    }

    /** A state-changing command: HAProxy answers nothing (an empty line) when it did it, else the reason. */
    void change(String command) {
        String answer = call(command, true).strip();
        if (!answer.isEmpty()) {
            throw new IllegalStateException("HAProxy on " + host.hostname() + " refused '" + command + "': " + answer);
        }
    }

    static final String SHOW_STAT = "show stat";

    List<HaproxyServerState> servers() {
        return HaproxyServerState.parseShowStat(call(SHOW_STAT, false));
    }

    HaproxyServerState server(String name) {
        return servers().stream().filter(s -> s.backend().equals(HaproxyConfig.BACKEND) && s.server().equals(name))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("HAProxy on " + host.hostname()
                        + " has no server '" + name + "' in backend " + HaproxyConfig.BACKEND
                        + "; its servers are the masters' hostnames"));
    }

    /**
     * Rewrites the server's line of the live configuration with {@code mark} ({@link #DRAIN_MARK},
     * {@link #MAINT_MARK} or empty) instead of any mark the SDK set before, checks it with {@code haproxy -c} and
     * moves it into place in one exec ({@link ConfigSwap}), without a reload (the runtime API has already changed the running process).
     */
    void markInConfig(String server, String mark) {
        String config = host.read(HaproxyService.CONFIG_PATH).map(b -> new String(b, StandardCharsets.UTF_8))
                .orElseThrow(() -> new IllegalStateException(host.hostname() + " has no " + HaproxyService.CONFIG_PATH));
        String updated = mark(config, server, mark);
        if (updated.equals(config)) {
            return;
        }
        ConfigSwap.outcome(host.run(ConfigSwap.command(HaproxyService.CONFIG_PATH, updated, ConfigSwap.Then.NOTHING)),
                HaproxyService.CONFIG_PATH, ConfigSwap.Then.NOTHING);
    }

    /** {@code config} with the server's line carrying {@code mark} (and no other SDK mark). */
    static String mark(String config, String server, String mark) {
        Pattern line = Pattern.compile("^(\\s*server " + Pattern.quote(server) + " \\S+)(.*)$");
        StringBuilder out = new StringBuilder();
        boolean found = false;
        for (String l : config.split("\n", -1)) {
            var m = line.matcher(l);
            if (m.matches()) {
                found = true;
                String rest = m.group(2).replace(DRAIN_MARK, "").replace(MAINT_MARK, "");
                l = m.group(1) + rest + mark;
            }
            out.append(l).append('\n');
        }
        if (!found) {
            throw new IllegalArgumentException("no 'server " + server + "' line in " + HaproxyService.CONFIG_PATH);
        }
        return out.substring(0, out.length() - 1);
    }
}
