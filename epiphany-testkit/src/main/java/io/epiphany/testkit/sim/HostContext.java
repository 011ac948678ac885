package io.epiphany.testkit.sim;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Function;

/**
 * The SIMULATED host a program runs on: its name, its files, and the fleet state shared with the other hosts.
 *
 * @param hostname the machine's hostname (key of its {@link SimulationState.Host})
 * @param files its file tree
 * @param store the state shared by every host of the fleet
 * @param clock the real clock; the simulation adds {@link SimulationState#clockOffsetSeconds}
 */
public record HostContext(String hostname, HostFiles files, StateStore store, Clock clock) {
    /** The simulated time. */
    public Instant now(SimulationState state) {
        return clock.instant().plusSeconds(state.clockOffsetSeconds);
    }

    /** A query on this host's state. */
    public <T> T host(Function<SimulationState.Host, T> query) {
        return store.read(s -> query.apply(s.hosts.get(hostname)));
    }
}
