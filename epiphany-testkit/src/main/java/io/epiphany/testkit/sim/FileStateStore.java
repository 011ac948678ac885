package io.epiphany.testkit.sim;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * The state of a fleet whose hosts are separate processes ({@link SimulatorMain}): a JSON file in a shared
 * directory, changed under an exclusive file lock (and a JVM lock, since file locks are per process).
 */
public final class FileStateStore implements StateStore {
    private static final Object JVM_LOCK = new Object();
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;
    private final Path lock;

    public FileStateStore(Path directory) {
        this.file = directory.resolve("simulation-state.json");
        this.lock = directory.resolve("simulation-state.lock");
    }

    @Override
    public <T> T update(Function<SimulationState, T> change) {
        synchronized (JVM_LOCK) {
            try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                SimulationState state = Files.exists(file) ? JSON.readValue(file.toFile(), SimulationState.class)
                        : new SimulationState();
                T result = change.apply(state);
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                JSON.writeValue(tmp.toFile(), state);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return result;
            } catch (IOException e) {
                throw new UncheckedIOException("simulation state in " + file + " could not be read or written", e);
            }
        }
    }
}
