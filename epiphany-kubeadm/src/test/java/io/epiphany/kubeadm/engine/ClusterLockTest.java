package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cluster lock on a SIMULATED fleet of three masters: one holder at a time, stale and forced takeover. */
@SimulatedFleetTest
class ClusterLockTest {
    private static final Duration TTL = Duration.ofMinutes(10);
    private static FleetFixture fx;

    /** One fleet for the class, from the test kit's extension (which closes it after the last test). */
    @BeforeAll
    static void fleet(@Fleet(masters = 3) SimulatedFleet fleet) {
        fx = new FleetFixture(fleet);
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    @AfterEach
    void clearLocks() throws Exception {
        for (String m : List.of("m1", "m2", "m3")) {
            Path dir = fx.fleet.host(m).root().resolve("var/lib/epiphany");
            if (Files.isDirectory(dir)) {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static List<RemoteHost> masters(RemoteAccess access) {
        // deliberately not in hostname order: the lock sorts them
        return fx.pick(List.of("m3", "m1", "m2")).stream().map(m -> access.host(m, fx.all.ssh())).toList();
    }

    private static ClusterLock.Settings settings(String owner, boolean force) {
        return new ClusterLock.Settings(TTL, force, owner);
    }

    private static Path ownerFile(String master) {
        return fx.fleet.host(master).root().resolve("var/lib/epiphany/lock/owner");
    }

    @Test
    void theLockIsHeldOnEveryMasterInHostnameOrderAndReleased() throws Exception {
        ClusterLock lock = ClusterLock.acquire(masters(fx.access), settings("alice@ctl pid 1", false));
        assertThat(lock.hosts()).containsExactly("m1", "m2", "m3");
        for (String m : List.of("m1", "m2", "m3")) {
            assertThat(Files.readString(ownerFile(m))).contains("owner=alice@ctl pid 1", "since=", "expires=");
        }
        lock.release();
        assertThat(fx.fleet.host("m1").root().resolve("var/lib/epiphany/lock")).doesNotExist();
        assertThat(fx.fleet.host("m3").root().resolve("var/lib/epiphany/lock")).doesNotExist();
        lock.release(); // idempotent
        ClusterLock.acquire(masters(fx.access), settings("bob@ctl pid 2", false)).close();
    }

    @Test
    void aSecondCallerIsRefusedNamingTheHolderAndNothingOfTheFirstIsTouched() {
        try (ClusterLock first = ClusterLock.acquire(masters(fx.access), settings("alice@ctl pid 1", false))) {
            ApplyException e = catchThrowableOfType(() -> ClusterLock.acquire(masters(fx.access),
                    settings("bob@ctl pid 2", false)), ApplyException.class);
            assertThat(e.phase()).isEqualTo("Lock");
            assertThat(e.host()).contains("m1");
            assertThat(e).hasMessageContaining("cluster is locked by alice@ctl pid 1 since ")
                    .hasMessageContaining(", expires ").hasMessageContaining("forceLockTakeover");
            assertThat(e.notDone()).containsExactly("every step: nothing on the cluster was changed");
            assertThat(first.hosts()).containsExactly("m1", "m2", "m3");
        }
    }

    @Test
    void twoCallersAtOnceGiveExactlyOneHolder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 6; round++) {
                int gapMillis = round % 3 * 5; // 0, 5 and 10 ms between the two starts
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ClusterLock>> calls = new ArrayList<>();
                for (int caller = 0; caller < 2; caller++) {
                    int me = caller;
                    calls.add(pool.submit(() -> {
                        start.await();
                        if (me == 1) {
                            Thread.sleep(gapMillis);
                        }
                        try (RemoteAccess own = RemoteAccess.load()) { // a second SDK: its own connections
                            return ClusterLock.acquire(masters(me == 0 ? fx.access : own), settings("caller-" + me,
                                    false));
                        }
                    }));
                }
                start.countDown();
                List<ClusterLock> won = new ArrayList<>();
                List<ApplyException> refused = new ArrayList<>();
                for (Future<ClusterLock> f : calls) {
                    try {
                        won.add(f.get(60, TimeUnit.SECONDS));
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(ApplyException.class);
                        refused.add((ApplyException) e.getCause());
                    }
                }
                assertThat(won).as("round " + round).hasSize(1);
                assertThat(refused).singleElement().satisfies(e -> assertThat(e.getMessage())
                        .containsAnyOf("cluster is locked by caller-", "being locked by another caller right now"));
                assertThat(Files.readString(ownerFile("m1"))).contains("owner=caller-");
                clearLocks(); // the winner's access may be closed: remove its lock directly
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStaleLockIsTakenOverOnlyAfterItExpires() throws Exception {
        ClusterLock dead = ClusterLock.acquire(masters(fx.access), new ClusterLock.Settings(Duration.ofMinutes(1),
                false, "crashed@ctl pid 9")); // never released: its process "died"
        assertThat(catchThrowableOfType(() -> ClusterLock.acquire(masters(fx.access), settings("next", false)),
                ApplyException.class)).hasMessageContaining("locked by crashed@ctl pid 9");
        fx.fleet.advanceClock(Duration.ofMinutes(2));
        try (ClusterLock next = ClusterLock.acquire(masters(fx.access), settings("next", false))) {
            assertThat(next.hosts()).containsExactly("m1", "m2", "m3");
            assertThat(Files.readString(ownerFile("m2"))).contains("owner=next");
            dead.release(); // the old holder comes back: it must not remove the new holder's lock
            assertThat(Files.readString(ownerFile("m2"))).contains("owner=next");
        }
        assertThat(fx.fleet.host("m1").root().resolve("var/lib/epiphany")).isEmptyDirectory();
    }

    @Test
    void aLiveLockIsTakenOverOnlyWhenForced() throws Exception {
        ClusterLock.acquire(masters(fx.access), settings("alice", false));
        try (ClusterLock forced = ClusterLock.acquire(masters(fx.access), settings("admin", true))) {
            assertThat(Files.readString(ownerFile("m3"))).contains("owner=admin");
        }
    }

    @Test
    void aLockDirectoryWithoutOwnerIsRefusedUnlessForced() throws Exception {
        Files.createDirectories(fx.fleet.host("m1").root().resolve("var/lib/epiphany/lock"));
        assertThat(catchThrowableOfType(() -> ClusterLock.acquire(masters(fx.access), settings("bob", false)),
                ApplyException.class)).hasMessageContaining("no readable owner file");
        ClusterLock.acquire(masters(fx.access), settings("bob", true)).release();
    }

    @Test
    void aRefusalOnALaterMasterReleasesTheEarlierOnes() throws Exception {
        Path m2 = fx.fleet.host("m2").root().resolve("var/lib/epiphany/lock");
        Files.createDirectories(m2);
        Files.writeString(m2.resolve("owner"), "owner=other\nid=x\nsince=1\nexpires=" + Long.MAX_VALUE / 2 + "\n");
        ApplyException e = catchThrowableOfType(() -> ClusterLock.acquire(masters(fx.access), settings("bob", false)),
                ApplyException.class);
        assertThat(e.host()).contains("m2");
        assertThat(fx.fleet.host("m1").root().resolve("var/lib/epiphany/lock")).doesNotExist();
    }

    @Test
    void anUnreachableMasterIsSkippedWhileAMajorityIsLocked() throws Exception {
        fx.fleet.host("m3").powerOff();
        try {
            try (ClusterLock lock = ClusterLock.acquire(masters(fx.access), settings("alice", false))) {
                assertThat(lock.hosts()).containsExactly("m1", "m2");
                assertThat(lock.unreachable()).containsExactly("m3");
                assertThat(catchThrowableOfType(() -> ClusterLock.acquire(masters(fx.access), settings("bob", false)),
                        ApplyException.class)).hasMessageContaining("locked by alice");
            }
            fx.fleet.host("m2").powerOff();
            ApplyException e = catchThrowableOfType(() -> ClusterLock.acquire(masters(fx.access),
                    settings("alice", false)), ApplyException.class);
            assertThat(e).hasMessageContaining("majority of the 3 masters").hasMessageContaining("[m2, m3]");
            assertThat(fx.fleet.host("m1").root().resolve("var/lib/epiphany/lock")).doesNotExist();
        } finally {
            fx.fleet.host("m2").powerOn();
            fx.fleet.host("m3").powerOn();
        }
    }

    @Test
    void renewMovesTheExpiryAndNoticesATakeover() throws Exception {
        ClusterLock lock = ClusterLock.acquire(masters(fx.access), new ClusterLock.Settings(Duration.ofMinutes(1),
                false, "alice"));
        fx.fleet.advanceClock(Duration.ofSeconds(50));
        lock.renew(settings("alice", false)); // now 10 minutes from here
        fx.fleet.advanceClock(Duration.ofMinutes(2));
        assertThat(catchThrowableOfType(() -> ClusterLock.acquire(masters(fx.access), settings("bob", false)),
                ApplyException.class)).hasMessageContaining("locked by alice");
        ClusterLock.acquire(masters(fx.access), settings("admin", true));
        assertThat(catchThrowableOfType(() -> lock.renew(settings("alice", false)), ApplyException.class))
                .hasMessageContaining("taken over meanwhile by admin");
    }

    @Test
    void theOptionsCarryTheTtlAndTheForce() {
        ClusterLock.Settings s = ClusterLock.Settings.of(ApplyOptions.builder().lockTtl(Duration.ofMinutes(30))
                .forceLockTakeover(true).build());
        assertThat(s.ttl()).isEqualTo(Duration.ofMinutes(30));
        assertThat(s.force()).isTrue();
        assertThat(s.owner()).contains("@").contains(" pid " + ProcessHandle.current().pid());
        assertThat(ApplyOptions.defaults().lockTtl()).isEqualTo(Duration.ofHours(2));
        assertThat(ApplyOptions.defaults().forceLockTakeover()).isFalse();
    }
}
