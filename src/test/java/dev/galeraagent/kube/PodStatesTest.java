package dev.galeraagent.kube;

import dev.galeraagent.handoff.LeaseRecord;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.status.PublishedState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodStatesTest {
    static final StatefulSetInfo STS = new StatefulSetInfo("db", "galera", 4, Map.of());

    private static PodStates states(Map<Integer, PublishedState> published, Set<Integer> unpublished, Map<Integer, String> malformed, Set<Integer> missing) {
        return new PodStates(STS, new java.util.TreeMap<>(published), new java.util.TreeSet<>(unpublished),
                new java.util.TreeMap<>(malformed), new java.util.TreeSet<>(missing), new java.util.TreeSet<>());
    }

    @Test
    void aNewTimeIsNoChangeButAnythingElseIs() {
        PodStates base = states(Map.of(0, KubeApiTest.state(0, "u", 5, false, "t1")), Set.of(1), Map.of(2, "bad"), Set.of(3));
        assertThat(base.sameContent(states(Map.of(0, KubeApiTest.state(0, "u", 5, false, "t2")), Set.of(1), Map.of(2, "bad"), Set.of(3)))).isTrue();
        assertThat(base.sameContent(states(Map.of(0, KubeApiTest.state(0, "u", 6, false, "t1")), Set.of(1), Map.of(2, "bad"), Set.of(3)))).isFalse();
        assertThat(base.sameContent(states(Map.of(0, KubeApiTest.state(0, "u", 5, true, "t1")), Set.of(1), Map.of(2, "bad"), Set.of(3)))).isFalse();
        assertThat(base.sameContent(states(Map.of(0, KubeApiTest.state(0, "u", 5, false, "t1")), Set.of(1, 3), Map.of(2, "bad"), Set.of()))).isFalse();
        assertThat(base.sameContent(states(Map.of(0, KubeApiTest.state(0, "u", 5, false, "t1")), Set.of(1), Map.of(2, "worse"), Set.of(3)))).isFalse();
        assertThat(base.sameContent(null)).isFalse();
    }

    @Test
    void notPublishedListsEveryAbsentOrdinal() {
        PodStates s = states(Map.of(0, KubeApiTest.state(0, "u", 5, false, "t")), Set.of(1), Map.of(2, "bad"), Set.of(3));
        assertThat(s.notPublished()).containsExactly(1, 2, 3);
        assertThat(s.notPublished()).isNotEmpty();
        assertThat(s.othersThan(0)).isEmpty();
        assertThat(s.othersThan(3)).containsOnlyKeys(0);
    }

    @Test
    void aLeaseExpiresAtItsLastRenewalPlusItsTerm() {
        Instant t = Instant.parse("2026-11-26T10:00:00Z");
        LeaseRecord held = new LeaseRecord("l", "galera-0", "u", 1L, t, t.plusSeconds(10), Duration.ofSeconds(30), 0);
        assertThat(held.expiresAt()).isEqualTo(t.plusSeconds(40));
        assertThat(held.heldAt(t.plusSeconds(39))).isTrue();
        assertThat(held.heldAt(t.plusSeconds(40))).isFalse();
        assertThat(new LeaseRecord("l", null, null, null, t, t, Duration.ofSeconds(30), 0).heldAt(t)).isFalse();
        assertThat(new LeaseRecord("l", "x", null, null, null, null, null, 0).heldAt(t)).isFalse();
    }
}
