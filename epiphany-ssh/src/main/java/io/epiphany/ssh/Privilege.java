package io.epiphany.ssh;

import io.epiphany.api.Secret;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.Shell;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns a {@link Command} into what is sent: unchanged for root logins and non-root commands, otherwise
 * {@code sudo -n sh -c '<line>'}, or with the opt-in sudo password {@code sudo -S -k -p '' sh -c '<line>'} with the
 * password as the first stdin line ({@code -k} makes sudo always read it, so it can never fall through to the
 * command's own stdin). The password becomes a secret of the command, so it is redacted like the others. Lines
 * carrying a secret travel on stdin, never in the exec request (see {@link #hideSecrets}).
 */
final class Privilege {
    private Privilege() {}

    /** What goes over the wire for one command. */
    record Wire(String line, byte[] stdin, Command command, boolean sudo) {}

    static Wire apply(Command command, String loginUser, Optional<Secret> sudoPassword) {
        return hideSecrets(elevate(command, loginUser, sudoPassword));
    }

    private static Wire elevate(Command command, String loginUser, Optional<Secret> sudoPassword) {
        byte[] stdin = command.stdin().orElse(new byte[0]);
        if (!command.root() || "root".equals(loginUser)) {
            return new Wire(command.line(), stdin, command, false);
        }
        if (sudoPassword.isEmpty()) {
            return new Wire("sudo -n sh -c " + Shell.quote(command.line()), stdin, command, true);
        }
        byte[] password = (sudoPassword.get().reveal() + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[password.length + stdin.length];
        System.arraycopy(password, 0, all, 0, password.length);
        System.arraycopy(stdin, 0, all, password.length, stdin.length);
        return new Wire("sudo -S -k -p '' sh -c " + Shell.quote(command.line()), all,
                command.secret(sudoPassword.get()), true);
    }

    /**
     * A line that contains a secret is not sent as the exec request (MINA logs exec requests at DEBUG, and so may
     * the server): the request is {@code sh -c "$(head -c N)"} and the real line travels as the first N bytes of
     * stdin, ahead of the command's own stdin. The same for a command that asks for it ({@link Command#lineOnStdin}).
     */
    private static Wire hideSecrets(Wire wire) {
        if (!wire.command().sendsLineOnStdin() && wire.command().redact(wire.line()).equals(wire.line())) {
            return wire;
        }
        byte[] line = wire.line().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[line.length + wire.stdin().length];
        System.arraycopy(line, 0, all, 0, line.length);
        System.arraycopy(wire.stdin(), 0, all, line.length, wire.stdin().length);
        return new Wire("sh -c \"$(head -c " + line.length + ")\"", all, wire.command(), wire.sudo());
    }
}
