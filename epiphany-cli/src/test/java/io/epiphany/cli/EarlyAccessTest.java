package io.epiphany.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue 16: which command lines make the SSH runtime early, and that the command gets it (or its failure) as before. */
class EarlyAccessTest {
    private final AtomicInteger made = new AtomicInteger();

    @Test
    void aCommandThatConnectsStartsItAndTakesTheSameRuntime() {
        EarlyAccess early = new EarlyAccess(() -> new Made(made.incrementAndGet()));
        assertThat(early.startFor(List.of("plan", "-f", "c.yml"))).isTrue();
        assertThat(((Made) early.take()).n()).isEqualTo(1);
        assertThat(((Made) early.take()).n()).as("a second command makes its own").isEqualTo(2);
        assertThat(new EarlyAccess(Made::new).startFor(List.of("lb", "status", "-f", "c.yml"))).isTrue();
    }

    @Test
    void nothingStartsForACommandLineThatConnectsToNothing() {
        EarlyAccess early = new EarlyAccess(() -> new Made(made.incrementAndGet()));
        for (List<String> args : List.of(List.<String>of(), List.of("render", "-f", "c.yml", "-o", "out"),
                List.of("completion"), List.of("help", "plan"), List.of("plan", "--help"), List.of("apply", "-h"),
                List.of("--version"), List.of("apply", "-f", "c.yml", "--simulated"), List.of("lb"),
                List.of("encryption", "--help"), List.of("--verbose", "plan"))) {
            assertThat(early.startFor(args)).as("%s", args).isFalse();
        }
        assertThat(made).hasValue(0);
    }

    @Test
    void aFailureToMakeItIsThrownAsItIsWhenTaken() {
        IllegalStateException none = new IllegalStateException("no RemoteAccess implementation on the class path");
        EarlyAccess early = new EarlyAccess(() -> {
            throw none;
        });
        assertThat(early.startFor(List.of("apply", "-f", "c.yml"))).isTrue();
        assertThatThrownBy(early::take).isSameAs(none);
        NoClassDefFoundError broken = new NoClassDefFoundError("org/apache/sshd/client/SshClient");
        EarlyAccess linkage = new EarlyAccess(() -> {
            throw broken;
        });
        linkage.startFor(List.of("apply", "-f", "c.yml"));
        assertThatThrownBy(linkage::take).isSameAs(broken);
    }

    private record Made(int n) implements RemoteAccess {
        Made() {
            this(0);
        }

        @Override
        public RemoteHost host(Machine machine, SshSettings settings) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
