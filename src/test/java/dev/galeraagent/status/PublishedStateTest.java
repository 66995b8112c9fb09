package dev.galeraagent.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.position.Position;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PublishedStateTest {
    private static final String UUID_TEXT = "6f0a1b2c-3d4e-11ef-8a9b-0242ac120002";

    private static PublishedState state(boolean empty, String uuid, long seqno) {
        return new PublishedState(1, "waiting", empty, uuid, seqno, true, false, null, List.of(), null, "2026-12-02T00:00:00Z", "test");
    }

    @Test
    void aValidUuidAndSeqnoAreThePositionTheStateClaims() {
        assertThat(state(false, UUID_TEXT, 42).position()).contains(new Position(UUID.fromString(UUID_TEXT), 42));
        assertThat(state(false, UUID_TEXT, -1).position()).contains(new Position(UUID.fromString(UUID_TEXT), Position.UNKNOWN_SEQNO));
        assertThat(state(false, UUID_TEXT, -7).position()).as("below -1 reads as unknown, as the election always read it")
                .contains(new Position(UUID.fromString(UUID_TEXT), Position.UNKNOWN_SEQNO));
    }

    @Test
    void noHistoryAndTextThatIsNotACanonicalUuidClaimNoPosition() {
        assertThat(state(true, UUID_TEXT, 42).position()).as("empty wins over what the uuid says").isEmpty();
        assertThat(state(false, "1-1-1-1-1", 42).position()).as("lenient UUID.fromString would accept it").isEmpty();
        assertThat(state(false, UUID_TEXT + "\n", 42).position()).isEmpty();
        assertThat(state(false, "", 42).position()).isEmpty();
        assertThat(state(false, null, 42).position()).isEmpty();
        assertThat(state(false, UUID_TEXT.toUpperCase(), 42).position()).as("hex digits in either case are canonical")
                .contains(new Position(UUID.fromString(UUID_TEXT), 42));
    }

    @Test
    void thePositionIsNotPartOfTheWireFormat() {
        String json = StatusJson.write(state(false, UUID_TEXT, 42));
        assertThat(json).doesNotContain("\"position\"");
    }
}
