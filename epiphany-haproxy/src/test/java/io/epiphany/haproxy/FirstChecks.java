package io.epiphany.haproxy;

import java.util.List;

/**
 * Waits (bounded: 5 s) until a HAProxy has checked every server once: right after a start, reload or runtime-added
 * server, real HAProxy (and the simulation) shows "UP 1/3" with check status INI until then.
 */
final class FirstChecks {
    private FirstChecks() {
    }

    static List<HaproxyServerState> awaited(HaproxyService haproxy) {
        List<HaproxyServerState> servers = haproxy.servers();
        for (int i = 0; i < 100 && !servers.stream().allMatch(HaproxyServerState::checked); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            servers = haproxy.servers();
        }
        return servers;
    }
}
