package dev.galeraagent.position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PositionTest {
    @Test
    void parseReadsBackWhatToStringWrites() {
        Random random = new Random(20261126);
        for (int i = 0; i < 1000; i++) {
            long seqno = i % 10 == 0 ? Position.UNKNOWN_SEQNO : random.nextLong(Long.MAX_VALUE);
            Position p = new Position(new UUID(random.nextLong(), random.nextLong()), seqno);
            assertThat(Position.parse("position", p.toString())).isEqualTo(p);
        }
    }

    @Test
    void parseRefusesAnythingButUuidColonSeqnoNamingTheField() {
        String uuid = "6b2f1a4e-0000-11ef-8000-000000000001";
        for (String text : new String[] {"", "17", uuid, uuid + ":", ":17", uuid + ":x", uuid + ":-2", uuid + ":1.5", "1-1-1-1-1:17",
                uuid + ":99999999999999999999", uuid + ":17\n", null}) {
            assertThatThrownBy(() -> Position.parse("position", text)).as(String.valueOf(text))
                    .isInstanceOf(InvalidFieldException.class)
                    .hasMessageContaining("position");
        }
    }

    @Test
    void tryParseTakesWhatParseTakesAndNothingElse() {
        String uuid = "6b2f1a4e-0000-11ef-8000-000000000001";
        assertThat(Position.tryParse(uuid, 17)).contains(Position.parse("position", uuid + ":17"));
        assertThat(Position.tryParse(uuid, -1)).contains(new Position(UUID.fromString(uuid), Position.UNKNOWN_SEQNO));
        for (String text : new String[] {"1-1-1-1-1", uuid + " ", uuid + "\n", "", "x", null}) {
            assertThat(Position.tryParse(text, 17)).as(String.valueOf(text)).isEmpty();
        }
        assertThat(Position.tryParse(uuid, -2)).isEmpty();
    }

    @Test
    void aUuidOrSeqnoWrittenApartIsJudgedAsInUuidColonSeqnoNamingItsField() {
        assertThat(Position.parseUuid("uuid", "6B2F1A4E-0000-11EF-8000-000000000001")).isEqualTo(UUID.fromString("6b2f1a4e-0000-11ef-8000-000000000001"));
        assertThatThrownBy(() -> Position.parseUuid("uuid", "1-1-1-1-1")).isInstanceOf(InvalidFieldException.class)
                .hasMessage("uuid: not a uuid (8-4-4-4-12 hex digits): '1-1-1-1-1'");
        assertThat(Position.parseSeqno("seqno", "-1")).isEqualTo(Position.UNKNOWN_SEQNO);
        assertThatThrownBy(() -> Position.parseSeqno("seqno", "+5")).isInstanceOf(InvalidFieldException.class)
                .hasMessage("seqno: not a number: '+5'");
        assertThatThrownBy(() -> Position.parseSeqno("seqno", "-2")).hasMessage("seqno: must be -1 (unknown) or more, was -2");
    }
}
