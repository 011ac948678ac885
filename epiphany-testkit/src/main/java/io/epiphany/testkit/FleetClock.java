package io.epiphany.testkit;

import io.epiphany.testkit.sim.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The fleet's clock ({@link SimulatedFleet#clock()}): the real time plus the simulation's offset, read at every call. */
final class FleetClock extends Clock {
    private final StateStore store;

    FleetClock(StateStore store) {
        this.store = store;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        long offset = store.read(s -> s.clockOffsetSeconds);
        return Instant.now().plusSeconds(offset);
    }
}
