package io.epiphany.kubeadm.engine;

import java.util.List;

/** Helpers shared by phases. */
final class Phases {
    private Phases() {}

    /** After a parallel phase ran on every host: the first failure, if any (all hosts were still attempted). */
    static void throwFirstFailure(List<? extends Parallel.Outcome<?, ?>> outcomes) {
        for (var o : outcomes) {
            if (!o.ok()) {
                throw o.error();
            }
        }
    }

    /** etcd quorum in words: "3 members, quorum 2, tolerates 1 failure". */
    static String quorum(int members) {
        int quorum = members / 2 + 1;
        int tolerates = members - quorum;
        return members + (members == 1 ? " member" : " members") + ", quorum " + quorum + ", tolerates " + tolerates
                + (tolerates == 1 ? " failure" : " failures");
    }

    /** "etcd 1 member, ... → 2 members, ...". */
    static String quorumChange(int before, int after) {
        return "etcd " + (before == 0 ? "none" : quorum(before)) + " → " + (after == 0 ? "none" : quorum(after));
    }
}
