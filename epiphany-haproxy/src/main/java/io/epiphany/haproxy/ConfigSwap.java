package io.epiphany.haproxy;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteCommandException;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.Shell;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A new HAProxy configuration put in place in one SSH exec (docs/host-commands.md, "One-exec config swap"): the script
 * travels as the first bytes of stdin ({@link Command#lineOnStdin}), the content right behind it. On the host it
 * writes the content to a candidate of its own (a random name per run, so two runs never share one), checks it with
 * {@code haproxy -c}, ends early when the live file already has that content, keeps a copy of the live file, renames
 * the candidate over it (atomic), reloads or starts HAProxy, and puts the copy back when that fails. Every step prints
 * one {@link #RESULT} line, which {@link #outcome} reads. With a {@link ServerDelta} (a master added or removed), the
 * running HAProxy gets the change through its runtime API after the rename and the reload runs only when HAProxy
 * refuses it or the live file is not the one the delta was computed from (docs/host-commands.md).
 *
 * <p>"Reloaded" means what {@code systemctl reload haproxy} meant with the Debian/RHEL unit (Type=notify, not
 * notify-reload): the checked bytes are live and the master got SIGUSR2. systemd ends that reload job when
 * {@code kill -USR2} returns (systemd.service(5), ExecReload=: a signal is asynchronous); the master's re-exec and the
 * new workers come after it. The SDK does not wait for them in this exec: the simulated shell language of
 * docs/host-commands.md has no loop nor variable to compare a worker's pid, and a master that re-executes with the
 * bytes it just checked (with {@link #CONF_DIR} where the host has it) fails only for reasons outside the files (a
 * port, memory), in which case it keeps its old workers running. The engine's verification reads the running
 * HAProxy's servers ({@code show stat}) after a change, which is where a reload that did not take effect shows.
 */
final class ConfigSwap {
    /** Prefix of the script's result lines on stdout. */
    static final String RESULT = "epiphany-haproxy-swap:";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.epiphany.haproxy");

    /**
     * The directory RHEL's (and Fedora's) haproxy.service also loads: {@code CFGDIR=/etc/haproxy/conf.d}, read by its
     * {@code ExecStart=} ({@code haproxy -Ws -f $CONFIG -f $CFGDIR ...}) and so by the master's re-exec on SIGUSR2.
     * The candidate is checked together with it where it exists, so a broken file there fails the swap up front
     * instead of a reload that keeps the old workers. Debian's unit has no such directory.
     */
    static final String CONF_DIR = "/etc/haproxy/conf.d";

    /** What to do with the service once the live file has the new content. */
    enum Then {
        /** Nothing (the runtime API already changed the running process). */
        NOTHING(null),
        /**
         * SIGUSR2 to HAProxy's master, as the second {@code ExecReload=} line of Debian's and RHEL's haproxy.service
         * ({@code kill -USR2 $MAINPID}) does: the master re-executes with the live file and starts new workers, the old
         * ones finish their connections. Not {@code systemctl reload haproxy}: its first {@code ExecReload=} line
         * ({@code haproxy -c -f $CONFIG}) would check the same bytes the script has just checked (a parse: 11.5 ms of
         * CPU with {@link HaproxyConfig}'s {@code httpclient.ssl.verify none}, 53 ms without). {@code --kill-who=main}:
         * the default {@code all} would signal the workers too. Spelled {@code --kill-who}, not {@code --kill-whom}: systemd 247/249 (Debian 11, Ubuntu 22.04) know
         * only {@code --kill-who} (systemd#29793), newer ones take it as the unambiguous abbreviation of
         * {@code --kill-whom} (getopt_long). Exits 1 when the unit has no main process ("Failed to kill unit
         * haproxy.service: No main process to kill", systemd src/core/unit.c) or is not loaded.
         */
        RELOAD(List.of("systemctl", "kill", "--kill-who=main", "--signal=SIGUSR2", "haproxy")),
        /** {@code systemctl enable --now haproxy}. */
        START(List.of("systemctl", "enable", "--now", "haproxy"));

        final List<String> command;

        Then(List<String> command) {
            this.command = command;
        }
    }

    /** What the swap did. */
    enum Outcome {
        /** The live file already had this content: not touched (HAProxy started when {@link Then#START}). */
        UNCHANGED,
        /** The live file was replaced, and HAProxy reloaded or started as asked. */
        CHANGED,
        /** The live file was replaced, and the running HAProxy took the change through its runtime API: no reload. */
        CHANGED_RUNTIME
    }

    private ConfigSwap() {}

    /** The one command (as root) that puts {@code content} at {@code path}. */
    static Command command(String path, String content, Then then) {
        return command(path, content, then, null);
    }

    /**
     * The one command (as root) that puts {@code content} at {@code path} of a running HAProxy and gives it the
     * {@code delta} through the runtime API instead of a reload: after the rename, {@code socat} sends the delta's
     * line (the rest of stdin, behind the content) to {@link HaproxyConfig#ADMIN_SOCKET}; when every answer line is
     * empty or one of {@link ServerDelta#SUCCESS_ANSWERS} the script ends with {@code changed runtime}; otherwise it
     * prints {@code runtime-refused} and HAProxy's answer, and reloads as {@link Then#RELOAD} does (the file is the
     * checked one, so the reload ends what the refused commands left half-done).
     */
    static Command command(String path, String content, ServerDelta delta) {
        return command(path, content, Then.RELOAD, delta);
    }

    private static Command command(String path, String content, Then then, ServerDelta delta) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String dir = path.substring(0, path.lastIndexOf('/') + 1);
        String id = HexFormat.of().formatHex(randomBytes());
        String live = Shell.quote(path);
        String cand = Shell.quote(dir + ".haproxy.cfg.epiphany-" + id);
        String old = Shell.quote(dir + ".haproxy.cfg.epiphany-" + id + ".old");
        String answer = Shell.quote(dir + ".haproxy.cfg.epiphany-" + id + ".api");
        List<String> s = new ArrayList<>();
        s.add("umask 022;");
        s.add("head -c " + bytes.length + " > " + cand + " || { " + fail("write-failed") + " rm -f " + cand
                + "; exit 1; };");
        // Exactly one of the two checks runs: with the directory where the host has one (RHEL's unit loads it).
        String invalid = " || { " + fail("invalid") + " rm -f " + cand + "; exit 1; };";
        s.add("test -d " + CONF_DIR + " && { haproxy -c -f " + cand + " -f " + CONF_DIR + invalid + " };");
        s.add("test -d " + CONF_DIR + " || { haproxy -c -f " + cand + invalid + " };");
        s.add("cmp -s " + cand + " " + live + " && { rm -f " + cand + ";"
                + (then == Then.START ? " " + service(then, "") : "") + " echo " + RESULT + " unchanged; exit 0; };");
        String expected = Shell.quote(dir + ".haproxy.cfg.epiphany-" + id + ".was");
        byte[] was = delta == null ? null : delta.live().getBytes(StandardCharsets.UTF_8);
        if (delta != null) {
            s.add("head -c " + was.length + " > " + expected + " || { " + fail("write-failed") + " rm -f " + cand
                    + " " + expected + "; exit 1; };");
        }
        s.add("test -e " + live + " && { cp -p " + live + " " + old + " || { " + fail("backup-failed") + " rm -f "
                + cand + (delta == null ? "" : " " + expected) + "; exit 1; }; };");
        s.add("mv -f " + cand + " " + live + " || { " + fail("swap-failed") + " rm -f " + cand + " " + old
                + (delta == null ? "" : " " + expected) + "; exit 1; };");
        if (delta != null) {
            // grep exits 1 when no line is selected: every answer line is empty or a success (2: trouble, not that)
            String unexpected = "grep -q -v -x -F" + ServerDelta.SUCCESS_ANSWERS.stream()
                    .map(a -> " -e " + Shell.quote(a)).reduce("", String::concat) + " -e '' " + answer;
            // only when the file replaced is the one the delta was computed from: else the reload below
            s.add("cmp -s " + expected + " " + old + " && { socat stdio "
                    + Shell.quote("UNIX-CONNECT:" + HaproxyConfig.ADMIN_SOCKET) + " > " + answer + " 2>/dev/null && { "
                    + unexpected + "; test $? = 1 && { rm -f " + old + " " + answer + " " + expected + "; echo "
                    + RESULT + " changed runtime; exit 0; }; }; echo " + RESULT + " runtime-refused; cat " + answer
                    + " 2>/dev/null; };");
            s.add("rm -f " + answer + " " + expected + ";");
        }
        if (then != Then.NOTHING) {
            s.add(service(then, " test -e " + old + " && mv -f " + old + " " + live + " && echo " + RESULT
                    + " restored;"));
        }
        s.add("rm -f " + old + "; echo " + RESULT + " changed");
        byte[] stdin = bytes;
        if (delta != null) {
            byte[] line = delta.line().getBytes(StandardCharsets.UTF_8);
            stdin = new byte[bytes.length + was.length + line.length];
            System.arraycopy(bytes, 0, stdin, 0, bytes.length);
            System.arraycopy(was, 0, stdin, bytes.length, was.length);
            System.arraycopy(line, 0, stdin, bytes.length + was.length, line.length);
        }
        String after = delta != null ? "runtime API: " + delta.commands().size() + " commands, else "
                + String.join(" ", then.command) : then.command == null ? "no reload" : String.join(" ", then.command);
        return Command.shell(String.join(" ", s)).stdin(stdin).asRoot().lineOnStdin()
                .label("haproxy config swap of " + path + " (" + bytes.length + " bytes; then " + after + ")");
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    /** {@code echo RESULT <what> $?}: the failed step and its exit status, printed before anything else runs. */
    private static String fail(String what) {
        return "echo " + RESULT + " " + what + " $?;";
    }

    private static String service(Then then, String onFailure) {
        String words = String.join(" ", then.command.stream().map(Shell::quote).toList());
        return words + " || { " + fail(then.name().toLowerCase(java.util.Locale.ROOT) + "-failed") + onFailure
                + " exit 1; };";
    }

    /**
     * What the script reported, or an exception naming the step that failed, its exit status and stderr.
     *
     * @throws RemoteException when a step failed (the live file is the old one again when a reload or start failed
     *     and there was an old one); {@link RemoteCommandException} when the script printed no result at all
     */
    static Outcome outcome(CommandResult r, String path, Then then) {
        List<String> results = r.stdout().lines().filter(l -> l.startsWith(RESULT + " "))
                .map(l -> l.substring(RESULT.length() + 1)).toList();
        if (r.ok() && results.equals(List.of("unchanged"))) {
            return Outcome.UNCHANGED;
        }
        if (r.ok() && results.equals(List.of("changed runtime"))) {
            return Outcome.CHANGED_RUNTIME;
        }
        if (r.ok() && results.equals(List.of("runtime-refused", "changed"))) {
            // HAProxy's answer (no secret in it) is what a user needs to see why this host reloaded
            List<String> answer = r.stdout().lines().dropWhile(l -> !l.equals(RESULT + " runtime-refused")).skip(1)
                    .takeWhile(l -> !l.startsWith(RESULT)).filter(l -> !l.isBlank()).toList();
            LOG.info("{}: HAProxy's runtime API refused the server change ({}); reloaded with the checked {}",
                    r.host(), String.join(" | ", answer), path);
            return Outcome.CHANGED;
        }
        if (r.ok() && results.equals(List.of("changed"))) {
            return Outcome.CHANGED;
        }
        if (r.ok() || results.isEmpty()) {
            throw new RemoteCommandException(r);
        }
        List<String> failures = results.stream().filter(l -> !l.equals("runtime-refused")).toList();
        if (failures.isEmpty()) {
            throw new RemoteCommandException(r);
        }
        String[] failed = failures.get(0).split(" ");
        String step = switch (failed[0]) {
            case "write-failed" -> "writing the candidate beside " + path;
            case "invalid" -> "`haproxy -c -f` of the new " + path;
            case "backup-failed" -> "keeping a copy of " + path;
            case "swap-failed" -> "`mv -f` of the checked candidate over " + path;
            case "reload-failed", "start-failed" -> "`" + String.join(" ", then.command) + "`";
            default -> throw new RemoteCommandException(r);
        };
        String after = switch (failed[0]) {
            case "reload-failed", "start-failed" -> results.contains("restored")
                    ? " (the previous " + path + " was put back)" : " (there was no previous " + path + ")";
            default -> " (" + path + " unchanged)";
        };
        String status = failed.length > 1 ? failed[1] : "?";
        List<String> stderr = r.stderrTail(5);
        String refused = results.contains("runtime-refused") ? " after HAProxy's runtime API refused the change" : "";
        throw new RemoteException(r.host(), step + refused + " exited " + status + after
                + (stderr.isEmpty() ? "" : "; stderr: " + String.join(" | ", stderr)));
    }
}
