package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CNI, host preparation and image repository settings: defaults, validation, and the YAML round trip. */
class HostSetupSettingsTest {
    private static Cluster.Builder base() {
        return Cluster.builder().masters(Machine.of("m1", "10.0.0.11"));
    }

    @Test
    void defaultsAreCalicoPinnedAndPreparationOn() {
        Cluster c = base().build();
        assertThat(c.cni().kind()).isEqualTo(Cni.Kind.CALICO);
        assertThat(c.cni().url()).get().asString().contains("/v3.32.1/");
        assertThat(c.cni().sha256()).get().asString().hasSize(64);
        assertThat(c.hostPreparation().enabled()).isTrue();
        assertThat(c.imageRepository()).isEmpty();
        assertThat(base().hostPreparation(false).build().hostPreparation().enabled()).isFalse();
    }

    @Test
    void everySettingSurvivesTheYamlRoundTrip() {
        for (Cni cni : new Cni[] {Cni.calico(), Cni.none(), Cni.manifest(Path.of("/srv/cni.yaml")),
                Cni.flannel().from("file:///srv/mirror/kube-flannel.yml", "0".repeat(64))}) {
            Cluster c = base().cni(cni).imageRepository("mirror.example:5000/k8s")
                    .hostPreparation(HostPreparation.fromMirrors("https://m.example/k8s", "https://m.example/docker"))
                    .build();
            Cluster again = Cluster.fromYaml(c.toYaml());
            assertThat(again).isEqualTo(c);
        }
        assertThat(Cluster.fromYaml(base().build().toYaml().replaceAll("(?s)  cni:.*?(\n  [a-z])", "  cni:\n    name: flannel$1"))
                .cni()).isEqualTo(Cni.flannel());
    }

    @Test
    void badValuesAreRefusedWithTheFieldNamed() {
        assertThatThrownBy(() -> Cni.calico().from("http://insecure.example/calico.yaml", "0".repeat(64)))
                .hasMessageContaining("cni.url");
        assertThatThrownBy(() -> Cni.calico().from("https://x.example/c.yaml'; rm -rf /", "0".repeat(64)))
                .hasMessageContaining("cni.url");
        assertThatThrownBy(() -> Cni.calico().from("https://x.example/c.yaml", "abc")).hasMessageContaining("cni.sha256");
        assertThatThrownBy(() -> Cni.none().from("https://x.example/c.yaml", "0".repeat(64)))
                .hasMessageContaining("calico() and flannel()");
        assertThatThrownBy(() -> HostPreparation.fromMirrors("ftp://m.example", "https://m.example"))
                .hasMessageContaining("hostPreparation.kubernetesRepository");
        assertThatThrownBy(() -> base().imageRepository("https://Registry.example/").build())
                .hasMessageContaining("imageRepository");
    }
}
