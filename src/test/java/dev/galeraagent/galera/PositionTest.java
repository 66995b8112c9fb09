package dev.galeraagent.galera;

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
}
