package io.epiphany.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link HaproxyCheck} runs the real {@code haproxy -c}: it accepts a valid config and names the faulty line. */
class HaproxyCheckTest {
    private static final String VALID = """
            global
              maxconn 512
            defaults
              mode tcp
              timeout connect 5s
              timeout client 30s
              timeout server 30s
              timeout tunnel 1h
              retries 3
              option redispatch
            frontend apiserver
              bind 127.0.0.1:3446
              default_backend masters
            backend masters
              option httpchk GET /readyz
              http-check expect status 200
              default-server check check-ssl verify none inter 2s fall 3 rise 2
              server master1 10.201.0.2:6443
            """;

    @BeforeEach
    void prerequisites() {
        SystemAssumptions.assumeHaproxy();
    }

    @Test
    void acceptsAValidConfig() {
        HaproxyCheck.Report report = HaproxyCheck.check(VALID);
        assertThat(report.valid()).as(report.output()).isTrue();
        assertThat(report.errors()).isEmpty();
    }

    @Test
    void rejectsAnUnknownKeywordNamingTheLine() {
        HaproxyCheck.Report report = HaproxyCheck.check(VALID + "  balnce roundrobin\n");
        assertThat(report.valid()).isFalse();
        assertThat(report.errors()).anyMatch(e -> e.contains(".cfg:19]") && e.contains("balnce"));
    }

    @Test
    void rejectsAServerWithoutAddress() {
        HaproxyCheck.Report report = HaproxyCheck.check(VALID.replace("10.201.0.2:6443", ""));
        assertThat(report.valid()).isFalse();
        assertThat(report.errors()).isNotEmpty();
    }
}
