package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.Machine;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * etcdctl inside the SIMULATED etcd pod prints and parses member IDs as its version does: 3.4 prints JSON numbers
 * even with {@code --hex}; 3.5 and 3.6 print hex strings with it (etcd PR #11812); every version parses an ID
 * argument as hex, so a decimal ID above what 16 hex digits hold is refused with etcdctl's error.
 */
@Execution(ExecutionMode.CONCURRENT)
class EtcdIdFormatTest {
    private static final List<String> MASTER_IPS = List.of("10.0.0.11", "10.0.0.12");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigInteger TWO_TO_63 = BigInteger.ONE.shiftLeft(63);

    @ParameterizedTest
    @ValueSource(strings = {"3.4.30", "3.5.21", "3.6.4"})
    void idsAsEachEtcdVersionPrintsThem(String etcdVersion) throws Exception {
        try (SimulatedFleet fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11"),
                Machine.of("m2", "10.0.0.12")), SimulatedFleet.Options.defaults().withEtcdVersion(etcdVersion));
                TestSsh ssh = new TestSsh(fleet)) {
            ClusterScript script = new ClusterScript(fleet, ssh);
            script.loadBalancer("m1", MASTER_IPS);
            script.init("m1", "10.0.0.11");
            script.loadBalancer("m2", MASTER_IPS);
            script.copyShared("m1", "m2");
            assertThat(script.join("m2", "10.0.0.12", ClusterScript.TOKEN, script.caHash("m1"), true).exit()).isZero();
            boolean hexStrings = !etcdVersion.startsWith("3.4.");

            JsonNode hexList = JSON.readTree(script.ok("m1", script.etcdctl("m1", "member list -w json --hex")).out());
            JsonNode plainList = JSON.readTree(script.ok("m1", script.etcdctl("m1", "member list -w json")).out());
            List<BigInteger> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                JsonNode hexId = hexList.path("members").get(i).path("ID");
                JsonNode plainId = plainList.path("members").get(i).path("ID");
                assertThat(plainId.isIntegralNumber()).as("without --hex: a JSON number").isTrue();
                assertThat(hexId.isTextual()).as("with --hex on etcd " + etcdVersion).isEqualTo(hexStrings);
                BigInteger id = plainId.bigIntegerValue();
                assertThat(hexStrings ? new BigInteger(hexId.asText(), 16) : hexId.bigIntegerValue()).isEqualTo(id);
                if (hexStrings) {
                    assertThat(hexId.asText()).isEqualTo(id.toString(16)); // %x: no zero padding
                }
                ids.add(id);
            }
            assertThat(ids).as("real IDs are random uint64: one above 2^63, one below")
                    .anyMatch(id -> id.compareTo(TWO_TO_63) >= 0).anyMatch(id -> id.compareTo(TWO_TO_63) < 0);
            JsonNode header = hexList.path("header");
            assertThat(header.path("cluster_id").isTextual()).isEqualTo(hexStrings);
            assertThat(header.path("member_id").isTextual()).isEqualTo(hexStrings);

            JsonNode status = JSON.readTree(script.ok("m1", script.etcdctl("m1",
                    "endpoint status --cluster -w json --hex")).out());
            assertThat(status).hasSize(2);
            JsonNode leader = status.get(0).path("Status").path("leader");
            assertThat(leader.isTextual()).isEqualTo(hexStrings);
            assertThat(status.get(0).path("Status").path("version").asText()).isEqualTo(etcdVersion);
            BigInteger leaderId = hexStrings ? new BigInteger(leader.asText(), 16) : leader.bigIntegerValue();
            assertThat(leaderId).isEqualTo(ids.get(0));

            // an ID argument is hex in every version: the decimal form of a big ID does not fit in 64 bits as hex
            BigInteger big = ids.stream().filter(id -> id.compareTo(TWO_TO_63) >= 0).findFirst().orElseThrow();
            TestSsh.Result decimal = ssh.run("m1", script.etcdctl("m1", "move-leader " + big));
            assertThat(decimal.exit()).isEqualTo(128);
            assertThat(decimal.err().strip()).isEqualTo("Error: strconv.ParseUint: parsing \"" + big
                    + "\": value out of range");
            BigInteger other = ids.get(1);
            TestSsh.Result removeDecimal = ssh.run("m1", script.etcdctl("m1", "member remove " + big));
            assertThat(removeDecimal.exit()).isEqualTo(128);
            assertThat(removeDecimal.err().strip()).isEqualTo("Error: bad member ID arg (strconv.ParseUint: parsing \""
                    + big + "\": value out of range), expecting ID in Hex");
            assertThat(script.ok("m1", script.etcdctl("m1", "move-leader " + other.toString(16))).out().strip())
                    .isEqualTo("Leadership transferred from " + ids.get(0).toString(16) + " to " + other.toString(16));
            assertThat(script.ok("m1", script.etcdctl("m1", "member remove " + big.toString(16))).out().strip())
                    .startsWith("Member " + String.format("%16s", big.toString(16)) + " removed from cluster ");
            assertThat(fleet.etcdHistory()).endsWith("member remove m1 (etcdctl)");
        }
    }
}
