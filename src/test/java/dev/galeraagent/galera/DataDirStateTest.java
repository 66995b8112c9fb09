package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataDirStateTest {
    private static final String GRASTATE = "version: 2.1\nuuid: 86af4600-e983-11f1-a2ff-bfa38c7146ac\nseqno: 7\nsafe_to_bootstrap: 0\n";
    private static final String NIL = "version: 2.1\nuuid: 00000000-0000-0000-0000-000000000000\nseqno: -1\nsafe_to_bootstrap: 0\n";

    @Test
    void aFreshVolumeIsEmptyEvenWithLostAndFound() {
        assertThat(DataDirState.classify(Set.of("lost+found"), Optional.empty(), false).kind()).isEqualTo(DataDirState.Kind.EMPTY);
        assertThat(DataDirState.classify(Set.of(), Optional.empty(), false).kind()).isEqualTo(DataDirState.Kind.EMPTY);
    }

    @Test
    void mariadbFilesWithoutGrastateHaveNoHistory() {
        DataDirState s = DataDirState.classify(Set.of("ibdata1", "mysql", "aria_log_control"), Optional.empty(), false);
        assertThat(s.kind()).isEqualTo(DataDirState.Kind.NO_HISTORY);
        assertThat(s.describe()).contains("no grastate.dat").contains("ibdata1, mysql");
    }

    @Test
    void theNilUuidHasNoHistory() {
        assertThat(DataDirState.classify(Set.of("grastate.dat", "ibdata1"), Optional.of(NIL), false).kind()).isEqualTo(DataDirState.Kind.NO_HISTORY);
    }

    @Test
    void aGrastateWithAUuidIsState() {
        DataDirState s = DataDirState.classify(Set.of("grastate.dat", "gvwstate.dat"), Optional.of(GRASTATE), true);
        assertThat(s.kind()).isEqualTo(DataDirState.Kind.STATE);
        assertThat(s.describe()).contains("seqno 7").contains("gvwstate.dat present");
    }

    @Test
    void aCorruptGrastateIsAnError() {
        assertThatThrownBy(() -> DataDirState.classify(Set.of("grastate.dat"), Optional.of("version: 2.1\nuuid: x\n"), false))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("uuid:");
    }

    @Test
    void theEmptyGrastateACutOffTransferLeavesIsPartOfItsPartialDataNotAnError() {
        // what a kill -9 mid-SST left on real Galera (e2e S14): an empty grastate.dat beside the markers
        DataDirState s = DataDirState.classify(Set.of("grastate.dat", "sst_in_progress", "wsrep_sst.pid", "ibdata1", "mysql"), Optional.of(""),
                false);
        assertThat(s.cutOffTransfer()).isTrue();
        assertThat(s.grastate()).isEmpty();
        assertThat(s.describe()).contains("a state transfer was cut off here (sst_in_progress, wsrep_sst.pid left behind)");
        assertThatThrownBy(() -> DataDirState.classify(Set.of("grastate.dat", "ibdata1"), Optional.of(""), false))
                .as("without the markers an empty grastate.dat is still an error").isInstanceOf(InvalidFieldException.class);
    }
}
