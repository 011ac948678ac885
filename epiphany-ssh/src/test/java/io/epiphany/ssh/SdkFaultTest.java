package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.remote.RemoteException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.Test;

/** Issue 16: which failures of a connect or an exec are the SDK's own, passed on instead of "cannot connect". */
class SdkFaultTest {
    @Test
    void errorsAndBugsAreTheSdks() {
        assertThat(SdkFault.is(new NoSuchMethodError("x"))).isTrue();
        assertThat(SdkFault.is(new IllegalStateException("x"))).isTrue();
        assertThat(SdkFault.is(new NullPointerException())).isTrue();
    }

    @Test
    void transportFailuresAndCancellationAreNot() {
        assertThat(SdkFault.is(new IOException("Connection refused"))).isFalse();
        assertThat(SdkFault.is(new SshException("kex failed"))).isFalse();
        assertThat(SdkFault.is(new ConnectFailure("timed out", true, null))).isFalse();
        assertThat(SdkFault.is(new UncheckedIOException(new IOException("reset")))).isFalse();
        assertThat(SdkFault.is(new RemoteException("m1", "gone"))).isFalse();
        assertThat(SdkFault.is(new CancellationException())).isFalse();
    }

    @Test
    void minasOwnSessionStateExceptionsAreTheSessions() {
        IllegalStateException fromMina = new IllegalStateException("Session is not authenticated");
        fromMina.setStackTrace(new StackTraceElement[] {new StackTraceElement(
                "org.apache.sshd.client.session.ClientConnectionService", "getSession", null, 118)});
        assertThat(SdkFault.is(fromMina)).isFalse();
        IllegalStateException fromUs = new IllegalStateException("x");
        fromUs.setStackTrace(new StackTraceElement[] {new StackTraceElement("io.epiphany.ssh.FileTransfer", "read",
                null, 1)});
        assertThat(SdkFault.is(fromUs)).isTrue();
    }
}
