package io.epiphany.testkit.sim;

import io.epiphany.testkit.sim.kube.ClusterAccess;
import java.io.IOException;
import java.util.List;

/**
 * SIMULATED curl. Downloads ({@code -o <file>}, {@code file://}, any path but the health ones) are {@link Download}'s.
 * {@code curl -sk [--max-time N] https://<host>:<port>/readyz} (also {@code /livez}, {@code /healthz}):
 * the request goes through the host's haproxy (its loaded config) to an apiserver, which answers {@code ok} when it
 * runs and etcd has quorum. Exit codes and bodies as curl and the apiserver give them.
 */
final class Curl implements Program {
    private static final String NO_SERVER = "<html><body><h1>503 Service Unavailable</h1>\n"
            + "No server is available to handle this request.\n</body></html>";

    @Override
    public boolean changesState(List<String> args) {
        return args.contains("-o") || args.contains("--output"); // a download writes a file
    }

    @Override
    public int run(Invocation inv) throws IOException {
        boolean silent = false;
        boolean insecure = false;
        boolean failOnError = false;
        boolean showError = false;
        String url = null;
        String output = null;
        List<String> a = inv.args();
        for (int i = 0; i < a.size(); i++) {
            String arg = a.get(i);
            if (arg.equals("--max-time") || arg.equals("-m")) {
                i++;
            } else if (arg.equals("-o") || arg.equals("--output")) {
                output = i + 1 < a.size() ? a.get(++i) : null;
            } else if (arg.startsWith("--")) {
                insecure |= arg.equals("--insecure");
                silent |= arg.equals("--silent");
                showError |= arg.equals("--show-error");
                failOnError |= arg.equals("--fail");
            } else if (arg.startsWith("-")) {
                silent |= arg.contains("s");
                showError |= arg.contains("S");
                insecure |= arg.contains("k");
                failOnError |= arg.contains("f");
            } else {
                url = arg;
            }
        }
        silent &= !showError;
        if (url != null && url.startsWith("file://")) {
            return Download.run(inv, url, output, silent);
        }
        if (url == null || !url.startsWith("https://")) {
            return fail(inv, silent, 3, "URL rejected: Malformed input to a URL function");
        }
        String path = url.replaceFirst("^https://[^/]*", "");
        if (output != null || !List.of("/readyz", "/livez", "/healthz").contains(path)) {
            return Download.run(inv, url, output, silent);
        }
        String target = url;
        ClusterAccess.Route route = inv.host().store().read(s -> ClusterAccess.route(s, inv.host().hostname(), target));
        if (route instanceof ClusterAccess.Refused r) {
            String[] hp = r.hostPort().split(":");
            return fail(inv, silent, 7, "Failed to connect to " + hp[0] + " port " + hp[1]
                    + " after 0 ms: Couldn't connect to server");
        }
        if (!insecure) {
            return fail(inv, silent, 60, "SSL certificate problem: unable to get local issuer certificate");
        }
        if (route instanceof ClusterAccess.NoBackend) {
            if (failOnError) {
                return fail(inv, silent, 22, "The requested URL returned error: 503");
            }
            inv.out().println(NO_SERVER);
            return 0;
        }
        // an apiserver whose own etcd member is down (Unready) fails /readyz as one without quorum does
        boolean ready = !(route instanceof ClusterAccess.Unready) && inv.host().store().read(ClusterAccess::quorum);
        if (ready || path.equals("/livez")) {
            inv.out().print("ok");
            return 0;
        }
        if (failOnError) {
            return fail(inv, silent, 22, "The requested URL returned error: 500");
        }
        inv.out().print("[-]etcd failed: reason withheld\n" + path.substring(1) + " check failed");
        return 0;
    }

    static int fail(Invocation inv, boolean silent, int code, String message) {
        if (!silent) {
            inv.err().println("curl: (" + code + ") " + message);
        }
        return code;
    }
}
