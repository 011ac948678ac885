package io.epiphany.systemtests;

import io.epiphany.systemtests.fleet.FleetHost;
import io.epiphany.systemtests.fleet.ProcessRun;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * TEMPORARY: reaches fleet hosts with the OpenSSH {@code ssh}/{@code sftp} client until the SDK's own client
 * ({@code io.epiphany.api.remote.RemoteAccess} from {@code epiphany-ssh}) is merged; then the system tests switch to
 * it and this class goes. Strict host-key checking against the fleet's known_hosts, key login only.
 */
final class OpenSshCli {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final RealOsFleet fleet;

    OpenSshCli(RealOsFleet fleet) {
        this.fleet = fleet;
    }

    ProcessRun.Result run(FleetHost host, String user, String remoteCommand) {
        List<String> line = new ArrayList<>(List.of("ssh"));
        line.addAll(options());
        line.add(user + "@" + host.ip());
        line.add(remoteCommand);
        return ProcessRun.run(TIMEOUT, line);
    }

    /** Puts a local file at {@code remotePath} over SFTP (the transport the SDK uses). */
    ProcessRun.Result upload(FleetHost host, String user, Path local, String remotePath) {
        List<String> line = new ArrayList<>(List.of("sftp", "-b", "-"));
        line.addAll(options());
        line.add(user + "@" + host.ip());
        // sftp reads its batch from stdin: a here-string through sh keeps ProcessRun simple.
        String batch = "put " + local + " " + remotePath;
        List<String> sh = List.of("sh", "-c", "printf '%s\\n' \"$0\" | \"$@\"", batch);
        List<String> all = new ArrayList<>(sh);
        all.addAll(line);
        return ProcessRun.run(TIMEOUT, all);
    }

    private List<String> options() {
        return List.of("-q", "-i", fleet.privateKey().toString(),
                "-o", "UserKnownHostsFile=" + fleet.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                "-o", "IdentitiesOnly=yes");
    }
}
