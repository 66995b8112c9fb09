package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class GrastateFileTest {
    private static final String UUID_TEXT = "86af4600-e983-11f1-a2ff-bfa38c7146ac";
    private static final String GALERA_WRITTEN = "# GALERA saved state\nversion: 2.1\nuuid:    " + UUID_TEXT + "\nseqno:   -1\nsafe_to_bootstrap: 1\n";

    @Test
    void parsesTheFileGaleraWrites() {
        GrastateFile g = GrastateFile.parse(GALERA_WRITTEN);
        assertThat(g.uuid()).isEqualTo(UUID.fromString(UUID_TEXT));
        assertThat(g.seqno()).isEqualTo(-1);
        assertThat(g.safeToBootstrap()).isTrue();
        assertThat(g.hasHistory()).isTrue();
    }

    @Test
    void rendersExactlyGalerasLayoutAndRoundTrips() {
        GrastateFile g = GrastateFile.parse(GALERA_WRITTEN);
        assertThat(g.render()).isEqualTo(GALERA_WRITTEN);
        assertThat(GrastateFile.parse(g.render())).isEqualTo(g);
    }

    @Test
    void toleratesCrlfExtraSpacesCommentsAndBlankLines() {
        String messy = "# GALERA saved state\r\n\r\n  version :  2.1  \r\n# edited by hand\r\nuuid:\t" + UUID_TEXT
                + "\r\n   seqno:    42   \r\nsafe_to_bootstrap:0\r\n\r\n";
        GrastateFile g = GrastateFile.parse(messy);
        assertThat(g.seqno()).isEqualTo(42);
        assertThat(g.safeToBootstrap()).isFalse();
    }

    @Test
    void readsASeqnoPastTwoToTheThirtyOneAndUpToLongMax() {
        assertThat(GrastateFile.parse(GALERA_WRITTEN.replace("seqno:   -1", "seqno:   2147483648")).seqno()).isEqualTo(2147483648L);
        assertThat(GrastateFile.parse(GALERA_WRITTEN.replace("seqno:   -1", "seqno:   " + Long.MAX_VALUE)).seqno()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void refusesASeqnoBeyondLongRangeNamingTheField() {
        assertThatThrownBy(() -> GrastateFile.parse(GALERA_WRITTEN.replace("seqno:   -1", "seqno:   9223372036854775808")))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("seqno: out of range");
    }

    @Test
    void refusesBadSeqnos() {
        for (String bad : new String[] {"abc", "-2", "1.5", "0x10", "--1", "+5"}) {
            assertThatThrownBy(() -> GrastateFile.parse(GALERA_WRITTEN.replace("seqno:   -1", "seqno: " + bad)))
                    .as(bad).isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("seqno: ");
        }
    }

    @Test
    void refusesBadUuids() {
        for (String bad : new String[] {"1-1-1-1-1", "86af4600-e983-11f1-a2ff-bfa38c7146a", "86af4600e98311f1a2ffbfa38c7146ac", "zzaf4600-e983-11f1-a2ff-bfa38c7146ac"}) {
            assertThatThrownBy(() -> GrastateFile.parse(GALERA_WRITTEN.replace(UUID_TEXT, bad)))
                    .as(bad).isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("uuid: not a uuid");
        }
    }

    @Test
    void refusesAFlagOtherThanZeroOrOne() {
        assertThatThrownBy(() -> GrastateFile.parse(GALERA_WRITTEN.replace("safe_to_bootstrap: 1", "safe_to_bootstrap: yes")))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("safe_to_bootstrap: must be 0 or 1");
    }

    @Test
    void refusesAnUnknownVersion() {
        assertThatThrownBy(() -> GrastateFile.parse(GALERA_WRITTEN.replace("version: 2.1", "version: 3.0")))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("version: unsupported '3.0'");
    }

    @Test
    void aTruncatedFileNamesTheMissingField() {
        String truncated = GALERA_WRITTEN.substring(0, GALERA_WRITTEN.indexOf("seqno"));
        assertThatThrownBy(() -> GrastateFile.parse(truncated))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("seqno: missing");
        String cutMidLine = GALERA_WRITTEN.substring(0, GALERA_WRITTEN.indexOf("safe_to_bootstrap") + 10);
        assertThatThrownBy(() -> GrastateFile.parse(cutMidLine))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("line 5: expected 'key: value'");
        assertThatThrownBy(() -> GrastateFile.parse(""))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("version: missing");
    }

    @Test
    void aFieldWithoutValueOrTwiceIsRefused() {
        assertThatThrownBy(() -> GrastateFile.parse(GALERA_WRITTEN.replace("seqno:   -1", "seqno:")))
                .isInstanceOf(InvalidFieldException.class).hasMessage("seqno: empty value");
        assertThatThrownBy(() -> GrastateFile.parse(GALERA_WRITTEN + "seqno: 5\n"))
                .isInstanceOf(InvalidFieldException.class).hasMessage("seqno: appears twice");
    }

    @Test
    void theNilUuidMeansNoHistory() {
        GrastateFile g = GrastateFile.parse(GALERA_WRITTEN.replace(UUID_TEXT, "00000000-0000-0000-0000-000000000000"));
        assertThat(g.hasHistory()).isFalse();
    }

    @Test
    void settingSafeToBootstrapKeepsTheRest() {
        GrastateFile g = GrastateFile.parse(GALERA_WRITTEN.replace("safe_to_bootstrap: 1", "safe_to_bootstrap: 0"));
        assertThat(g.withSafeToBootstrap(true).render()).isEqualTo(GALERA_WRITTEN);
    }
}
