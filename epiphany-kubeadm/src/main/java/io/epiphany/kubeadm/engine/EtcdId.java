package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Optional;

/**
 * etcd member IDs in every form etcdctl prints them, normalised to the lower-case hex etcdctl's arguments take
 * ({@code member remove}, {@code move-leader} parse their argument with {@code strconv.ParseUint(arg, 16, 64)}).
 * <ul>
 *   <li>etcdctl 3.4 (Debian 12's {@code etcd-client}): JSON numbers, decimal, even with {@code --hex}: the hex JSON
 *       printer arrived in etcd 3.5 (etcd PR #11812).</li>
 *   <li>etcdctl 3.5 and 3.6 with {@code --hex}: JSON strings of hex digits; the simple printer pads them to 16
 *       columns with spaces ({@code %16x}).</li>
 *   <li>etcdctl 3.5 and 3.6 without {@code --hex}: JSON numbers, decimal uint64 (often above 2^63).</li>
 * </ul>
 */
final class EtcdId {
    private static final BigInteger MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private EtcdId() {}

    /** The ID in a JSON field: a number is decimal, a string is hex; empty when absent or not an ID. */
    static Optional<String> hex(JsonNode field) {
        if (field == null || field.isMissingNode() || field.isNull()) {
            return Optional.empty();
        }
        if (field.isNumber()) {
            BigInteger value = field.bigIntegerValue();
            return inRange(value) ? Optional.of(value.toString(16)) : Optional.empty();
        }
        String text = field.asText().trim();
        if (!text.matches("[0-9a-fA-F]{1,16}")) {
            return Optional.empty();
        }
        return Optional.of(new BigInteger(text, 16).toString(16));
    }

    private static boolean inRange(BigInteger value) {
        return value.signum() >= 0 && value.compareTo(MAX) <= 0;
    }
}
