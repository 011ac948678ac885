package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.Machine;
import io.epiphany.testkit.sim.kube.ControlPlane;
import io.epiphany.testkit.sim.kube.Pki;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The SIMULATED kubeadm/kubectl/etcdctl behave as kubeadm documents, seen through SSH like the SDK sees them. */
@Execution(ExecutionMode.CONCURRENT)
class KubeadmSimulationTest {
    private static final List<String> MASTER_IPS = List.of("10.0.0.11", "10.0.0.12", "10.0.0.13");
    private static final String KUBECTL = "kubectl --kubeconfig /etc/kubernetes/admin.conf";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimulatedFleet fleet;
    private TestSsh ssh;
    private ClusterScript script;

    @BeforeEach
    void start() {
        fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11"), Machine.of("m2", "10.0.0.12"),
                Machine.of("m3", "10.0.0.13"), Machine.of("w1", "10.0.0.21")));
        ssh = new TestSsh(fleet);
        script = new ClusterScript(fleet, ssh);
    }

    @AfterEach
    void stop() {
        ssh.close();
        fleet.close();
    }

    private void firstMaster() throws Exception {
        script.loadBalancer("m1", MASTER_IPS);
        script.init("m1", "10.0.0.11");
    }

    private void secondMaster() throws Exception {
        script.loadBalancer("m2", MASTER_IPS);
        script.copyShared("m1", "m2");
        TestSsh.Result r = script.join("m2", "10.0.0.12", ClusterScript.TOKEN, script.caHash("m1"), true);
        assertThat(r.exit()).as(r.err()).isZero();
    }

    @Test
    void initCreatesRealPkiKubeconfigsEtcdMemberAndReadyNode() throws Exception {
        firstMaster();
        X509Certificate ca = Pki.readCertificate(script.ok("m1", "cat /etc/kubernetes/pki/ca.crt").out());
        X509Certificate api = Pki.readCertificate(script.ok("m1", "cat /etc/kubernetes/pki/apiserver.crt").out());
        api.verify(ca.getPublicKey());
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        List<String> sans = new ArrayList<>();
        api.getSubjectAlternativeNames().forEach(san -> sans.add(String.valueOf(san.get(1))));
        assertThat(sans).contains("localhost", "10.0.0.11", "m1", "kubernetes.default.svc");
        for (String f : List.of("front-proxy-ca.crt", "etcd/ca.crt", "sa.key", "sa.pub",
                "etcd/healthcheck-client.crt", "etcd/healthcheck-client.key")) {
            script.ok("m1", "sha256sum /etc/kubernetes/pki/" + f);
        }
        assertThat(script.ok("m1", "cat /etc/kubernetes/admin.conf").out()).contains("server: \"https://localhost:3446\"");
        script.ok("m1", "cat /etc/kubernetes/super-admin.conf");
        script.ok("m1", "cat /etc/kubernetes/manifests/etcd.yaml");

        JsonNode members = JSON.readTree(script.ok("m1", script.etcdctl("m1", "member list -w json --hex")).out());
        assertThat(members.path("header").path("cluster_id").asText()).matches("[1-9a-f][0-9a-f]{0,15}");
        assertThat(members.path("members")).hasSize(1);
        JsonNode m = members.path("members").get(0);
        assertThat(m.path("ID").asText()).matches("[1-9a-f][0-9a-f]{0,15}");
        assertThat(m.path("name").asText()).isEqualTo("m1");
        assertThat(m.path("peerURLs").get(0).asText()).isEqualTo("https://10.0.0.11:2380");
        assertThat(m.path("clientURLs").get(0).asText()).isEqualTo("https://10.0.0.11:2379");

        assertThat(fleet.node("m1").ready()).isEqualTo("False"); // no CNI yet: the kubelet's network is not ready
        script.cni("m1");
        JsonNode nodes = JSON.readTree(script.ok("m1", KUBECTL + " get nodes -o json").out());
        assertThat(nodes.path("kind").asText()).isEqualTo("List");
        JsonNode node = nodes.path("items").get(0);
        assertThat(node.path("metadata").path("name").asText()).isEqualTo("m1");
        assertThat(node.path("metadata").path("labels").has("node-role.kubernetes.io/control-plane")).isTrue();
        assertThat(node.path("spec").path("taints").get(0).path("key").asText())
                .isEqualTo("node-role.kubernetes.io/control-plane");
        assertThat(node.path("status").path("conditions").get(0).path("type").asText()).isEqualTo("Ready");
        assertThat(node.path("status").path("conditions").get(0).path("status").asText()).isEqualTo("True");
        assertThat(node.path("status").path("nodeInfo").path("kubeletVersion").asText()).isEqualTo("v1.37.0");
        assertThat(script.ok("m1", "curl -sk --max-time 5 https://localhost:3446/readyz").out()).isEqualTo("ok");
    }

    @Test
    void initTwiceFailsWithKubeadmsPreflightErrors() throws Exception {
        firstMaster();
        TestSsh.Result r = ssh.run("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error execution phase preflight: [preflight] Some fatal errors occurred:",
                "[ERROR Port-6443]: Port 6443 is in use",
                "[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: "
                        + "/etc/kubernetes/manifests/kube-apiserver.yaml already exists",
                "[ERROR DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty");
    }

    @Test
    void aSnapshotRestoredWithEtcdutlInTheEtcdImageIsServedByInitIgnoringOnlyDirAvailable() throws Exception {
        firstMaster();
        script.ok("m1", script.etcdctl("m1", "put /registry/example/answer 42"));
        script.ok("m1", script.etcdctl("m1", "snapshot save /var/lib/etcd/snap.db"));
        // a snapshot is binary (etcd appends a raw SHA-256): moved on the host, not through text
        script.ok("m1", "mkdir -p /var/lib/epiphany-restore && cp -p /var/lib/etcd/snap.db "
                + "/var/lib/epiphany-restore/snapshot.db");
        script.ok("m1", "kubeadm reset -f");
        script.ok("m1", "mkdir -p /var/lib/epiphany-restore /var/lib/etcd");
        ssh.put("m1", "/var/lib/etcd/leftover", "x");
        String restore = "ctr -n k8s.io run --rm --mount type=bind,src=/var/lib/epiphany-restore,"
                + "dst=/restore,options=rbind:ro --mount type=bind,src=/var/lib/etcd,dst=/var/lib/etcd,"
                + "options=rbind:rw registry.k8s.io/etcd:3.5.21-0 r1 etcdutl snapshot restore /restore/snapshot.db "
                + "--name m1 --initial-cluster m1=https://10.0.0.11:2380 "
                + "--initial-advertise-peer-urls https://10.0.0.11:2380 --data-dir /var/lib/etcd";

        assertThat(ssh.run("m1", restore.replace("-n k8s.io ", "")).err())
                .contains("ctr: image \"registry.k8s.io/etcd:3.5.21-0\": not found");
        assertThat(ssh.run("m1", restore).err())
                .contains("Error: data-dir \"/var/lib/etcd\" not empty or could not be read");
        script.ok("m1", "rm -f /var/lib/etcd/leftover");
        assertThat(ssh.run("m1", restore.replace("m1=https", "m9=https")).err())
                .contains("couldn't find local name \"m1\" in the initial cluster configuration");
        script.ok("m1", restore);

        TestSsh.Result refused = ssh.run("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("[ERROR DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty");
        TestSsh.Result init = script.ok("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml "
                + "--ignore-preflight-errors=DirAvailable--var-lib-etcd");
        assertThat(init.out()).contains("[WARNING DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty");
        assertThat(script.ok("m1", script.etcdctl("m1", "get /registry/example/answer")).out())
                .isEqualTo("/registry/example/answer\n42\n");
        JsonNode members = JSON.readTree(script.ok("m1", script.etcdctl("m1", "member list -w json --hex")).out());
        assertThat(members.path("members")).hasSize(1);
        assertThat(members.path("members").get(0).path("peerURLs").get(0).asText()).isEqualTo("https://10.0.0.11:2380");
    }

    @Test
    void initPreflightNeedsIpForward() throws Exception {
        script.loadBalancer("m1", MASTER_IPS);
        script.ok("m1", "mkdir -p /etc/kubernetes/epiphany");
        ssh.put("m1", "/etc/kubernetes/epiphany/kubeadm-init.yaml", ClusterScript.initConfig("m1", "10.0.0.11",
                "  - name: profiling\n    value: \"false\"\n"));
        assertThat(script.ok("m1", "sysctl -n net.ipv4.ip_forward").out()).isEqualTo("0\n");
        TestSsh.Result r = ssh.run("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: "
                + "/proc/sys/net/ipv4/ip_forward contents are not set to 1");
        assertThat(script.ok("m1", "test -e /etc/kubernetes/admin.conf || date +%s").out()).matches("\\d+\n");
    }

    @Test
    void initFailsWhenItsOwnLoadBalancerDoesNotRouteToIt() throws Exception {
        script.sysctl("m1");
        script.ok("m1", "mkdir -p /etc/kubernetes/epiphany /etc/kubernetes/enc");
        ssh.put("m1", "/etc/kubernetes/enc/encryption-config.yaml", "kind: EncryptionConfiguration\n");
        ssh.put("m1", "/etc/kubernetes/epiphany/kubeadm-init.yaml", ClusterScript.initConfig("m1", "10.0.0.11",
                "  - name: encryption-provider-config\n    value: /etc/kubernetes/enc/encryption-config.yaml\n"));
        TestSsh.Result r = ssh.run("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error execution phase upload-config/kubeadm: could not upload the "
                + "kubeadm-config ConfigMap: Get \"https://localhost:3446/api/v1/namespaces/kube-system/configmaps/"
                + "kubeadm-config?timeout=10s\": dial tcp 127.0.0.1:3446: connect: connection refused");
    }

    @Test
    void controlPlaneJoinWithoutSharedCertificatesFailsWithKubeadmsMessage() throws Exception {
        firstMaster();
        script.loadBalancer("m2", MASTER_IPS);
        TestSsh.Result r = script.join("m2", "10.0.0.12", ClusterScript.TOKEN, script.caHash("m1"), true);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("One or more conditions for hosting a new control plane instance is not "
                + "satisfied.", "failure loading certificate for CA: couldn't load the certificate file "
                + "/etc/kubernetes/pki/ca.crt: open /etc/kubernetes/pki/ca.crt: no such file or directory",
                "failure loading key for service account: couldn't load the private key file "
                + "/etc/kubernetes/pki/sa.key", "* The certificates that must be shared among control plane "
                + "instances are provided.");
        assertThat(fleet.etcdHistory()).hasSize(1);
    }

    @Test
    void joinWithUnknownOrExpiredTokenFailsDiscovery() throws Exception {
        firstMaster();
        script.loadBalancer("w1", MASTER_IPS);
        TestSsh.Result unknown = script.join("w1", "10.0.0.21", "zzzzzz.0123456789abcdef", script.caHash("m1"), false);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("couldn't validate the identity of the API Server: could not find a JWS "
                + "signature in the cluster-info ConfigMap for token ID \"zzzzzz\"");
        fleet.advanceClock(Duration.ofHours(3)); // the init token's ttl is 2h
        TestSsh.Result expired = script.join("w1", "10.0.0.21", ClusterScript.TOKEN, script.caHash("m1"), false);
        assertThat(expired.exit()).isEqualTo(1);
        assertThat(expired.err()).contains("for token ID \"abcdef\"");
        script.ok("m1", "kubeadm token create bcdefg.0123456789abcdef --ttl 1h0m0s");
        TestSsh.Result fresh = script.join("w1", "10.0.0.21", "bcdefg.0123456789abcdef", script.caHash("m1"), false);
        assertThat(fresh.exit()).as(fresh.err()).isZero();
    }

    @Test
    void joinWithWrongCaHashFails() throws Exception {
        firstMaster();
        script.loadBalancer("w1", MASTER_IPS);
        String wrong = "sha256:" + "0".repeat(64);
        TestSsh.Result r = script.join("w1", "10.0.0.21", ClusterScript.TOKEN, wrong, false);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cluster CA found in cluster-info ConfigMap is invalid: none of the public keys \""
                + script.caHash("m1") + "\" are pinned");
    }

    @Test
    void joinNeedsTheJoiningHostsOwnLoadBalancer() throws Exception {
        firstMaster();
        TestSsh.Result r = script.join("w1", "10.0.0.21", ClusterScript.TOKEN, script.caHash("m1"), false);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("couldn't validate the identity of the API Server: Get \"https://localhost:3446/"
                + "api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s\": dial tcp 127.0.0.1:3446: "
                + "connect: connection refused");
    }

    @Test
    void controlPlaneJoinAddsLearnerThenPromotesAndGeneratesOwnCertificates() throws Exception {
        firstMaster();
        secondMaster();
        assertThat(fleet.etcdHistory()).containsExactly("member add m1 (initial cluster)",
                "member add --learner m2", "member promote m2");
        JsonNode members = JSON.readTree(script.ok("m2", script.etcdctl("m2", "member list -w json --hex")).out()).path("members");
        assertThat(members).hasSize(2);
        assertThat(members.get(1).path("isLearner").asBoolean(false)).isFalse();
        X509Certificate api = Pki.readCertificate(script.ok("m2", "cat /etc/kubernetes/pki/apiserver.crt").out());
        List<String> sans = new ArrayList<>();
        api.getSubjectAlternativeNames().forEach(san -> sans.add(String.valueOf(san.get(1))));
        assertThat(sans).contains("10.0.0.12", "localhost").doesNotContain("10.0.0.11");
        assertThat(ssh.run("m2", "cat /etc/kubernetes/super-admin.conf").exit()).isEqualTo(1);
        assertThat(JSON.readTree(script.ok("m2", KUBECTL + " get nodes -o json").out()).path("items")).hasSize(2);
    }

    @Test
    void controlPlaneJoinWithoutTheEncryptionConfigNeverGetsAHealthyApiserver() throws Exception {
        firstMaster();
        script.loadBalancer("m2", MASTER_IPS);
        script.copyShared("m1", "m2");
        script.ok("m2", "rm -f /etc/kubernetes/enc/encryption-config.yaml");
        TestSsh.Result r = script.join("m2", "10.0.0.12", ClusterScript.TOKEN, script.caHash("m1"), true);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error execution phase wait-control-plane",
                "kube-apiserver check failed at https://10.0.0.12:6443/livez");
    }

    @Test
    void workerJoinAddsANodeAndKubeletConf() throws Exception {
        firstMaster();
        script.loadBalancer("w1", MASTER_IPS);
        TestSsh.Result r = script.join("w1", "10.0.0.21", ClusterScript.TOKEN, script.caHash("m1"), false);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("This node has joined the cluster");
        assertThat(script.ok("w1", "cat /etc/kubernetes/kubelet.conf").out()).contains("https://localhost:3446");
        assertThat(script.ok("w1", "systemctl is-active kubelet").out().strip()).isEqualTo("active");
        JsonNode items = JSON.readTree(script.ok("m1", KUBECTL + " get nodes -o json").out()).path("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(1).path("metadata").path("labels").has("node-role.kubernetes.io/control-plane"))
                .isFalse();
        TestSsh.Result again = script.join("w1", "10.0.0.21", ClusterScript.TOKEN, script.caHash("m1"), false);
        assertThat(again.err()).contains("[ERROR FileAvailable--etc-kubernetes-kubelet.conf]");
    }

    @Test
    void resetRemovesTheEtcdMemberButSkipsItSilentlyWhenTheNodeWasDeletedFirst() throws Exception {
        firstMaster();
        secondMaster();
        script.loadBalancer("m3", MASTER_IPS);
        script.copyShared("m1", "m3");
        assertThat(script.join("m3", "10.0.0.13", ClusterScript.TOKEN, script.caHash("m1"), true).exit()).isZero();

        // wrong order: Node deleted first, then reset: exit 0 without a removal warning, member left behind
        script.ok("m1", KUBECTL + " delete node m3");
        TestSsh.Result reset = script.ok("m3", "kubeadm reset -f");
        assertThat(reset.err()).contains("failed to get corresponding node: nodes \"m3\" not found");
        assertThat(reset.err()).doesNotContain("Failed to remove etcd member");
        JsonNode members = JSON.readTree(script.ok("m1", script.etcdctl("m1", "member list -w json --hex")).out()).path("members");
        assertThat(members).hasSize(3);
        assertThat(members.get(2).path("peerURLs").get(0).asText()).isEqualTo("https://10.0.0.13:2380");
        JsonNode health = JSON.readTree(ssh.run("m1", script.etcdctl("m1", "endpoint health --cluster -w json")).out());
        assertThat(health.get(2).path("health").asBoolean()).isFalse();
        script.ok("m1", script.etcdctl("m1", "member remove ") + members.get(2).path("ID").asText());

        // right order: drain, reset while the Node exists, then delete the Node
        script.ok("m1", KUBECTL + " drain m2 --ignore-daemonsets --delete-emptydir-data --grace-period=30 --timeout=120s");
        script.ok("m2", "kubeadm reset -f");
        assertThat(fleet.etcdHistory()).contains("member remove m2 (kubeadm reset)");
        assertThat(ssh.run("m2", "sha256sum /etc/kubernetes/pki/ca.crt").err()).contains("No such file");
        script.ok("m1", KUBECTL + " delete node m2");
        assertThat(JSON.readTree(script.ok("m1", script.etcdctl("m1", "member list -w json --hex")).out()).path("members"))
                .hasSize(1);
    }

    @Test
    void quorumLossMakesApiOperationsFailAndReadyzReportEtcd() throws Exception {
        firstMaster();
        secondMaster();
        script.loadBalancer("m3", MASTER_IPS);
        script.copyShared("m1", "m3");
        assertThat(script.join("m3", "10.0.0.13", ClusterScript.TOKEN, script.caHash("m1"), true).exit()).isZero();
        fleet.host("m3").powerOff();
        script.ok("m1", KUBECTL + " label node m1 tier=infra --overwrite");
        JsonNode health = JSON.readTree(ssh.run("m1", script.etcdctl("m1", "endpoint health --cluster -w json")).out());
        assertThat(health).hasSize(3);
        assertThat(health.get(2).path("health").asBoolean()).isFalse();
        fleet.host("m2").powerOff();
        TestSsh.Result r = ssh.run("m1", KUBECTL + " label node m1 tier=db --overwrite");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Error from server: etcdserver: request timed out");
        assertThat(script.ok("m1", "curl -sk https://localhost:3446/readyz").out()).contains("[-]etcd failed");
        fleet.host("m2").powerOn();
        script.ok("m1", KUBECTL + " label node m1 tier=db --overwrite");
        JsonNode nodes = JSON.readTree(script.ok("m1", KUBECTL + " get nodes -o json").out()).path("items");
        assertThat(nodes.get(2).path("status").path("conditions").get(0).path("status").asText()).isEqualTo("Unknown");
    }

    @Test
    void etcdctlMemberRemoveAndMoveLeader() throws Exception {
        firstMaster();
        secondMaster();
        JsonNode status = JSON.readTree(script.ok("m1", script.etcdctl("m1", "endpoint status --cluster -w json --hex")).out());
        String leader = status.get(0).path("Status").path("leader").asText();
        JsonNode members = JSON.readTree(script.ok("m1", script.etcdctl("m1", "member list -w json --hex")).out()).path("members");
        String m2 = members.get(1).path("ID").asText();
        assertThat(leader).isEqualTo(members.get(0).path("ID").asText());
        assertThat(script.ok("m1", script.etcdctl("m1", "move-leader ") + m2).out()).contains("Leadership transferred from "
                + leader + " to " + m2);
        assertThat(ssh.run("m1", script.etcdctl("m1", "member remove ffffffffffffffff")).err())
                .contains("Error: etcdserver: member not found");
        assertThat(script.ok("m1", script.etcdctl("m1", "member remove ") + m2).out())
                .contains("Member " + String.format("%16s", m2) + " removed");
        script.ok("m1", script.etcdctl("m1", "put /sim/key value"));
        assertThat(script.ok("m1", script.etcdctl("m1", "get /sim/key")).out()).isEqualTo("/sim/key\nvalue\n");
    }

    @Test
    void etcdctlRunsOnlyInsideTheEtcdContainerWhoseIdChangesWhenEtcdRestarts() throws Exception {
        firstMaster();
        String id = script.etcdContainer("m1");
        assertThat(script.etcdContainer("m1")).as("stable while etcd runs").isEqualTo(id);
        String exec = ClusterScript.CRICTL + " exec " + id + " ";
        // the etcd container mounts only the etcd PKI directory and the data directory (kubeadm's hostPath volumes)
        TestSsh.Result outside = ssh.run("m1", exec + "etcdctl --endpoints https://127.0.0.1:2379 --cacert "
                + "/etc/kubernetes/pki/ca.crt member list");
        assertThat(outside.err()).contains("Error: open /etc/kubernetes/pki/ca.crt: no such file or directory");
        assertThat(ssh.run("m1", exec + "sh -c true").err()).contains("exec: \"sh\": executable file not found");
        assertThat(script.ok("m1", "cat /etc/kubernetes/manifests/etcd.yaml").out())
                .contains("mountPath: \"/etc/kubernetes/pki/etcd\"", "registry.k8s.io/etcd:3.5.21-0");

        fleet.host("m1").powerOff();
        fleet.host("m1").powerOn();
        String restarted = script.etcdContainer("m1");
        assertThat(restarted).isNotEqualTo(id);
        TestSsh.Result stale = ssh.run("m1", exec + "etcdctl " + ClusterScript.ETCDCTL_FLAGS + " member list");
        assertThat(stale.exit()).isEqualTo(1);
        assertThat(stale.err()).contains("code = NotFound desc = could not find container \"" + id + "\"");
        script.ok("m1", script.etcdctl("m1", "member list -w json"));
        assertThat(script.ok("w1", ClusterScript.CRICTL + " ps --name etcd --state running -q").out()).isEmpty();
    }

    @Test
    void kubectlLabelsTaintsCordons() throws Exception {
        firstMaster();
        assertThat(script.ok("m1", KUBECTL + " label node m1 zone=a --overwrite").out()).contains("node/m1 labeled");
        assertThat(ssh.run("m1", KUBECTL + " label node m1 zone=b").err()).contains("already has a value (a)");
        script.ok("m1", KUBECTL + " taint node m1 dedicated=infra:NoSchedule --overwrite");
        script.ok("m1", KUBECTL + " taint node m1 node-role.kubernetes.io/control-plane:NoSchedule-");
        script.ok("m1", KUBECTL + " cordon m1");
        JsonNode spec = JSON.readTree(script.ok("m1", KUBECTL + " get nodes -o json").out()).path("items").get(0)
                .path("spec");
        assertThat(spec.path("unschedulable").asBoolean()).isTrue();
        assertThat(spec.path("taints").toString()).contains("dedicated").doesNotContain("control-plane");
        assertThat(ssh.run("m1", KUBECTL + " label node nope a=b").err()).contains("nodes \"nope\" not found");
        assertThat(script.ok("m1", "kubeadm version -o short").out().strip()).isEqualTo("v1.37.0");
        assertThat(ControlPlane.SHARED_FILES).hasSize(8);
    }
}
