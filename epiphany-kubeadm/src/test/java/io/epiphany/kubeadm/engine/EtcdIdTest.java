package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import org.junit.jupiter.api.Test;

/**
 * Member IDs as each etcdctl prints them (etcd's default single-member example IDs): 3.4 prints JSON numbers even
 * with {@code --hex} (the hex JSON printer is etcd PR #11812, in 3.5), 3.5/3.6 print hex strings with {@code --hex}
 * and numbers without. All must come out as the hex that {@code member remove} and {@code move-leader} parse.
 */
class EtcdIdTest {
    private static final Machine M = Machine.of("m1", "10.0.0.1");
    private static final String HEX = "8e9e05c52164694d";

    @Test
    void etcdctl34PrintsDecimalNumbersEvenWithHex() {
        String json = "{\"header\":{\"cluster_id\":14841639068965178418,\"member_id\":10276657743932975437,"
                + "\"raft_term\":2},\"members\":[{\"ID\":10276657743932975437,\"name\":\"m1\",\"peerURLs\":"
                + "[\"https://10.0.0.1:2380\"],\"clientURLs\":[\"https://10.0.0.1:2379\"]}]}";
        assertThat(Etcd.parseMembers(M, json)).singleElement().satisfies(e -> {
            assertThat(e.idHex()).isEqualTo(HEX);
            assertThat(e.isPeer("10.0.0.1")).isTrue();
            assertThat(e.learner()).isFalse();
        });
    }

    @Test
    void etcdctl35And36PrintHexStringsWithHex() {
        String json = "{\"header\":{\"cluster_id\":\"cdf818194e3a8c32\",\"member_id\":\"8e9e05c52164694d\","
                + "\"raft_term\":2},\"members\":[{\"ID\":\"8e9e05c52164694d\",\"name\":\"m1\",\"peerURLs\":"
                + "[\"https://10.0.0.1:2380\"],\"clientURLs\":[\"https://10.0.0.1:2379\"]},{\"ID\":\"3a57933972cb5131\","
                + "\"peerURLs\":[\"https://10.0.0.2:2380\"],\"isLearner\":true}]}";
        assertThat(Etcd.parseMembers(M, json)).extracting(EtcdMember::idHex).containsExactly(HEX, "3a57933972cb5131");
        assertThat(Etcd.parseMembers(M, json).get(1).label()).isEqualTo("3a57933972cb5131 (never started)");
        assertThat(Etcd.parseMembers(M, json).get(1).learner()).isTrue();
    }

    @Test
    void decimalWithoutHexAndPaddedHexAndShortHexAllNormalise() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(EtcdId.hex(json.readTree("10276657743932975437"))).contains(HEX);
        assertThat(EtcdId.hex(json.readTree("\"    2a57933972cb5\""))).contains("2a57933972cb5");
        assertThat(EtcdId.hex(json.readTree("\"00000000000000ff\""))).contains("ff");
        assertThat(EtcdId.hex(json.readTree("18446744073709551615"))).contains("ffffffffffffffff");
    }

    @Test
    void whatIsNotAnIdIsRefused() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(EtcdId.hex(json.readTree("18446744073709551616"))).isEmpty(); // 2^64 does not fit uint64
        assertThat(EtcdId.hex(json.readTree("-1"))).isEmpty();
        assertThat(EtcdId.hex(json.readTree("\"member-1\""))).isEmpty();
        assertThat(EtcdId.hex(json.readTree("\"123456789abcdef01\""))).isEmpty(); // 17 hex digits
        assertThatThrownBy(() -> Etcd.parseMembers(M, "{\"members\":[{\"ID\":\"zz\",\"name\":\"m1\"}]}"))
                .isInstanceOf(ApplyException.class).hasMessageContaining("without a valid ID");
        assertThatThrownBy(() -> Etcd.parseMembers(M, "Error: context deadline exceeded"))
                .isInstanceOf(ApplyException.class).hasMessageContaining("not JSON");
    }
}
