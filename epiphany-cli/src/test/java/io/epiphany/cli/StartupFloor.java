package io.epiphany.cli;

import java.net.Socket;

/** The floor {@link StartupBenchmark} compares against: a bare JVM that opens one TCP connection to loopback. */
final class StartupFloor {
    private StartupFloor() {}

    public static void main(String[] args) throws Exception {
        new Socket("127.0.0.1", Integer.parseInt(args[0])).close();
    }
}
