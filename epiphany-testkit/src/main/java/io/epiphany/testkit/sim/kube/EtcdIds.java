package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.SimulationState;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Optional;

/**
 * etcd member and cluster IDs (uint64) as the SIMULATED etcd makes them and as each etcdctl version prints and parses
 * them. Kept in the state as 16 zero-padded hex digits.
 *
 * <ul>
 *   <li>Printing, JSON ({@code -w json}): etcdctl 3.4 prints every ID as a JSON number (decimal uint64, which may
 *       exceed 2^63) even with {@code --hex}; from 3.5 {@code --hex} makes header {@code cluster_id}/{@code member_id},
 *       {@code members[].ID} and {@code Status.leader} JSON strings of unpadded hex digits (etcd PR #11812, the
 *       hex JSON printer), without it they stay numbers.</li>
 *   <li>Printing, text: {@code %x} (unpadded) in {@code member list}, {@code %16x} (space-padded) in
 *       "Member ... removed from cluster ...", {@code types.ID} (unpadded) in move-leader's message.</li>
 *   <li>Parsing an ID argument: {@code strconv.ParseUint(arg, 16, 64)} in member remove/promote and move-leader.</li>
 * </ul>
 */
final class EtcdIds {
    private static final BigInteger TOP_BIT = BigInteger.ONE.shiftLeft(63);

    private EtcdIds() {}

    /** Whether this etcdctl prints IDs in JSON as hex strings when asked with {@code --hex} (3.5 and later). */
    static boolean hexJson(String etcdVersion) {
        return !etcdVersion.startsWith("3.4.") && !etcdVersion.equals("3.4");
    }

    /** An ID in JSON output: a hex string ({@code hexStrings}) or the decimal uint64 as a JSON number. */
    static Object json(String stored, boolean hexStrings) {
        return hexStrings ? hex(stored) : new BigInteger(stored, 16);
    }

    /** {@code %x}: hex digits without leading zeros. */
    static String hex(String stored) {
        return new BigInteger(stored, 16).toString(16);
    }

    /** {@code %16x}: right-aligned in 16 columns, padded with spaces. */
    static String padded(String stored) {
        return String.format("%16s", hex(stored));
    }

    /**
     * Go's {@code strconv.ParseUint(arg, 16, 64)}: the stored form of the ID, or the Go error text ({@code
     * strconv.ParseUint: parsing "arg": invalid syntax | value out of range}).
     */
    static Parsed parse(String arg) {
        if (!arg.matches("[0-9a-fA-F]+")) {
            return new Parsed(null, "strconv.ParseUint: parsing \"" + arg + "\": invalid syntax");
        }
        BigInteger v = new BigInteger(arg, 16);
        if (v.bitLength() > 64) {
            return new Parsed(null, "strconv.ParseUint: parsing \"" + arg + "\": value out of range");
        }
        return new Parsed(String.format("%016x", v), null);
    }

    /** A parsed ID argument: {@code stored} or Go's {@code error}. */
    record Parsed(String stored, String error) {
        Optional<String> id() {
            return Optional.ofNullable(stored);
        }
    }

    /**
     * A new member (or cluster) ID. etcd derives one from a SHA-1 of the peer URLs, the cluster name and the time
     * (etcdserver/api/membership NewMember); here from a SHA-256 of {@code seed}, unique among {@code taken}. Every
     * other ID ({@code index} even) has the top bit set, so a cluster of two or more members always has an ID above
     * 2^63 (as real random uint64 IDs half the time are) and one below: a signed-long or decimal-parsing bug shows.
     */
    static String newId(String seed, int index, Collection<String> taken) {
        for (int salt = 0; salt < 1000; salt++) {
            BigInteger v = new BigInteger(1, java.util.Arrays.copyOf(java.util.HexFormat.of()
                    .parseHex(Kubeadm.sha256(seed + "#" + salt)), 8));
            v = index % 2 == 0 ? v.or(TOP_BIT) : v.andNot(TOP_BIT);
            String id = String.format("%016x", v);
            if (v.signum() != 0 && !taken.contains(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free etcd ID for " + seed + " after 1000 tries");
    }

    /** A new member ID for {@code m} in cluster {@code k} (see {@link #newId}). */
    static String newMemberId(SimulationState.Kube k, SimulationState.Member m) {
        return EtcdIds.newId(k.clusterName + " " + m.name + " " + m.peerUrl + " " + k.history.size(),
                k.members.size(), k.members.stream().map(x -> x.id).toList());
    }
}
