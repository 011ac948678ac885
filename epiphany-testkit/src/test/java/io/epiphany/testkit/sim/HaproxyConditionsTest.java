package io.epiphany.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HaproxyConditionsTest {
    private static final String GUARDED = String.join("\n",
            "global",
            "    maxconn 10",
            "    .if version_atleast(2.6)",
            "    httpclient.ssl.verify none",
            "    .endif",
            "frontend f",
            "    bind 127.0.0.1:3446",
            "    default_backend b",
            "backend b",
            "    server m1 10.0.0.1:6443",
            "");

    @Test
    void aGuardedKeywordIsReadWhereTheVersionHasItAndSkippedWhereNot() {
        assertThat(HaproxyConfig.parse(GUARDED, "2.6.12").problems()).isEmpty();
        assertThat(HaproxyConfig.parse(GUARDED, "2.4.22").problems()).isEmpty();
        String unguarded = GUARDED.replace("    .if version_atleast(2.6)\n", "").replace("    .endif\n", "");
        assertThat(HaproxyConfig.parse(unguarded, "2.6.12").problems()).isEmpty();
        assertThat(HaproxyConfig.parse(unguarded, "2.4.22").problems())
                .containsExactly("parsing [haproxy.cfg:3] : unknown keyword 'httpclient.ssl.verify' in 'global' "
                        + "section");
    }

    @Test
    void elifAndElseTakeTheFirstTrueBranchOnly() {
        String cfg = GUARDED.replace("    .if version_atleast(2.6)\n    httpclient.ssl.verify none\n    .endif\n",
                String.join("\n", ".if version_before(2.5)", "    bogus-old", ".elif !version_before(2.6)",
                        "    httpclient.ssl.verify none", ".else", "    bogus-else", ".endif", ""));
        assertThat(HaproxyConfig.parse(cfg, "2.6.12").problems()).isEmpty();
        assertThat(HaproxyConfig.parse(cfg, "2.4.22").problems())
                .containsExactly("parsing [haproxy.cfg:4] : unknown keyword 'bogus-old' in 'global' section");
        assertThat(HaproxyConfig.parse(cfg, "2.5").problems())
                .containsExactly("parsing [haproxy.cfg:8] : unknown keyword 'bogus-else' in 'global' section");
    }

    @Test
    void whatHaproxyRefusesTheSimulationRefuses() {
        assertThat(HaproxyConfig.parse(GUARDED.replace("    .endif\n", ""), "2.6.12").problems())
                .contains("parsing [haproxy.cfg:9]: non-terminated '.if' block.");
        assertThat(HaproxyConfig.parse(GUARDED.replace("version_atleast(2.6)", "nosuch(1)"), "2.6.12").problems())
                .containsExactly("parsing [haproxy.cfg:3]: unparsable conditional expression 'nosuch(1)' in '.if' at "
                        + "position 1");
        assertThat(HaproxyConfig.parse(GUARDED.replace("    .if version_atleast(2.6)\n", ""), "2.6.12").problems())
                .containsExactly("parsing [haproxy.cfg:4]: lone '.endif' with no matching '.if'.");
        assertThat(HaproxyConfig.parse(GUARDED.replace("none", "maybe"), "2.6.12").problems())
                .containsExactly("parsing [haproxy.cfg:4] : 'httpclient.ssl.verify' expects 'none' or 'required' as "
                        + "argument.");
    }
}
