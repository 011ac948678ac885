package io.epiphany.testkit.sim;

import java.util.List;

/** SIMULATED {@code test -e|-f|-d <path>}: exit 0 when the path exists (as a file / directory), 1 otherwise. */
final class TestCommand implements Program {
    @Override
    public int run(Invocation inv) {
        List<String> a = inv.args();
        if (a.size() != 2 || !List.of("-e", "-f", "-d").contains(a.get(0))) {
            inv.err().println("sh: 1: test: only 'test -e|-f|-d <path>' is supported by the SIMULATED shell");
            return 2;
        }
        HostFiles files = inv.host().files();
        String path = a.get(1);
        boolean ok = switch (a.get(0)) {
            case "-d" -> files.isDirectory(path);
            case "-f" -> files.exists(path) && !files.isDirectory(path);
            default -> files.exists(path);
        };
        return ok ? 0 : 1;
    }

    @Override
    public boolean changesState(List<String> args) {
        return false;
    }
}
