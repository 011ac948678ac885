package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KubeconfigServerTest {
    @Test
    void serverIsTheUrlWhetherOrNotTheYamlQuotesIt() {
        assertThat(new Kubeconfig("clusters:\n- cluster:\n    server: https://localhost:3446\n").server())
                .isEqualTo("https://localhost:3446");
        assertThat(new Kubeconfig("clusters:\n- cluster:\n    server: \"https://localhost:3446\"\n").server())
                .isEqualTo("https://localhost:3446");
        assertThat(new Kubeconfig("clusters:\n- cluster:\n    server: 'https://localhost:3446'\n")
                .withServer("https://10.0.0.1:6443").server()).isEqualTo("https://10.0.0.1:6443");
    }
}
