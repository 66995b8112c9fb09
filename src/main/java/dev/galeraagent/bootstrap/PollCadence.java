package dev.galeraagent.bootstrap;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When a waiting bootstrap looks again. Every second while a wait is young or has just changed: then the pods it waits
 * for are moving (the winner starting mariadbd, a peer coming back), and a joiner that polled less often noticed the
 * winner's Primary up to 5 s late (docs/timeline.md). An unchanged waiting round reads the Kubernetes API 5 times and
 * writes nothing (the pods, the state ConfigMap twice, the Lease, its own Pod; WiredBootstrapTest), so 5 requests a
 * second per waiting pod for at most {@link #FAST_FOR} after each change; a wait that stays the same backs off to one
 * round every {@link #MAX} (1 request a second). Not thread-safe: one per loop.
 */
final class PollCadence {
    static final Duration FAST = Duration.ofSeconds(1);
    /** How long a wait polls at {@link #FAST} from its start and from each change of its reasons. */
    static final Duration FAST_FOR = Duration.ofSeconds(60);
    static final Duration MAX = Duration.ofSeconds(5);

    private Duration pause = FAST;
    private List<String> lastReasons;
    private Instant fastUntil = Instant.MIN;

    /** The pause before the next round, given this round's wait reasons. */
    Duration next(List<String> reasons, Instant now) {
        if (!reasons.equals(lastReasons)) {
            lastReasons = List.copyOf(reasons);
            fastUntil = now.plus(FAST_FOR);
            pause = FAST;
        }
        if (!now.isBefore(fastUntil)) {
            pause = pause.multipliedBy(2).compareTo(MAX) < 0 ? pause.multipliedBy(2) : MAX;
        }
        return pause;
    }
}
