package dev.galeraagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import dev.galeraagent.testing.MutableClock;

import org.junit.jupiter.api.Test;

class PhaseTimerTest {
    @Test
    void eachMarkClosesThePhaseSinceThePreviousMarkAndTheSummaryListsThemInOrder() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T21:00:00Z"));
        PhaseTimer t = new PhaseTimer(clock);
        clock.advance(Duration.ofMillis(50));
        t.mark("identity");
        clock.advance(Duration.ofMillis(100));
        t.mark("dns");
        clock.advance(Duration.ofMillis(1200));
        t.mark("recover");
        t.decision("JOIN");
        clock.advance(Duration.ofMillis(30));
        t.mark("config");

        assertThat(t.summary()).isEqualTo("bootstrap summary: decision=JOIN total=1.38s identity=0.05s dns=0.10s recover=1.20s config=0.03s");
    }

    @Test
    void aPhaseThatComesBackEveryRoundSumsOverTheRoundsAndKeepsItsFirstPlace() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T21:00:00Z"));
        PhaseTimer t = new PhaseTimer(clock);
        for (int round = 0; round < 3; round++) {
            clock.advance(Duration.ofMillis(500));
            t.mark("election");
            clock.advance(Duration.ofMillis(10));
            t.mark("publish");
        }

        assertThat(t.phases()).containsEntry("election", Duration.ofMillis(1500)).containsEntry("publish", Duration.ofMillis(30));
        assertThat(t.summary()).isEqualTo("bootstrap summary: decision=NONE total=1.53s election=1.50s publish=0.03s");
    }

    @Test
    void aClockSteppedBackwardsAddsNothingToThePhaseInsteadOfANegativeTime() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T21:00:00Z"));
        PhaseTimer t = new PhaseTimer(clock);
        clock.advance(Duration.ofMillis(-2000));
        t.mark("dns");
        clock.advance(Duration.ofMillis(2300));
        t.mark("recover");

        assertThat(t.phases()).containsEntry("dns", Duration.ZERO).containsEntry("recover", Duration.ofMillis(2300));
        assertThat(t.summary()).contains("total=0.30s");
    }
}
