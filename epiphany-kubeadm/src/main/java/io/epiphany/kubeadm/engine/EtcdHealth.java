package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteHost;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Live etcd membership and health, read on the source master; waits are bounded by the apply's health timeout. */
final class EtcdHealth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EtcdHealth() {}

    static List<EtcdMember> members(Context ctx) {
        Machine source = ctx.requireSource("etcd");
        CommandResult list = ctx.host(source).run(HostCommands.etcdctl("member", "list", "-w", "json", "--hex").readOnly())
                .orThrow();
        return withHealth(FactsGatherer.parseMembers(source, list), ctx.host(source));
    }

    /** The members marked healthy or not by {@code etcdctl endpoint health --cluster}, run on {@code host}. */
    static List<EtcdMember> withHealth(List<EtcdMember> members, RemoteHost host) {
        // etcdctl exits non-zero when any endpoint is unhealthy but still prints the JSON for all of them
        CommandResult health = host.run(HostCommands.etcdctl("endpoint", "health", "--cluster", "-w", "json")
                .readOnly());
        List<String> healthy = new ArrayList<>();
        try {
            for (JsonNode e : JSON.readTree(health.stdout().isBlank() ? "[]" : health.stdout())) {
                if (e.path("health").asBoolean(false)) {
                    healthy.add(FactsGatherer.hostOf(e.path("endpoint").asText()));
                }
            }
        } catch (IOException e) {
            // unparseable: nobody counts as healthy, so the engine stops rather than risks quorum
        }
        List<EtcdMember> out = new ArrayList<>();
        for (EtcdMember m : members) {
            out.add(m.withHealth(m.peerUrls().stream().anyMatch(u -> healthy.contains(FactsGatherer.hostOf(u)))));
        }
        return out;
    }

    /** Refuses to go on unless every etcd member is started and healthy. */
    static void requireAllHealthy(Context ctx, String phase, String about) {
        requireAllHealthy(ctx, phase, about, List.of());
    }

    /** Refuses to go on unless every etcd member but those of {@code leaving} is started and healthy. */
    static void requireAllHealthy(Context ctx, String phase, String about, List<Machine> leaving) {
        List<EtcdMember> members = members(ctx);
        List<String> unhealthy = members.stream().filter(m -> leaving.stream().noneMatch(l -> m.isPeer(l.ip())))
                .filter(m -> !m.healthy() || m.name().isEmpty())
                .map(m -> m.name().isEmpty() ? m.idHex() + " (never started)" : m.name()).toList();
        if (!unhealthy.isEmpty()) {
            throw new ApplyException(phase, about, "etcd is not fully healthy (" + (members.size() - unhealthy.size())
                    + " of " + members.size() + " members healthy; unhealthy: " + unhealthy + "); the SDK changes the "
                    + "control plane only when every member is healthy", ctx.completed(), ctx.notDone(), null);
        }
    }

    /** Waits until the machine's member is started, promoted from learner and healthy. */
    static void awaitVotingMember(Context ctx, String phase, Machine m) {
        Poll poll = new Poll(ctx.options.healthTimeout());
        String last = "no member with peer URL https://" + m.ip() + ":2380";
        do {
            for (EtcdMember e : members(ctx)) {
                if (e.isPeer(m.ip())) {
                    if (!e.name().isEmpty() && !e.learner() && e.healthy()) {
                        return;
                    }
                    last = "member " + e.idHex() + (e.learner() ? " is still a learner" : "")
                            + (e.healthy() ? "" : " is not healthy");
                }
            }
        } while (poll.again());
        throw new ApplyException(phase, m.hostname(), "kubeadm join finished but the etcd member did not become a "
                + "healthy voting member within " + ctx.options.healthTimeout().toSeconds() + " s: " + last,
                ctx.completed(), ctx.notDone(), null);
    }

}
