package dev.galeraagent.e2e;

import java.time.Duration;

/** Small steps the scenarios share. */
final class Scenarios {
    private Scenarios() {}

    /** Lets the writer run for {@code d}, then checks it got rows acknowledged. */
    static void writeFor(Writer w, Duration d) {
        long before = w.acked().size();
        PodNetwork.sleep(d.toMillis());
        if (w.acked().size() == before) {
            throw new AssertionError("the writer had no row acknowledged in " + d.toSeconds() + " s");
        }
    }
}
