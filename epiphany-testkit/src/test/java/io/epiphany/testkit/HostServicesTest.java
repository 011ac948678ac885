package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.Machine;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Versions, the kubelet as a service with its consequences, the kubelet and etcd faults, Node annotations. */
@Execution(ExecutionMode.CONCURRENT)
class HostServicesTest {
    private static final List<String> MASTER_IPS = List.of("10.0.0.11", "10.0.0.12", "10.0.0.13");
    private static final String KUBECTL = "kubectl --kubeconfig /etc/kubernetes/admin.conf";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimulatedFleet fleet;
    private TestSsh ssh;
    private ClusterScript script;

    @BeforeEach
    void start() throws Exception {
        fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11"), Machine.of("m2", "10.0.0.12"),
                Machine.of("m3", "10.0.0.13"), Machine.of("m4", "10.0.0.14")));
        ssh = new TestSsh(fleet);
        script = new ClusterScript(fleet, ssh);
        script.loadBalancer("m1", MASTER_IPS);
        script.init("m1", "10.0.0.11");
        for (String m : List.of("m2", "m3")) {
            script.loadBalancer(m, MASTER_IPS);
            script.copyShared("m1", m);
            String ip = MASTER_IPS.get(Integer.parseInt(m.substring(1)) - 1);
            assertThat(script.join(m, ip, ClusterScript.TOKEN, script.caHash("m1"), true).exit()).isZero();
        }
        script.cni("m1"); // the Nodes are NotReady until a CNI config is in /etc/cni/net.d
    }

    @AfterEach
    void stop() {
        ssh.close();
        fleet.close();
    }

    private JsonNode node(String via, String name) throws Exception {
        for (JsonNode n : JSON.readTree(script.ok(via, KUBECTL + " get nodes -o json").out()).path("items")) {
            if (n.path("metadata").path("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no Node " + name);
    }

    private static JsonNode ready(JsonNode node) {
        return node.path("status").path("conditions").get(0);
    }

    private boolean healthy(String via, String member) throws Exception {
        JsonNode health = JSON.readTree(ssh.run(via, script.etcdctl(via, "endpoint health --cluster -w json")).out());
        for (JsonNode h : health) {
            if (h.path("endpoint").asText().equals("https://" + MASTER_IPS.get(member.charAt(1) - '1') + ":2379")) {
                return h.path("health").asBoolean();
            }
        }
        throw new AssertionError("no member " + member);
    }

    @Test
    void versionsComeFromEachHostsInstalledBinaries() throws Exception {
        assertThat(script.ok("m1", "kubeadm version -o short").out()).isEqualTo("v1.37.0\n");
        assertThat(script.ok("m1", "kubelet --version").out()).isEqualTo("Kubernetes v1.37.0\n");
        JsonNode client = JSON.readTree(script.ok("m1", "kubectl version --client -o json").out()).path("clientVersion");
        assertThat(client.path("gitVersion").asText()).isEqualTo("v1.37.0");
        assertThat(client.path("major").asText() + "." + client.path("minor").asText()).isEqualTo("1.37");

        fleet.host("m2").installVersions("v1.36.2", "v1.35.9", "v1.36.2");
        assertThat(script.ok("m2", "kubeadm version -o short").out()).isEqualTo("v1.36.2\n");
        assertThat(script.ok("m2", "kubelet --version").out()).isEqualTo("Kubernetes v1.35.9\n");
        assertThat(JSON.readTree(script.ok("m2", "kubectl version --client -o json").out())
                .path("clientVersion").path("minor").asText()).isEqualTo("36");
        assertThat(node("m1", "m2").path("status").path("nodeInfo").path("kubeletVersion").asText())
                .as("the running kubelet keeps its version until it restarts").isEqualTo("v1.37.0");
        script.ok("m2", "systemctl restart kubelet");
        assertThat(node("m1", "m2").path("status").path("nodeInfo").path("kubeletVersion").asText())
                .isEqualTo("v1.35.9");
        assertThat(script.ok("m1", "kubeadm version -o short").out()).isEqualTo("v1.37.0\n");
    }

    @Test
    void aStoppedKubeletStopsTheStaticPodsAndStartingItBringsThemBack() throws Exception {
        String before = script.etcdContainer("m1");
        fleet.host("m1").stopKubelet();
        assertThat(ssh.run("m1", "systemctl is-active kubelet").exit()).isEqualTo(3);
        assertThat(script.ok("m1", ClusterScript.CRICTL + " ps --name etcd --state running -q").out()).isEmpty();
        assertThat(healthy("m2", "m1")).isFalse();
        assertThat(healthy("m2", "m3")).isTrue();
        JsonNode condition = ready(node("m2", "m1"));
        assertThat(condition.path("status").asText()).isEqualTo("Unknown");
        assertThat(condition.path("reason").asText()).isEqualTo("NodeStatusUnknown");
        assertThat(condition.path("message").asText()).isEqualTo("Kubelet stopped posting node status.");
        assertThat(ssh.run("m2", "curl -sk https://10.0.0.11:6443/readyz").exit()).isEqualTo(7);

        script.ok("m1", "systemctl start kubelet");
        assertThat(script.etcdContainer("m1")).isNotEqualTo(before);
        assertThat(healthy("m2", "m1")).isTrue();
        assertThat(ready(node("m2", "m1")).path("status").asText()).isEqualTo("True");
        assertThat(ready(node("m2", "m1")).path("reason").asText()).isEqualTo("KubeletReady");
        assertThat(script.ok("m2", "curl -sk https://10.0.0.11:6443/readyz").out()).isEqualTo("ok");
    }

    @Test
    void systemctlStopKubeletLeavesTheContainersRunning() throws Exception {
        String etcd = script.etcdContainer("m1");
        script.ok("m1", "systemctl stop kubelet");
        assertThat(script.etcdContainer("m1")).isEqualTo(etcd);
        assertThat(healthy("m2", "m1")).isTrue();
        assertThat(ready(node("m2", "m1")).path("status").asText()).isEqualTo("Unknown");
        script.ok("m1", "systemctl enable --now kubelet");
        assertThat(script.etcdContainer("m1")).as("the kubelet adopts the running container").isEqualTo(etcd);
        assertThat(ready(node("m2", "m1")).path("status").asText()).isEqualTo("True");
    }

    @Test
    void aStoppedEtcdMakesItsMemberUnhealthyAndItsApiserverUnreadyUntilTheKubeletRestartsIt() throws Exception {
        String before = script.etcdContainer("m1");
        fleet.host("m1").stopEtcd();
        assertThat(script.ok("m1", ClusterScript.CRICTL + " ps --name etcd --state running -q").out()).isEmpty();
        TestSsh.Result stale = ssh.run("m1", ClusterScript.CRICTL + " exec " + before + " etcdctl member list");
        assertThat(stale.err()).contains("code = NotFound");
        assertThat(healthy("m2", "m1")).isFalse();
        assertThat(script.ok("m2", "curl -sk https://10.0.0.11:6443/readyz").out()).contains("[-]etcd failed");
        assertThat(script.ok("m1", "curl -sk https://localhost:3446/readyz").out())
                .as("m1's load balancer goes to the ready masters").isEqualTo("ok");
        assertThat(ready(node("m2", "m1")).path("status").asText()).as("the kubelet still runs").isEqualTo("True");

        script.ok("m1", "systemctl restart kubelet");
        assertThat(script.etcdContainer("m1")).isNotEqualTo(before);
        assertThat(healthy("m2", "m1")).isTrue();
        assertThat(script.ok("m2", "curl -sk https://10.0.0.11:6443/readyz").out()).isEqualTo("ok");
    }

    @Test
    void aControlPlaneJoinRefusesWhileAMemberIsUnhealthyUntilThatMemberIsRemoved() throws Exception {
        fleet.host("m3").stopEtcd();
        script.loadBalancer("m4", MASTER_IPS);
        script.copyShared("m1", "m4");
        TestSsh.Result refused = script.join("m4", "10.0.0.14", ClusterScript.TOKEN, script.caHash("m1"), true);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("error execution phase check-etcd: etcd cluster is not healthy: failed to "
                + "get etcd status for https://10.0.0.13:2379: failed to dial endpoint https://10.0.0.13:2379");
        assertThat(fleet.etcdMembers()).hasSize(3);

        String m3 = fleet.etcdMembers().get(2).id();
        script.ok("m1", script.etcdctl("m1", "member remove " + m3));
        script.ok("m4", "kubeadm reset -f"); // the failed join left its certificates and kubeconfigs behind
        script.copyShared("m1", "m4");
        TestSsh.Result joined = script.join("m4", "10.0.0.14", ClusterScript.TOKEN, script.caHash("m1"), true);
        assertThat(joined.exit()).as(joined.err()).isZero();
        assertThat(fleet.etcdMembers()).extracting(SimulatedCluster.EtcdMember::name).containsExactly("m1", "m2", "m4");
    }

    @Test
    void viewsReadTheSimulationItself() throws Exception {
        List<SimulatedCluster.EtcdMember> members = fleet.etcdMembers();
        assertThat(members).extracting(SimulatedCluster.EtcdMember::name).containsExactly("m1", "m2", "m3");
        assertThat(members).allMatch(SimulatedCluster.EtcdMember::healthy)
                .noneMatch(SimulatedCluster.EtcdMember::learner);
        assertThat(members).filteredOn(SimulatedCluster.EtcdMember::leader)
                .extracting(SimulatedCluster.EtcdMember::name).containsExactly("m1");
        JsonNode listed = JSON.readTree(script.ok("m2", script.etcdctl("m2", "member list -w json --hex")).out());
        assertThat(listed.path("members").get(1).path("ID").asText()).isEqualTo(members.get(1).id());

        script.ok("m1", KUBECTL + " label node m1 zone=a");
        fleet.host("m3").stopEtcd();
        assertThat(fleet.etcdMembers().get(2).healthy()).isFalse();
        assertThat(fleet.host("m3").etcdRunning()).isFalse();
        assertThat(fleet.host("m3").kubeletRunning()).isTrue();
        fleet.host("m2").stopKubelet();
        assertThat(fleet.etcdMembers()).as("1 of 3 running: no quorum, no leader")
                .noneMatch(SimulatedCluster.EtcdMember::healthy).noneMatch(SimulatedCluster.EtcdMember::leader);
        assertThat(fleet.node("m2").ready()).isEqualTo("Unknown");
        assertThat(fleet.node("m2").readyReason()).isEqualTo("NodeStatusUnknown");
        assertThat(fleet.node("m1").ready()).isEqualTo("True");

        assertThat(ssh.run("m1", KUBECTL + " label node m1 zone=b --overwrite").exit()).as("no quorum").isEqualTo(1);
        assertThat(fleet.node("m1").labels()).containsEntry("zone", "a");
        assertThat(fleet.node("m1").taints()).containsExactly(new SimulatedCluster.Taint(
                "node-role.kubernetes.io/control-plane", null, "NoSchedule"));
        assertThat(fleet.host("m1").apiserverFlags()).containsEntry("advertise-address", "10.0.0.11")
                .containsEntry("encryption-provider-config", "/etc/kubernetes/enc/encryption-config.yaml");
        assertThat(fleet.clusterConfiguration().orElseThrow()).contains("clusterName: \"sim\"");
    }

    @Test
    void annotationsLabelsAndTaintsAreSetAndRemoved() throws Exception {
        assertThat(script.ok("m1", KUBECTL + " annotate node m2 epiphany.io/managed-labels=zone --overwrite").out())
                .isEqualTo("node/m2 annotated\n");
        TestSsh.Result refused = ssh.run("m1", KUBECTL + " annotate node m2 epiphany.io/managed-labels=zone,tier");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("--overwrite is false but found the following declared annotation(s): "
                + "'epiphany.io/managed-labels' already has a value (zone)");
        script.ok("m1", KUBECTL + " annotate node m2 epiphany.io/managed-labels=zone,tier --overwrite");
        JsonNode annotations = node("m1", "m2").path("metadata").path("annotations");
        assertThat(annotations.path("epiphany.io/managed-labels").asText()).isEqualTo("zone,tier");
        assertThat(annotations.has("node.alpha.kubernetes.io/ttl")).isTrue();
        script.ok("m1", KUBECTL + " annotate node m2 epiphany.io/managed-labels-");
        assertThat(node("m1", "m2").path("metadata").path("annotations").has("epiphany.io/managed-labels")).isFalse();

        script.ok("m1", KUBECTL + " label node m2 zone=a --overwrite");
        assertThat(script.ok("m1", KUBECTL + " label node m2 zone-").out()).isEqualTo("node/m2 unlabeled\n");
        assertThat(script.ok("m1", KUBECTL + " label node m2 zone-").out())
                .isEqualTo("label \"zone\" not found.\nnode/m2 not labeled\n");
        assertThat(node("m1", "m2").path("metadata").path("labels").has("zone")).isFalse();
        script.ok("m1", KUBECTL + " taint node m2 dedicated=infra:NoSchedule --overwrite");
        assertThat(script.ok("m1", KUBECTL + " taint node m2 dedicated=infra:NoSchedule-").out())
                .isEqualTo("node/m2 untainted\n");
        assertThat(node("m1", "m2").path("spec").path("taints").toString()).doesNotContain("dedicated");
        assertThat(ssh.run("m1", KUBECTL + " taint node m2 dedicated:NoSchedule-").err())
                .contains("taint \"dedicated:NoSchedule\" not found");
    }
}
