package dev.galeraagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollCadenceTest {
    private static final Instant T0 = Instant.parse("2026-12-02T00:00:00Z");

    /** Pauses of {@code rounds} rounds with unchanged reasons, the clock moving by each pause. */
    private static List<Long> pauses(PollCadence cadence, List<String> reasons, Instant from, int rounds) {
        List<Long> out = new ArrayList<>();
        Instant now = from;
        for (int i = 0; i < rounds; i++) {
            Duration d = cadence.next(reasons, now);
            out.add(d.toSeconds());
            now = now.plus(d);
        }
        return out;
    }

    @Test
    void aNewWaitLooksEverySecondForAMinuteThenBacksOffToFiveSeconds() {
        List<Long> p = pauses(new PollCadence(), List.of("waiting for pod 0"), T0, 64);
        assertThat(p.subList(0, 60)).containsOnly(1L);
        assertThat(p.subList(60, 64)).containsExactly(2L, 4L, 5L, 5L);
    }

    @Test
    void aChangeOfTheReasonsLooksEverySecondAgain() {
        PollCadence cadence = new PollCadence();
        pauses(cadence, List.of("waiting for pod 0"), T0, 70);
        Instant later = T0.plusSeconds(300);
        assertThat(cadence.next(List.of("waiting for pod 0"), later)).isEqualTo(Duration.ofSeconds(5));
        assertThat(cadence.next(List.of("pod 0 is starting"), later)).isEqualTo(Duration.ofSeconds(1));
        assertThat(pauses(cadence, List.of("pod 0 is starting"), later.plusSeconds(1), 59)).containsOnly(1L);
    }
}
