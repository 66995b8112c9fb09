package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.files.SafeFiles;
import dev.galeraagent.testing.Hostile;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * grastate.dat, gvwstate.dat and the --wsrep-recover log come from the data volume, which anything that
 * can write there controls: on any text up to the reader's cap their parsers answer with a value or an
 * {@link InvalidFieldException} whose message is one short line, and quickly.
 */
class GaleraFilesPropertyTest {
    static final String UUID = "6b2f1a4e-0000-11ef-8000-000000000001";
    static final String GRASTATE = "# GALERA saved state\nversion: 2.1\nuuid:    " + UUID + "\nseqno:   -1\nsafe_to_bootstrap: 0\n";
    static final String RECOVER_LOG = "2026-12-01 10:00:00 0 [Note] InnoDB: Starting crash recovery\n"
            + "2026-12-01 10:00:01 0 [Note] WSREP: Recovered position: " + UUID + ":42,0-1-42\n";

    static void parsesOrRefusesOnOneLine(String text, Consumer<String> parser) {
        long started = System.nanoTime();
        try {
            parser.accept(text);
        } catch (InvalidFieldException e) {
            assertThat(e.getMessage()).doesNotContain("\n", "\r").hasSizeLessThan(600);
        }
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms for %d characters", text.length()).isLessThan(2000);
    }

    @Provide
    Arbitrary<String> grastates() {
        return Arbitraries.oneOf(Hostile.text(SafeFiles.SMALL_FILE_MAX), Hostile.mutationsOf(GRASTATE),
                Hostile.number().map(n -> GRASTATE.replace("seqno:   -1", "seqno:   " + n)),
                Arbitraries.integers().between(1, 5000).map(n -> GRASTATE.repeat(n)));
    }

    @Provide
    Arbitrary<String> recoverLogs() {
        return Arbitraries.oneOf(Hostile.text(64 * 1024), Hostile.mutationsOf(RECOVER_LOG),
                Hostile.number().map(n -> RECOVER_LOG.replace(":42,", ":" + n + ",")),
                Arbitraries.integers().between(1, 20_000).map(RECOVER_LOG::repeat));
    }

    @Property(tries = 400)
    void grastateParsesOrIsRefusedOnOneLine(@ForAll("grastates") String text) {
        parsesOrRefusesOnOneLine(text, GrastateFile::parse);
    }

    @Property(tries = 300)
    void theRecoverLogParsesOrIsRefusedOnOneLine(@ForAll("recoverLogs") String text) {
        parsesOrRefusesOnOneLine(text, RecoverLog::parse);
    }

    @Property(tries = 300)
    void aPositionParsesOrIsRefusedOnOneLine(@ForAll("positions") String text) {
        parsesOrRefusesOnOneLine(text, t -> Position.parse("position", t));
    }

    @Provide
    Arbitrary<String> positions() {
        return Arbitraries.oneOf(Hostile.text(300), Hostile.mutationsOf(UUID + ":42"), Hostile.number().map(n -> UUID + ":" + n));
    }

    @Property(tries = 50)
    void aValidGrastateStillParsesAfterItsSeqnoIsReplacedByAnyLong(@ForAll long seqno) {
        if (seqno < -1) {
            return;
        }
        assertThat(GrastateFile.parse(GRASTATE.replace("seqno:   -1", "seqno:   " + seqno)).seqno()).isEqualTo(seqno);
    }
}
