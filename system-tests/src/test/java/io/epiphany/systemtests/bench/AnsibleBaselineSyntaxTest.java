package io.epiphany.systemtests.bench;

import io.epiphany.systemtests.fleet.FleetHost;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playbook, ansible.cfg and inventory {@link AnsibleBaseline} writes pass {@code ansible-playbook --syntax-check}
 * (no host is contacted). With the benchmark only ({@code -Depiphany.bench=true}): it needs {@code ansible-playbook}
 * on the PATH, which only the benchmark installs.
 */
@EnabledIfSystemProperty(named = "epiphany.bench", matches = "true")
class AnsibleBaselineSyntaxTest {
    @Test
    void playbookAndInventoryPassTheSyntaxCheck(@TempDir Path dir) throws Exception {
        AnsibleBaseline ansible = new AnsibleBaseline(dir.resolve("id_ecdsa"), dir.resolve("known_hosts"),
                dir.resolve("ansible"));
        ansible.syntaxCheck(List.of(new FleetHost("host-1", "192.0.2.1"), new FleetHost("host-2", "192.0.2.2")));
    }
}
