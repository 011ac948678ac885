package io.epiphany.cli;

import io.epiphany.api.Plan;
import io.epiphany.api.ProgressEvent;
import io.epiphany.api.ProgressListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Live progress of an apply or reset. Every event becomes a line (a phase starting, a host step done or failed, a
 * phase done). On a terminal a status bar under those lines is redrawn in place several times a second: hosts done /
 * total, the phase's elapsed time and the host step running longest. On a pipe or file there is no bar; instead a
 * status line is printed when a phase has gone quiet for {@code quietInterval} (a long kubeadm join still shows).
 * Events arrive concurrently from several hosts' threads and the ticker's: every method is synchronized, and each
 * write is whole lines (or one whole bar) followed by a flush.
 */
final class ProgressView implements ProgressListener, AutoCloseable {
    private static final Duration TICK_ON_TERMINAL = Duration.ofMillis(250);
    private static final Duration TICK_ON_PIPE = Duration.ofSeconds(1);
    private static final int BAR_CELLS = 20;

    private final Terminal term;
    private final PrintStream out;
    private final PhaseProgress progress;
    private final LongSupplier nanoClock;
    private final long quietNanos;
    private final Ansi ansi;
    private long lastLine;
    private boolean barShown;
    private ScheduledExecutorService ticker;

    ProgressView(Terminal term, PhaseProgress progress, LongSupplier nanoClock, Duration quietInterval) {
        this.term = term;
        this.out = term.out();
        this.progress = progress;
        this.nanoClock = nanoClock;
        this.quietNanos = quietInterval.toNanos();
        this.ansi = new Ansi(term.colour());
        this.lastLine = nanoClock.getAsLong();
    }

    /** A view on the process's clock, ticking on its own daemon thread until closed. */
    static ProgressView live(Terminal term, Optional<Plan> plan, Set<String> defaultHosts) {
        ProgressView view = new ProgressView(term, new PhaseProgress(plan, defaultHosts, System::nanoTime),
                System::nanoTime, Duration.ofSeconds(10));
        view.startTicker();
        return view;
    }

    private synchronized void startTicker() {
        long period = (term.terminal() ? TICK_ON_TERMINAL : TICK_ON_PIPE).toMillis();
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "epiphany-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void onEvent(ProgressEvent e) {
        progress.accept(e);
        String line = switch (e.type()) {
            case PHASE_STARTED -> ansi.bold("==> " + e.phase());
            case PHASE_FINISHED -> "    " + e.phase() + " done" + millis(e) + hostCount(progress.snapshot());
            case STEP_FINISHED -> "    " + ansi.green("ok  ") + "  " + pad(e.host().orElse("")) + e.step().orElse("")
                    + millis(e);
            case STEP_FAILED -> "    " + ansi.red("FAIL") + "  " + pad(e.host().orElse("")) + e.step().orElse("")
                    + millis(e) + ": " + e.error().orElse("");
            case STEP_STARTED -> null;  // the finished line carries the duration; the bar shows what is running
        };
        if (line != null) {
            printLine(line);
        }
        if (e.type() == ProgressEvent.Type.PHASE_FINISHED) {
            clearBar();
        } else {
            drawBar();
        }
        out.flush();
    }

    /** Redraws the bar (terminal) or prints a status line if the phase has been quiet too long (pipe). */
    synchronized void tick() {
        if (!progress.started()) {
            return;
        }
        if (term.terminal()) {
            if (barShown) {
                drawBar();
            }
        } else if (nanoClock.getAsLong() - lastLine >= quietNanos && progress.snapshot().slowest().isPresent()) {
            printLine("    ... " + status(progress.snapshot()));
        }
        out.flush();
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        clearBar();
        out.flush();
    }

    private void printLine(String line) {
        if (barShown) {
            out.print("\r" + Ansi.CLEAR_LINE);
            barShown = false;
        }
        out.println(line);
        lastLine = nanoClock.getAsLong();
    }

    private void drawBar() {
        if (!term.terminal()) {
            return;
        }
        PhaseProgress.Snapshot s = progress.snapshot();
        int filled = (int) Math.round(s.fraction() * BAR_CELLS);
        String text = status(s);
        // cut to the width so the line never wraps: a carriage return only goes back to the start of its own row
        int room = Math.max(0, term.width() - 1 - (BAR_CELLS + 3));
        if (text.length() > room) {
            text = text.substring(0, room);
        }
        out.print("\r" + Ansi.CLEAR_LINE + "[" + ansi.cyan("#".repeat(filled)) + ".".repeat(BAR_CELLS - filled) + "] "
                + text);
        barShown = true;
    }

    private void clearBar() {
        if (barShown) {
            out.print("\r" + Ansi.CLEAR_LINE);
            barShown = false;
        }
    }

    /** e.g. "Join nodes: 3/5 hosts done, 12.4 s; slowest k1c2: kubeadm join (9.0 s)". */
    static String status(PhaseProgress.Snapshot s) {
        StringBuilder sb = new StringBuilder(s.phase()).append(": ");
        if (s.hostsTotal() > 0) {
            sb.append(s.hostsDone()).append('/').append(s.hostsTotal()).append(" hosts done, ");
        }
        if (s.failed() > 0) {
            sb.append(s.failed()).append(" failed, ");
        }
        sb.append(seconds(s.elapsed()));
        s.slowest().ifPresent(r -> sb.append("; slowest ").append(r.host()).append(": ").append(r.step())
                .append(" (").append(seconds(r.elapsed())).append(')'));
        return sb.toString();
    }

    private static String hostCount(PhaseProgress.Snapshot s) {
        return s.hostsTotal() == 0 ? "" : ", " + s.hostsDone() + "/" + s.hostsTotal() + " hosts";
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String millis(ProgressEvent e) {
        return e.duration().map(Duration::toMillis).map(ms -> " (" + ms + " ms)").orElse("");
    }

    private static String pad(String host) {
        return String.format("%-8s", host) + " ";
    }
}
