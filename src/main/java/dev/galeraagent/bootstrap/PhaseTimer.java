package dev.galeraagent.bootstrap;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where one run of {@code agent bootstrap} spent its time: each {@link #mark} closes the phase that ran since the previous
 * mark and adds it to that phase's total, so a phase that comes back every round (the election's polls, the Lease) sums
 * over the rounds. The summary line is what a person reads to see whether the pod waited for its peers or for itself.
 */
final class PhaseTimer {
    private final Clock clock;
    private final Instant started;
    private final Map<String, Duration> phases = new LinkedHashMap<>();
    private Instant last;
    private String decision = "NONE";

    PhaseTimer(Clock clock) {
        this.clock = clock;
        this.started = clock.instant();
        this.last = started;
    }

    /** Ends the phase {@code name} now; the time since the previous mark (or the start) is added to it. */
    void mark(String name) {
        Instant now = clock.instant();
        Duration d = Duration.between(last, now);
        // a clock stepped backwards must not subtract from a phase
        phases.merge(name, d.isNegative() ? Duration.ZERO : d, Duration::plus);
        last = now;
    }

    /** The latest plan's name: the run's decision once it ends (WAIT when it gave up waiting). */
    void decision(String name) {
        this.decision = name;
    }

    Map<String, Duration> phases() {
        return Map.copyOf(phases);
    }

    /** {@code bootstrap summary: decision=JOIN total=3.41s identity=0.05s dns=0.10s ...}, phases in the order first marked. */
    String summary() {
        StringBuilder b = new StringBuilder("bootstrap summary: decision=").append(decision)
                .append(" total=").append(seconds(Duration.between(started, clock.instant())));
        phases.forEach((name, d) -> b.append(' ').append(name).append('=').append(seconds(d)));
        return b.toString();
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2fs", Math.max(0, d.toNanos()) / 1e9);
    }
}
