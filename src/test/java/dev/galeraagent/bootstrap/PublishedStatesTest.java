package dev.galeraagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.position.Position;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PublishedStatesTest {
    private static final Position AT_42 = Position.parse("position", "6b2f1a4e-0000-11ef-8000-000000000001:42");
    private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void thePodAnnotationIsWhatThePreviousAgentPublishedByteForByte() {
        // written by the agent of commit a9feb7c, whose LocalState.State held the uuid and the seqno apart
        String recovered = "{\"ordinal\":1,\"phase\":\"inspecting\",\"empty\":false,\"uuid\":\"6b2f1a4e-0000-11ef-8000-000000000001\",\"seqno\":42,"
                + "\"seqno_recovered\":true,\"safe_to_bootstrap\":false,\"reasons\":[],\"time\":\"2026-11-26T10:00:00Z\",\"agent_version\":\"1.0.0\","
                + "\"run\":\"run-1\",\"pod_uid\":\"uid-1\",\"cut_off\":false}";
        String unknownSeqno = "{\"ordinal\":1,\"phase\":\"inspecting\",\"empty\":false,\"uuid\":\"6b2f1a4e-0000-11ef-8000-000000000001\",\"seqno\":-1,"
                + "\"seqno_recovered\":false,\"safe_to_bootstrap\":true,\"reasons\":[],\"time\":\"2026-11-26T10:00:00Z\",\"agent_version\":\"1.0.0\","
                + "\"run\":\"run-1\",\"cut_off\":false}";
        String cutOff = "{\"ordinal\":0,\"phase\":\"inspecting\",\"empty\":true,\"seqno\":-1,\"seqno_recovered\":false,\"safe_to_bootstrap\":false,"
                + "\"reasons\":[],\"time\":\"2026-11-26T10:00:00Z\",\"agent_version\":\"1.0.0\",\"run\":\"run-0\",\"pod_uid\":\"uid-0\",\"cut_off\":true}";
        assertThat(StatusJson.write(PublishedStates.of(1, new LocalState.State(AT_42, true, false), Optional.empty(), Optional.empty(), T,
                "1.0.0", "run-1", "uid-1"))).isEqualTo(recovered);
        assertThat(StatusJson.write(PublishedStates.of(1, new LocalState.State(new Position(AT_42.uuid(), Position.UNKNOWN_SEQNO), false, true),
                Optional.empty(), Optional.empty(), T, "1.0.0", "run-1", null))).isEqualTo(unknownSeqno);
        assertThat(StatusJson.write(PublishedStates.of(0, new LocalState.Empty(LocalState.NoHistory.CUT_OFF_SST, "partial"), Optional.empty(),
                Optional.empty(), T, "1.0.0", "run-0", "uid-0"))).isEqualTo(cutOff);
        for (String json : new String[] {recovered, unknownSeqno, cutOff}) {
            assertThat(StatusJson.write(StatusJson.read(json, PublishedState.class))).isEqualTo(json);
        }
    }
}
