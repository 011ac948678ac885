package io.epiphany.cli;

import io.epiphany.api.Cluster;
import io.epiphany.api.EncryptionStatus;
import picocli.CommandLine.Command;

/** {@code epiphany encryption}: encryption at rest; {@code encryption status} shows which key encrypts what. */
@Command(name = "encryption", mixinStandardHelpOptions = true,
        description = "Encryption of Secrets at rest (see: encryption status; rotate with apply "
                + "--rotate-encryption-key).")
final class EncryptionCommand extends CommandGroup {
    /** {@code epiphany encryption status}: every master's key names and the Secrets stored under each key. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Read every master's encryption config (key names only, never their material) and, in "
                    + "etcd, which key each Secret is stored under (identity: unencrypted). Read-only; says when a "
                    + "key rotation is under way (the next apply finishes it). Exits 3 when a master or etcd could "
                    + "not be read.")
    static final class Status extends ClusterCommand {
        Status(Terminal term) {
            super(term);
        }

        @Override
        int run(Cluster described) {
            EncryptionStatus status = onRunningCluster(described, term.err(),
                    s -> s.cluster().encryptionStatus(s.options()));
            term.out().print(table(status));
            term.out().flush();
            return status.unreadable().isEmpty() ? Failures.DONE : Failures.FAILED_ON_HOST;
        }

        static String table(EncryptionStatus status) {
            StringBuilder b = new StringBuilder(String.format("%-16s %-10s %s%n", "HOST", "PROVIDER",
                    "KEYS (the first encrypts new writes)"));
            status.masters().forEach(m -> b.append(String.format("%-16s %-10s %s%n", m.host(), m.provider(),
                    String.join(", ", m.keys()))));
            b.append("Secrets stored under: ");
            b.append(status.secretsByKey().isEmpty() ? "none" : status.secretsByKey().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", ")));
            b.append('\n');
            if (status.rotationInProgress()) {
                b.append("A key rotation is under way: the next apply finishes it.\n");
            }
            status.unreadable().forEach((host, why) -> b.append("UNREADABLE ").append(host).append(": ").append(why)
                    .append('\n'));
            return b.toString();
        }
    }
}
