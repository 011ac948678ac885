package io.epiphany.testkit.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * REAL etcd on a real-OS fleet host (Debian {@code etcd-server}, {@code /usr/bin/etcd} and {@code /usr/bin/etcdctl}):
 * used only when {@link RealOsMode#enabled()}. The SIMULATED kubeadm keeps its own model of the cluster, and in
 * real-OS mode also does to the real etcd what kubeadm does: {@code join} adds this host as a learner through the
 * etcd API and promotes it once the (real) member has caught up; {@code reset} removes this host's member; the
 * SIMULATED kubelet runs the etcd static pod's command (from {@code /etc/kubernetes/manifests/etcd.yaml}) as a real
 * process. The etcdctl used here is the real one, which the fleet hides from the hosts' PATH (a kubeadm host has
 * none) and shows at the path of the system property {@code epiphany.sim.etcdctl}.
 */
public final class RealEtcd {
    static final String HOOK = "epiphany.sim.etcd-hook";
    /** Where the REAL etcdctl is: the fleet hides it from the hosts' PATH and shows it here (the "etcd image"). */
    static final String ETCDCTL_PROPERTY = "epiphany.sim.etcdctl";
    private static final String PKI = "/etc/kubernetes/pki/";
    private static final long COMMAND_SECONDS = 30;
    private static final long PROMOTE_SECONDS = 40;
    private static final long ADD_SECONDS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    // etcdctl prints the ID with %16x: shorter IDs are padded with spaces
    private static final Pattern ADDED = Pattern.compile("Member\\s+([0-9a-f]+) added to cluster");
    private static final Pattern INITIAL = Pattern.compile("ETCD_INITIAL_CLUSTER=\"([^\"]*)\"");

    private RealEtcd() {}

    /** A member added by {@link #addLearner}: its hex ID and the {@code --initial-cluster} its etcd must start with. */
    public record Added(String idHex, List<String> initialCluster) {}

    /**
     * Adds {@code name} as a learner through the given members' client URLs ({@code etcdctl member add --learner}),
     * retrying every 500 ms for at most {@value #ADD_SECONDS} s as kubeadm does: its etcd client polls MemberAdd at
     * {@code constants.EtcdAPICallRetryInterval} until the {@code etcdAPICall} timeout (kubeadm
     * {@code app/util/etcd/etcd.go}). etcd refuses a member add with "etcdserver: unhealthy cluster" until the leader
     * has been connected to every voting member for 5 s ({@code mayAddMember}, strict reconfiguration check), which a
     * member promoted moments earlier is not.
     */
    public static Added addLearner(List<String> clientUrls, String name, String peerUrl) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ADD_SECONDS);
        while (true) {
            Result r = run(client(clientUrls, "member", "add", name, "--peer-urls", peerUrl, "--learner"));
            Matcher id = ADDED.matcher(r.stdout);
            Matcher initial = INITIAL.matcher(r.stdout);
            if (r.code == 0 && id.find() && initial.find()) {
                return new Added(id.group(1), Arrays.asList(initial.group(1).split(",")));
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("REAL etcd: 'etcdctl member add " + name + " --learner' via "
                        + clientUrls + " failed (exit " + r.code + "): " + (r.stderr + r.stdout).strip());
            }
            sleep(500);
        }
    }

    /**
     * Promotes a learner, retrying while etcd refuses because it has not caught up with the leader (as kubeadm does),
     * for at most {@value #PROMOTE_SECONDS} s.
     */
    public static void promote(List<String> clientUrls, String idHex) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROMOTE_SECONDS);
        Result r;
        do {
            r = run(client(clientUrls, "member", "promote", idHex));
            if (r.code == 0) {
                return;
            }
            sleep(250);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("REAL etcd: learner " + idHex + " was not promoted within " + PROMOTE_SECONDS
                + " s: " + (r.stderr + r.stdout).strip());
    }

    /**
     * The first of these client URLs whose REAL etcd member does not answer a status request (kubeadm's check-etcd
     * asks each member), or empty when all answer.
     */
    public static Optional<String> firstUnanswered(List<String> clientUrls) {
        for (String url : clientUrls) {
            Result r = run(List.of("--endpoints", url, "--dial-timeout", "2s", "--command-timeout", "3s", "--cacert",
                    PKI + "etcd/ca.crt", "--cert", PKI + "apiserver-etcd-client.crt", "--key",
                    PKI + "apiserver-etcd-client.key", "endpoint", "status"));
            if (r.code != 0) {
                return Optional.of(url);
            }
        }
        return Optional.empty();
    }

    /** Removes the member with this peer URL; empty on success, else why it failed (as kubeadm reset's warning). */
    public static Optional<String> remove(List<String> clientUrls, String peerUrl) {
        Result list = run(client(clientUrls, "member", "list", "-w", "json"));
        if (list.code != 0) {
            return Optional.of(list.stderr.strip());
        }
        try {
            for (JsonNode m : JSON.readTree(list.stdout).path("members")) {
                for (JsonNode u : m.path("peerURLs")) {
                    if (u.asText().equals(peerUrl)) {
                        String id = m.path("ID").bigIntegerValue().toString(16);
                        Result r = run(client(clientUrls, "member", "remove", id));
                        return r.code == 0 ? Optional.empty() : Optional.of(r.stderr.strip());
                    }
                }
            }
        } catch (IOException e) {
            return Optional.of("etcdctl member list printed no JSON: " + e.getMessage());
        }
        return Optional.empty(); // already gone
    }

    /** The SIMULATED kubelet runs the etcd static pod: the manifest's command as a real process of this host. */
    public static void started(String hostname, List<String> command) {
        List<String> args = new ArrayList<>(List.of("start"));
        args.addAll(command);
        RealOsMode.runHook(HOOK, hostname, args);
    }

    /** The etcd static pod is gone ({@code kubeadm reset} stops the kubelet and removes the containers). */
    public static void stopped(String hostname) {
        RealOsMode.runHook(HOOK, hostname, List.of("stop"));
    }

    private static List<String> client(List<String> clientUrls, String... command) {
        List<String> line = new ArrayList<>(List.of("--endpoints", String.join(",", clientUrls), "--cacert",
                PKI + "etcd/ca.crt", "--cert", PKI + "apiserver-etcd-client.crt", "--key",
                PKI + "apiserver-etcd-client.key"));
        line.addAll(List.of(command));
        return line;
    }

    private record Result(int code, String stdout, String stderr) {}

    private static Result run(List<String> args) {
        List<String> line = new ArrayList<>(List.of(System.getProperty(ETCDCTL_PROPERTY, "/usr/bin/etcdctl")));
        line.addAll(args);
        try {
            ProcessBuilder pb = new ProcessBuilder(line)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("ETCDCTL_API", "3");
            Process p = pb.start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(124, "", "REAL etcdctl did not finish in " + COMMAND_SECONDS + " s\n");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, "", "REAL etcdctl could not run: " + e.getMessage() + "\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "", "interrupted\n");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while adding or promoting an etcd learner", e);
        }
    }
}
