package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecoverLogTest {
    private static final String UUID_TEXT = "56b81349-e983-11f1-9729-1b052e78bb37";

    @Test
    void readsTheRecoveredPositionFromARealLogWithASpacePaddedHour() {
        String log = """
                2026-11-26  8:46:10 0 [Warning] Could not increase number of max_open_files to more than 20000 (request: 32184)
                2026-11-26  8:46:11 0 [Note] InnoDB: Starting crash recovery from checkpoint LSN=47629
                2026-11-26  8:46:11 0 [Note] WSREP: Recovered position: 56b81349-e983-11f1-9729-1b052e78bb37:4
                """;
        RecoverLog.Recovered r = RecoverLog.parse(log);
        assertThat(r.position()).isEqualTo(new Position(UUID.fromString(UUID_TEXT), 4));
        assertThat(r.gtid()).isEmpty();
    }

    @Test
    void readsThePositionWithAGtidSuffix() {
        RecoverLog.Recovered r = RecoverLog.parse("2026-11-26 10:22:54 0 [Note] WSREP: Recovered position: " + UUID_TEXT + ":3000000000,0-1-17\n");
        assertThat(r.position().seqno()).isEqualTo(3_000_000_000L);
        assertThat(r.gtid()).contains("0-1-17");
    }

    @Test
    void takesTheLastPositionWhenTheLogHoldsSeveralRuns() {
        String log = "x [Note] WSREP: Recovered position: " + UUID_TEXT + ":4\r\ny [Note] WSREP: Recovered position: " + UUID_TEXT + ":9\r\n";
        assertThat(RecoverLog.parse(log).position().seqno()).isEqualTo(9);
    }

    @Test
    void readsTheNilPositionOfANodeWithoutHistory() {
        RecoverLog.Recovered r = RecoverLog.parse("2026-11-26 10:22:54 0 [Note] WSREP: Recovered position: 00000000-0000-0000-0000-000000000000:-1");
        assertThat(r.position().seqnoKnown()).isFalse();
    }

    @Test
    void aLogWithoutThePositionIsAnErrorNamingIt() {
        assertThatThrownBy(() -> RecoverLog.parse("2026-11-26  8:46:11 0 [ERROR] Aborting\n"))
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("no 'WSREP: Recovered position' line");
    }

    @Test
    void aMalformedPositionIsAnError() {
        assertThatThrownBy(() -> RecoverLog.parse("2026-11-26  8:46:11 0 [Note] WSREP: Recovered position: garbage"))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("Recovered position: malformed");
        assertThatThrownBy(() -> RecoverLog.parse("WSREP: Recovered position: 1-2-3-4-5:7"))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("Recovered position uuid");
    }
}
