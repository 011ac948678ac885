package io.epiphany.api.spi;

import java.util.ServiceLoader;

/** Finds the {@link Engine} on the class path: the only way the API reaches an implementation. */
public final class Engines {
    private static volatile Engine engine;

    private Engines() {}

    /** The engine, loaded once. */
    public static Engine load() {
        Engine e = engine;
        if (e == null) {
            e = ServiceLoader.load(Engine.class, Engines.class.getClassLoader()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No Epiphany engine on the class path: add the "
                            + "dependency io.epiphany:epiphany-kubeadm (it brings epiphany-ssh and epiphany-haproxy)"));
            engine = e;
        }
        return e;
    }
}
