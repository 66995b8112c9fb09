package dev.galeraagent.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.position.Position;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaseRecordTest {
    private static final String UUID = "6b2f1a4e-0000-11ef-8000-000000000001";

    @Test
    void theAnnotationsAreWhatTheAgentWroteBeforePositionWasATypeLetterForLetter() {
        // the maps LeaseRecord.annotations returned at commit a9feb7c, which took the uuid and the seqno apart
        assertThat(LeaseRecord.annotations(Map.of("other", "x"), Optional.of(Position.parse("position", UUID + ":42")), "galera-1"))
                .isEqualTo(Map.of("galera-agent.io/cluster-uuid", UUID, "galera-agent.io/open-bootstrap", "galera-1",
                        "galera-agent.io/seqno", "42", "other", "x"));
        assertThat(LeaseRecord.annotations(null, Optional.empty(), "galera-0"))
                .isEqualTo(Map.of("galera-agent.io/open-bootstrap", "galera-0", "galera-agent.io/seqno", "-1"));
        assertThat(LeaseRecord.annotations(Map.of(LeaseRecord.UUID_ANNOTATION, UUID), Optional.empty(), "galera-0"))
                .as("a new cluster drops the uuid an earlier bootstrap recorded").doesNotContainKey(LeaseRecord.UUID_ANNOTATION);
    }

    @Test
    void handEditedAnnotationsAreReadAsTheyStandForPeopleAndANonNumberSeqnoAsUnknown() {
        Instant t = Instant.parse("2026-11-26T10:00:00Z");
        LeaseRecord edited = LeaseRecord.of("l", "galera-0", Map.of(LeaseRecord.UUID_ANNOTATION, "1-1-1-1-1", LeaseRecord.SEQNO_ANNOTATION, "x"),
                t, t, Duration.ofSeconds(60), 0);
        assertThat(edited.clusterUuid()).isEqualTo("1-1-1-1-1");
        assertThat(edited.seqno()).isNull();
        LeaseRecord written = LeaseRecord.of("l", "galera-0", LeaseRecord.annotations(null, Optional.of(Position.parse("position", UUID + ":42")),
                "galera-0"), t, t, Duration.ofSeconds(60), 0);
        assertThat(written.clusterUuid()).isEqualTo(UUID);
        assertThat(written.seqno()).isEqualTo(42L);
        assertThat(written.openBootstrap()).isEqualTo("galera-0");
    }
}
