package io.epiphany.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HaproxyServerStateTest {
    /** Columns found by name; summary rows skipped; HAProxy's unset 64-bit value (2^64 - 1) read as unknown. */
    @Test
    void parsesShowStatByHeaderNames() {
        String csv = """
                # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,addr,
                kube-apiserver,FRONTEND,,,1,3,4000,40,,,,,,,,,,OPEN,,,,,,,,,1,2,0,,,,0,1,0,3,,,,,,
                kube-apiserver,m1,0,0,1,2,,20,1,2,,0,,0,0,0,0,UP,1,1,0,0,0,60,0,,1,3,1,,20,,2,0,,2,L7OK,200,3,,10.0.0.1:6443,
                kube-apiserver,m2,0,0,0,1,,20,1,2,,0,,7,0,3,3,DOWN,1,1,0,2,1,4,4,,1,3,2,,20,,2,0,,2,* L4TOUT,,18446744073709551615,,10.0.0.2:6443,
                kube-apiserver,BACKEND,0,0,1,3,400,40,,,,,,,,,,UP,1,1,0,,0,60,0,,1,3,0,,40,,1,0,,3,,,,,,
                """;
        List<HaproxyServerState> servers = HaproxyServerState.parseShowStat(csv);
        assertThat(servers).containsExactly(
                new HaproxyServerState("kube-apiserver", "m1", "10.0.0.1:6443", "UP", "L7OK", OptionalLong.of(3), 1, 1),
                new HaproxyServerState("kube-apiserver", "m2", "10.0.0.2:6443", "DOWN", "L4TOUT", OptionalLong.empty(),
                        0, 1));
        assertThat(servers.get(0).takesTraffic()).isTrue();
        assertThat(servers.get(1).down()).isTrue();
    }

    /** As 2.6.12 printed a server added through the runtime API before its first check (and "* INI" during it). */
    @Test
    void aServerNotCheckedYetIsUpButNotChecked() {
        String csv = """
                # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,addr,
                kube-apiserver,m5,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP 1/3,1,1,0,0,0,2,0,,1,3,5,,0,,2,0,,0,INI,,,,10.0.0.5:6443,
                kube-apiserver,m6,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP 1/3,1,1,0,0,0,2,0,,1,3,6,,0,,2,0,,0,* INI,,,,10.0.0.6:6443,
                kube-apiserver,m1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,2,0,,1,3,1,,0,,2,0,,0,L7OK,200,3,,10.0.0.1:6443,
                """;
        List<HaproxyServerState> servers = HaproxyServerState.parseShowStat(csv);
        assertThat(servers).extracting(HaproxyServerState::takesTraffic).containsExactly(true, true, true);
        assertThat(servers).extracting(HaproxyServerState::checked).containsExactly(false, false, true);
    }
}
