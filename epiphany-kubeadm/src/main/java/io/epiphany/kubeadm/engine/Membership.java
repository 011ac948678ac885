package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every etcd membership rule in one place, in the spirit of Cluster API KCP's {@code scale.go}: the plan asks it
 * which changes to make in which order and what quorum they leave, and the run asks it again, on live membership,
 * before each change. Quorum arithmetic counts <em>healthy</em> members.
 *
 * <p>Order: provably stale members no machine has (never started, or a dead duplicate of a serving member's name)
 * leave first, one at a time; then broken retired masters (unhealthy or never-started member, or unreachable with the force option) leave
 * first: removing a member that does not serve only ever helps quorum, and a join needs every member healthy. Then
 * new masters join, one at a time. Then healthy retired masters leave, so tolerance never drops below the
 * description's while a replacement is pending.
 */
final class Membership {
    /** What a change does to etcd. */
    enum Kind { REMOVE_BROKEN, JOIN, REMOVE }

    /** One membership change with the member counts before and after it (healthy ones in brackets). */
    record Change(Kind kind, Machine machine, int members, int healthy, int membersAfter, int healthyAfter) {
        String quorum() {
            return "etcd " + describe(members, healthy) + " → " + describe(membersAfter, healthyAfter)
                    + (kind == Kind.JOIN && membersAfter == 2 ? " (2 members only until the next master joins)" : "");
        }
    }

    /** A provably stale member to remove (no machine to clean), with the member counts before and after. */
    record Stale(EtcdMember member, int members, int healthy) {
        String quorum() {
            return "etcd " + describe(members, healthy) + " → " + describe(members - 1, healthy);
        }
    }

    final List<Stale> removeStale = new ArrayList<>();
    final List<Change> removeBroken = new ArrayList<>();
    final List<Change> joins = new ArrayList<>();
    final List<Change> removeHealthy = new ArrayList<>();

    static int quorumOf(int members) {
        return members / 2 + 1;
    }

    /** "3 members, quorum 2, tolerates 1 failure", with "(2 healthy)" when some do not serve. */
    static String describe(int members, int healthy) {
        if (members == 0) {
            return "none";
        }
        int quorum = quorumOf(members);
        int tolerates = members - quorum;
        return members + (members == 1 ? " member" : " members") + (healthy < members ? " (" + healthy + " healthy)"
                : "") + ", quorum " + quorum + ", tolerates " + tolerates + (tolerates == 1 ? " failure" : " failures");
    }

    /** The changes the description asks for, checked against the facts; a refusal names the numbers. */
    static Membership plan(Context ctx) {
        Facts facts = ctx.facts;
        Membership out = new Membership();
        if (!facts.clusterExists()) {
            int members = 1;
            for (Machine m : ctx.cluster.masters().subList(1, ctx.cluster.masters().size())) {
                out.joins.add(new Change(Kind.JOIN, m, members, members, members + 1, members + 1));
                members++;
            }
            return out;
        }
        int members = facts.members().size();
        int healthy = (int) facts.members().stream().filter(EtcdMember::serving).count();
        List<EtcdMember> staleMembers = staleMembers(ctx);
        for (EtcdMember e : staleMembers) {
            if (healthy < quorumOf(members - 1)) {
                throw new ApplyException("Plan", null, "etcd has lost quorum: " + healthy + " of " + members
                        + " members healthy; not even the stale member " + e.label() + " can be removed without "
                        + "quorum: bring members back or restore from a backup", List.of(),
                        List.of("everything: no host was changed"), null);
            }
            out.removeStale.add(new Stale(e, members, healthy));
            members--;
        }
        List<Machine> retired = facts.retired().stream().filter(facts::retiredMaster).toList();
        for (Machine m : retired) {
            if (!broken(ctx, m)) {
                continue;
            }
            if (!facts.host(m).reachable() && !ctx.options.forceRemoveUnreachable()) {
                throw refuse(m, "master " + m.hostname() + " is no longer described but cannot be reached ("
                        + facts.host(m).unreachable().orElse("") + "); to remove its etcd member and Node and drop "
                        + "it from every load balancer without cleaning the machine, apply with "
                        + "ApplyOptions.forceRemoveUnreachable(true)");
            }
            Optional<EtcdMember> member = facts.member(m);
            int after = members - (member.isPresent() ? 1 : 0);
            int healthyAfter = healthy - (member.map(EtcdMember::serving).orElse(false) ? 1 : 0);
            if (member.isPresent() && healthyAfter < quorumOf(after)) {
                throw refuse(m, "etcd has lost quorum: " + healthy + " of " + members + " members healthy; even "
                        + "without " + m.hostname() + " it would have " + healthyAfter + " healthy of " + after
                        + " (quorum " + quorumOf(after) + "). etcd cannot change membership without quorum: bring "
                        + "members back or restore from a backup");
            }
            out.removeBroken.add(new Change(Kind.REMOVE_BROKEN, m, members, healthy, after, healthyAfter));
            members = after;
            healthy = healthyAfter;
        }
        List<Machine> toJoin = ctx.cluster.masters().stream().filter(m -> !facts.joinedMaster(m)).toList();
        if (!toJoin.isEmpty()) {
            List<String> sick = sickStaying(ctx);
            if (!sick.isEmpty()) {
                throw refuse(toJoin.get(0), "a master joins only when every etcd member is healthy, and "
                        + String.join(", ", sick) + "; repair it, or replace it: drop it from the description (it "
                        + "is then removed first) and add another");
            }
        }
        for (Machine m : toJoin) {
            boolean stale = facts.member(m).isPresent();
            int after = stale ? members : members + 1;
            int healthyAfter = healthy + 1 - (stale && facts.member(m).get().serving() ? 1 : 0);
            out.joins.add(new Change(Kind.JOIN, m, members, healthy, after, healthyAfter));
            members = after;
            healthy = healthyAfter;
        }
        List<String> unhealthyStaying = facts.members().stream().filter(e -> !e.serving())
                .filter(e -> !staleMembers.contains(e))
                .filter(e -> retired.stream().noneMatch(r -> broken(ctx, r) && e.isPeer(r.ip())))
                .filter(e -> toJoin.stream().noneMatch(j -> e.isPeer(j.ip())))
                .filter(e -> ctx.cluster.masters().stream().noneMatch(d -> e.isPeer(d.ip()) && Repair.canRepair(ctx, d)))
                .map(EtcdMember::label).toList();
        for (Machine m : retired) {
            if (broken(ctx, m)) {
                continue;
            }
            if (!unhealthyStaying.isEmpty()) {
                throw refuse(m, "etcd is not fully healthy: " + healthy + " of " + members + " members healthy "
                        + "(unhealthy: " + unhealthyStaying + "); a healthy master is removed only when every other "
                        + "member is healthy");
            }
            int after = members - 1;
            int healthyAfter = healthy - 1;
            String numbers = "removing " + m.hostname() + " would leave " + healthyAfter + " healthy of " + after
                    + " etcd members (quorum " + quorumOf(after) + ")";
            if (after == 0 || healthyAfter < quorumOf(after)) {
                throw refuse(m, numbers + ", below quorum; add masters first");
            }
            out.removeHealthy.add(new Change(Kind.REMOVE, m, members, healthy, after, healthyAfter));
            members = after;
            healthy = healthyAfter;
        }
        return out;
    }

    /**
     * A member that provably serves no master: it does not serve (never started, or does not answer) and either
     * never started or another member with its name serves. Only such a member at an address no described or retired
     * machine has is stale; one at a master's address is that master's business (a failed join, a repair).
     */
    static boolean provablyStale(EtcdMember e, List<EtcdMember> all) {
        return !e.serving() && (e.name().isEmpty()
                || all.stream().anyMatch(o -> o != e && o.name().equals(e.name()) && o.serving()));
    }

    /** The provably stale members at addresses no described or retired machine has, in etcd's order. */
    static List<EtcdMember> staleMembers(Context ctx) {
        List<String> ips = new ArrayList<>();
        ctx.cluster.machines().forEach(m -> ips.add(m.ip()));
        ctx.facts.retired().forEach(m -> ips.add(m.ip()));
        return ctx.facts.members().stream().filter(e -> provablyStale(e, ctx.facts.members()))
                .filter(e -> ips.stream().noneMatch(e::isPeer)).toList();
    }

    /** A retired master that does not serve: unreachable, or its member unhealthy, a learner, or never started. */
    static boolean broken(Context ctx, Machine m) {
        return !ctx.facts.host(m).reachable() || ctx.facts.member(m).map(e -> !e.serving()).orElse(true);
    }

    /**
     * Described, joined masters whose member does not serve and that no planned repair can bring back (the host is
     * unreachable or its kubelet is not the cause), as "m1's etcd member is unhealthy".
     */
    private static List<String> sickStaying(Context ctx) {
        List<String> out = new ArrayList<>();
        for (Machine m : ctx.cluster.masters()) {
            Optional<EtcdMember> e = ctx.facts.member(m);
            if (ctx.facts.joinedMaster(m) && e.isPresent() && !e.get().serving() && !Repair.canRepair(ctx, m)) {
                out.add(m.hostname() + "'s etcd member is unhealthy" + (ctx.facts.host(m).reachable() ? ""
                        : " and the machine cannot be reached"));
            }
        }
        return out;
    }

    /**
     * Before a change, on live membership: the same rules with the numbers etcd reports now. {@code pendingJoins}
     * are masters still to join, whose stale members (added by a failed join, never serving) do not count against a
     * join.
     */
    static void checkLive(Context ctx, String phase, Change change, List<Machine> pendingJoins) {
        List<EtcdMember> live = ctx.liveMembers(phase);
        Machine m = change.machine();
        int members = live.size();
        int healthy = (int) live.stream().filter(EtcdMember::serving).count();
        switch (change.kind()) {
            case REMOVE_BROKEN -> {
                Optional<EtcdMember> own = live.stream().filter(e -> e.isPeer(m.ip())).findFirst();
                int after = members - (own.isPresent() ? 1 : 0);
                int healthyAfter = healthy - (own.map(EtcdMember::serving).orElse(false) ? 1 : 0);
                if (own.isPresent() && healthyAfter < quorumOf(after)) {
                    throw live(ctx, phase, m, "removing it now would leave " + healthyAfter + " healthy of " + after
                            + " etcd members (quorum " + quorumOf(after) + ")");
                }
            }
            case JOIN, REMOVE -> {
                List<String> unhealthy = live.stream()
                        .filter(e -> !(change.kind() == Kind.REMOVE && e.isPeer(m.ip())))
                        .filter(e -> pendingJoins.stream().noneMatch(p -> e.isPeer(p.ip())))
                        .filter(e -> !e.serving()).map(EtcdMember::label).toList();
                if (!unhealthy.isEmpty()) {
                    throw live(ctx, phase, m, "etcd is not fully healthy (" + healthy + " of " + members
                            + " members healthy; unhealthy: " + unhealthy + "); the SDK "
                            + (change.kind() == Kind.JOIN ? "joins a master" : "removes a healthy master")
                            + " only when every other member is healthy");
                }
                if (change.kind() == Kind.REMOVE && (members - 1 == 0 || healthy - 1 < quorumOf(members - 1))) {
                    throw live(ctx, phase, m, "removing it now would leave " + (healthy - 1) + " healthy of "
                            + (members - 1) + " etcd members (quorum " + quorumOf(members - 1) + ")");
                }
            }
            default -> throw new IllegalStateException(change.kind().toString());
        }
    }

    private static ApplyException refuse(Machine m, String why) {
        return new ApplyException("Plan", m.hostname(), why, List.of(), List.of("everything: no host was changed"),
                null);
    }

    private static ApplyException live(Context ctx, String phase, Machine m, String why) {
        return new ApplyException(phase, m.hostname(), why, ctx.completed(), ctx.notDone(), null);
    }
}
