package dev.galeraagent.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.galeraagent.handoff.HandOff;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusJsonTest {
    @Test
    void aNullOrMalformedDocumentIsAnIllegalArgumentNamingTheTypeNeverANull() {
        for (Class<?> type : List.of(PublishedState.class, NodeStatus.class, HandOff.class)) {
            for (String json : new String[] {"null", " null\n", "", "{", "[]", "\"text\""}) {
                assertThatThrownBy(() -> StatusJson.read(json, type)).as(type.getSimpleName() + " from '" + json + "'")
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("not a valid " + type.getSimpleName() + " document: ");
            }
        }
    }

    @Test
    void aPublishedStateReadsBackAsWritten() {
        PublishedState s = new PublishedState(2, "waiting", false, "6b2f1a4e-0000-11ef-8000-000000000001", 17, true, false, "WAIT",
                List.of("no live Primary"), null, "2026-11-26T10:00:00Z", "1.0", null, null, false);
        assertThat(StatusJson.read(StatusJson.write(s), PublishedState.class)).isEqualTo(s);
    }
}
