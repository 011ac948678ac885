package io.epiphany.testkit.sim;

import java.util.function.Function;

/** The state of an in-process fleet: one object behind a lock. */
public final class MemoryStateStore implements StateStore {
    private final SimulationState state = new SimulationState();

    @Override
    public synchronized <T> T update(Function<SimulationState, T> change) {
        return change.apply(state);
    }
}
