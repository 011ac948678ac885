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
 * command's own stdin). The password becomes a secret of the command, so it is redacted like the others.
 */
final class Privilege {
    private Privilege() {}

    /** What goes over the wire for one command. */
    record Wire(String line, byte[] stdin, Command command, boolean sudo) {}

    static Wire apply(Command command, String loginUser, Optional<Secret> sudoPassword) {
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
}
