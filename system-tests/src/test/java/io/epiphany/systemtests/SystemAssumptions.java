package io.epiphany.systemtests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.epiphany.systemtests.fleet.ProcessRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Skips a system test, with the reason, when this machine cannot run it (not root, not Linux, packages missing).
 * Under {@code ./system-test} (which sets {@code -Depiphany.system.required=true} after installing the packages) a
 * missing prerequisite fails the test instead: the system-test command must never pass by skipping.
 */
public final class SystemAssumptions {
    private static final List<String> TOOLS = List.of("/usr/sbin/sshd", "/usr/sbin/haproxy", "/usr/bin/ssh",
            "/usr/bin/sftp", "/usr/bin/etcd", "/usr/bin/etcdctl", "/usr/bin/sudo", "/usr/bin/curl", "/usr/bin/openssl",
            "/usr/bin/unshare", "/usr/bin/nsenter", "/usr/bin/setsid");

    private SystemAssumptions() {
    }

    /** Root on Linux with the real-OS fleet's packages installed. */
    public static void assumeRealOsFleet() {
        List<String> missing = new ArrayList<>();
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            missing.add("Linux");
        } else if (!isRoot()) {
            missing.add("root");
        }
        for (String tool : TOOLS) {
            if (!Files.isExecutable(Path.of(tool))) {
                missing.add(tool);
            }
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            missing.add("ip (iproute2)");
        }
        require(missing, "the real-OS fleet needs root and Debian packages");
    }

    /** The real {@code haproxy} binary (no root needed). */
    public static void assumeHaproxy() {
        require(HaproxyCheck.available() ? List.of() : List.of("/usr/sbin/haproxy"), "needs the real haproxy");
    }

    private static void require(List<String> missing, String what) {
        String message = what + "; missing: " + String.join(", ", missing)
                + ". Run the system tests with ./system-test as root on Debian/Ubuntu (it installs the packages).";
        if (Boolean.getBoolean("epiphany.system.required") && !missing.isEmpty()) {
            fail(message);
        }
        assumeTrue(missing.isEmpty(), message);
    }

    private static boolean isRoot() {
        ProcessRun.Result id = ProcessRun.run(Duration.ofSeconds(10), List.of("id", "-u"));
        return id.ok() && id.stdout().strip().equals("0");
    }
}
