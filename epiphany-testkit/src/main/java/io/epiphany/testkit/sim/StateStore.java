package io.epiphany.testkit.sim;

import java.util.function.Function;

/** Holds the {@link SimulationState} of a SIMULATED fleet and serialises changes to it. */
public interface StateStore {
    /** Runs {@code change} with exclusive access to the state and keeps what it changed. */
    <T> T update(Function<SimulationState, T> change);

    /** Runs a query on the state. */
    default <T> T read(Function<SimulationState, T> query) {
        return update(query);
    }
}
