package io.epiphany.testkit.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * SIMULATED downloads ({@code curl -fsSL [-o <file>] <url>}): the package repositories' key files (a SIMULATED key),
 * the URLs a test registered ({@link SimulationState#downloads}), and {@code file://} paths on the host itself. The
 * simulation never dials anything: any other host does not resolve ({@code curl: (6)}).
 */
final class Download {
    private Download() {}

    static int run(Invocation inv, String url, String output, boolean silent) throws IOException {
        byte[] content;
        if (url.startsWith("file://")) {
            String path = url.substring("file://".length());
            if (!inv.host().files().exists(path) || inv.host().files().isDirectory(path)) {
                return Curl.fail(inv, silent, 37, "Couldn't open file " + path);
            }
            content = inv.host().files().read(path);
        } else {
            String served = inv.host().store().read(s -> s.downloads.get(url));
            Optional<Repositories.Repo> repo = inv.host().store().read(s -> Repositories.parse(s, url));
            if (served != null) {
                content = served.getBytes(StandardCharsets.UTF_8);
            } else if (repo.isPresent()) {
                if (!repo.get().exists() || !repo.get().isKey()) {
                    return Curl.fail(inv, silent, 22, "The requested URL returned error: 404");
                }
                content = Repositories.keyFile(repo.get()).getBytes(StandardCharsets.UTF_8);
            } else {
                return Curl.fail(inv, silent, 6, "Could not resolve host: " + Repositories.hostOf(url));
            }
        }
        if (output == null) {
            inv.out().write(content);
            return 0;
        }
        String parent = output.contains("/") ? output.substring(0, Math.max(1, output.lastIndexOf('/'))) : "/root";
        if (!inv.host().files().isDirectory(parent)) {
            return Curl.fail(inv, silent, 23, "Failure writing output to destination, passed " + content.length
                    + " returned 0");
        }
        if (!FileCommands.writable(inv.root(), output)) {
            return Curl.fail(inv, silent, 23, "Failure writing output to destination");
        }
        inv.host().files().write(output, content, 0644);
        return 0;
    }
}
