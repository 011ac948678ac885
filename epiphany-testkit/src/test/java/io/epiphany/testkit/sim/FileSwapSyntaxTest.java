package io.epiphany.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the one-exec file swap needs from the SIMULATED shell ({@code head -c}, {@code cmp -s}, {@code cp -p},
 * {@code echo}, {@code $?}), and that every other form of them is still refused.
 */
class FileSwapSyntaxTest {
    @TempDir
    Path dir;
    private OsHarness h;

    @BeforeEach
    void host() throws Exception {
        h = new OsHarness(dir);
    }

    private OsHarness.Result run(String line, String stdin) {
        return h.run(line, true, stdin.getBytes(StandardCharsets.UTF_8), CommandInterceptor.NONE);
    }

    @Test
    void headTakesExactlyNBytesOfStdinAndLeavesTheRest() throws Exception {
        OsHarness.Result r = run("mkdir -p /etc && umask 022; head -c 3 > /etc/f && cat", "abcdef");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("def");
        assertThat(h.host.files().readString("/etc/f")).isEqualTo("abc");
        assertThat(h.host.files().mode("/etc/f")).isEqualTo(0644);
        assertThat(run("head -c 10 > /etc/g", "ab").exit()).isZero();
        assertThat(h.host.files().readString("/etc/g")).isEqualTo("ab");
    }

    @Test
    void cmpSaysEqualDifferentOrTrouble() throws Exception {
        h.host.files().write("/etc/a", "x", 0644);
        h.host.files().write("/etc/b", "x", 0600);
        h.host.files().write("/etc/c", "y", 0644);
        assertThat(h.run("cmp -s /etc/a /etc/b").exit()).isZero();
        assertThat(h.run("cmp -s /etc/a /etc/c").exit()).isEqualTo(1);
        OsHarness.Result missing = h.run("cmp -s /etc/a /etc/nope");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("cmp: /etc/nope: No such file or directory\n");
    }

    @Test
    void cpKeepsTheModeAndNeedsRootUnderEtc() throws Exception {
        h.host.files().write("/etc/a", "x", 0640);
        assertThat(h.run("cp -p /etc/a /etc/a.old").exit()).isZero();
        assertThat(h.host.files().readString("/etc/a.old")).isEqualTo("x");
        assertThat(h.host.files().mode("/etc/a.old")).isEqualTo(0640);
        OsHarness.Result user = h.run("cp -p /tmp/nope /etc/x", false, CommandInterceptor.NONE);
        assertThat(user.exit()).isEqualTo(1);
        assertThat(user.err()).isEqualTo("cp: cannot create regular file '/etc/x': Permission denied\n");
    }

    @Test
    void dollarQuestionMarkIsTheStatusOfTheCommandBefore() {
        assertThat(h.run("test -e /nope || echo status $?").out()).isEqualTo("status 1\n");
        assertThat(h.run("cmp -s /nope /nope 2>/dev/null || { echo \"cmp: $?\"; exit 3; }").out())
                .isEqualTo("cmp: 2\n");
        assertThat(h.run("cmp -s /nope /nope 2>/dev/null || { echo \"cmp: $?\"; exit 3; }").exit()).isEqualTo(3);
        assertThat(h.run("umask 022 && echo ok $?").out()).isEqualTo("ok 0\n");
    }

    @Test
    void everyOtherFormIsRefused() {
        for (String line : new String[] {"echo $HOME", "echo \"$1\"", "echo $(date +%s)", "echo ${x}", "echo $$"}) {
            assertThat(h.run(line).exit()).as(line).isEqualTo(2);
        }
        assertThat(h.run("echo -n x").exit()).isEqualTo(2);
        assertThat(h.run("echo 'a\\tb'").exit()).isEqualTo(2);
        assertThat(h.run("head -n 1").exit()).isEqualTo(1);
        assertThat(h.run("head -c 3 /etc/passwd").exit()).isEqualTo(1);
        assertThat(h.run("cmp /a /b").exit()).isEqualTo(2);
        assertThat(h.run("cp /a /b").exit()).isEqualTo(1);
        assertThat(h.run("cp -r /a /b").exit()).isEqualTo(1);
    }
}
