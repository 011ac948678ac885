package io.epiphany.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.ProgressEvent;
import io.epiphany.api.ProgressEvent.Type;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress view on a test clock: what a pipe gets, what a terminal gets, and NO_COLOR. */
class ProgressViewTest {
    private static final String JOIN = "Join nodes";
    private static final Cluster CLUSTER = Cluster.builder().name("t").masters(Machine.of("m1", "10.0.0.1"))
            .nodes(Machine.of("n1", "10.0.0.2"), Machine.of("n2", "10.0.0.3")).build();
    private static final Plan PLAN = Plan.of(CLUSTER, List.of(
            PlannedStep.of(JOIN, "n1", PlannedStep.Kind.JOIN, "kubeadm join", null),
            PlannedStep.of(JOIN, "n2", PlannedStep.Kind.JOIN, "kubeadm join", null),
            PlannedStep.of(JOIN, "cluster", PlannedStep.Kind.LABEL, "label the new Nodes", null)), List.of(), "digest",
            List.of());

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Test
    void onAPipeEveryEventIsALineWithCountsAndAQuietPhaseGetsAStatusLine() {
        ProgressView view = view(false, Map.of());

        view.onEvent(event(Type.PHASE_STARTED, null, null));
        view.onEvent(event(Type.STEP_STARTED, "n1", null));
        advance(2);
        view.onEvent(event(Type.STEP_STARTED, "n2", null));
        advance(3);
        view.tick();
        assertThat(printed()).as("quiet for 5 s of 10: nothing yet").isEqualTo("==> Join nodes\n");

        advance(6);
        view.tick();
        view.onEvent(event(Type.STEP_FINISHED, "n2", Duration.ofMillis(9000)));
        view.onEvent(event(Type.STEP_FAILED, "n1", Duration.ofMillis(11000)));
        view.onEvent(event(Type.PHASE_FINISHED, null, Duration.ofMillis(11000)));
        view.close();

        assertThat(printed()).isEqualTo(String.join("\n",
                "==> Join nodes",
                "    ... Join nodes: 0/2 hosts done, 11.0 s; slowest n1: kubeadm join (11.0 s)",
                "    ok    n2       kubeadm join (9000 ms)",
                "    FAIL  n1       kubeadm join (11000 ms): exit 1",
                "    Join nodes done (11000 ms), 1/2 hosts",
                ""));
    }

    @Test
    void hostsAreDoneWhenAllTheirPlannedStepsAreAndClusterWideStepsAreNoHost() {
        PhaseProgress progress = new PhaseProgress(Optional.of(PLAN), Set.of(), nanos::get);
        progress.accept(event(Type.PHASE_STARTED, null, null));
        progress.accept(event(Type.STEP_STARTED, "n1", null));
        advance(1);
        progress.accept(event(Type.STEP_STARTED, "cluster", null));
        progress.accept(event(Type.STEP_FINISHED, "n1", Duration.ofSeconds(1)));
        advance(1);

        PhaseProgress.Snapshot s = progress.snapshot();
        assertThat(s.hostsDone() + "/" + s.hostsTotal()).isEqualTo("1/2");
        assertThat(s.slowest()).contains(new PhaseProgress.Running("cluster", "kubeadm join", Duration.ofSeconds(1)));
        assertThat(s.elapsed()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void phasesThePlanDoesNotListCountTheDefaultHosts() {
        PhaseProgress progress = new PhaseProgress(Optional.empty(), Set.of("m1", "n1", "n2"), nanos::get);
        progress.accept(new ProgressEvent(Type.PHASE_STARTED, "Reset", null, null, null, null));
        progress.accept(new ProgressEvent(Type.STEP_STARTED, "Reset", "n1", "kubeadm reset -f", null, null));
        progress.accept(new ProgressEvent(Type.STEP_FINISHED, "Reset", "n1", "kubeadm reset -f", Duration.ZERO, null));

        assertThat(ProgressView.status(progress.snapshot())).isEqualTo("Reset: 1/3 hosts done, 0.0 s");
    }

    @Test
    void onATerminalABarIsRedrawnInPlaceUnderTheLinesInColour() {
        ProgressView view = view(true, Map.of("TERM", "xterm", "COLUMNS", "120"));

        view.onEvent(event(Type.PHASE_STARTED, null, null));
        view.onEvent(event(Type.STEP_STARTED, "n1", null));
        view.onEvent(event(Type.STEP_STARTED, "n2", null));
        advance(1);
        view.onEvent(event(Type.STEP_FINISHED, "n2", Duration.ofMillis(1000)));
        view.tick();
        String beforeEnd = printed();
        view.onEvent(event(Type.PHASE_FINISHED, null, Duration.ofMillis(1000)));
        view.close();

        String bar = "\r\u001b[2K[\u001b[36m##########\u001b[0m..........] Join nodes: 1/2 hosts done, 1.0 s; "
                + "slowest n1: kubeadm join (1.0 s)";
        assertThat(beforeEnd).contains("\u001b[1m==> Join nodes\u001b[0m\n", "    \u001b[32mok  \u001b[0m  n2 ")
                .endsWith(bar);
        assertThat(printed()).as("the bar is erased when the phase ends").endsWith("hosts\n")
                .contains("\r\u001b[2K    Join nodes done (1000 ms), 1/2 hosts\n");
    }

    @Test
    void noColorKeepsTheBarButDropsEveryColour() {
        ProgressView view = view(true, Map.of("NO_COLOR", "1"));

        view.onEvent(event(Type.PHASE_STARTED, null, null));
        view.onEvent(event(Type.STEP_STARTED, "n1", null));
        view.onEvent(event(Type.STEP_FINISHED, "n1", Duration.ofMillis(5)));
        view.tick();

        assertThat(printed()).contains("==> Join nodes\n", "    ok    n1 ", "\r\u001b[2K[##########..........] ")
                .doesNotContain("\u001b[0m", "\u001b[1m", "\u001b[3");
    }

    @Test
    void colourOnlyOnATerminalWithoutNoColorOrADumbTerm() {
        assertThat(Terminal.of(System.out, System.err, true, Map.of()).colour()).isTrue();
        assertThat(Terminal.of(System.out, System.err, true, Map.of("NO_COLOR", "")).colour())
                .as("no-color.org: set and not empty").isTrue();
        assertThat(Terminal.of(System.out, System.err, true, Map.of("NO_COLOR", "yes")).colour()).isFalse();
        assertThat(Terminal.of(System.out, System.err, true, Map.of("TERM", "dumb")).colour()).isFalse();
        assertThat(Terminal.of(System.out, System.err, false, Map.of()).colour()).isFalse();
    }

    @Test
    void theBarIsCutToTheTerminalWidthSoItNeverWraps() {
        ProgressView view = view(true, Map.of("COLUMNS", "40", "NO_COLOR", "1"));
        view.onEvent(event(Type.PHASE_STARTED, null, null));
        view.onEvent(event(Type.STEP_STARTED, "n1", null));

        String last = printed().substring(printed().lastIndexOf("\u001b[2K") + "\u001b[2K".length());
        assertThat(last).hasSize(39).startsWith("[....................] Join nodes");
    }

    private ProgressView view(boolean terminal, Map<String, String> env) {
        Terminal term = Terminal.of(new PrintStream(bytes, true, StandardCharsets.UTF_8), System.err, terminal, env);
        return new ProgressView(term, new PhaseProgress(Optional.of(PLAN), Set.of(), nanos::get), nanos::get,
                Duration.ofSeconds(10));
    }

    private static ProgressEvent event(Type type, String host, Duration took) {
        boolean step = host != null;
        return new ProgressEvent(type, JOIN, host, step ? "kubeadm join" : null, took,
                type == Type.STEP_FAILED ? "exit 1" : null);
    }

    private void advance(int seconds) {
        nanos.addAndGet(Duration.ofSeconds(seconds).toNanos());
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
