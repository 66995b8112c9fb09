package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeFilesTest {
    @TempDir
    Path dir;

    @Test
    void grastateIsShownWithCrlfCommentsAndUnknownKeys() {
        NodeStatus.Grastate g = NodeFiles.parseGrastate("# GALERA saved state\r\nversion: 2.1\r\nuuid:    6b2f1a4e-0000-11ef-8000-000000000001\r\n"
                + "seqno:   -1\r\nsafe_to_bootstrap: 1\r\n");
        assertThat(g).isEqualTo(new NodeStatus.Grastate("6b2f1a4e-0000-11ef-8000-000000000001", -1, true));
    }

    @Test
    void aMissingTruncatedOrGarbledGrastateShowsNothingInsteadOfFailing() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        assertThat(files.grastate()).isNull();
        Files.writeString(dir.resolve("grastate.dat"), "# GALERA saved state\nversion: 2.1\nuuid: 6b2f");
        assertThat(files.grastate()).isNull();
        Files.writeString(dir.resolve("grastate.dat"), "uuid: x\nseqno: 99999999999999999999999\n");
        assertThat(files.grastate()).isNull();
        assertThat(new NodeFiles(null, null).grastate()).isNull();
    }

    @Test
    void stateTransferMarkersAreSeen() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        assertThat(files.stateTransferInProgress()).isFalse();
        Files.writeString(dir.resolve("sst_in_progress"), "");
        assertThat(files.stateTransferInProgress()).isTrue();
        Files.delete(dir.resolve("sst_in_progress"));
        Files.writeString(dir.resolve("wsrep_sst.pid"), "1234\n");
        assertThat(files.stateTransferInProgress()).isTrue();
        assertThat(new NodeFiles(null, null).stateTransferInProgress()).isFalse();
    }

    @Test
    void theDoneHandOffWinsOverTheRequestAndAPublishedStateIsReadAsIs() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        assertThat(files.lastDecision()).isNull();
        Files.writeString(dir.resolve(NodeFiles.BOOTSTRAP_REQUEST), "{\"plan\":\"NEW_CLUSTER\",\"reasons\":[\"fresh cluster\",\"ordinal 0\"]}");
        PublishedState requested = files.lastDecision();
        assertThat(requested.decision()).isEqualTo("NEW_CLUSTER");
        assertThat(requested.phase()).isEqualTo("bootstrap-requested");
        assertThat(requested.reasons()).containsExactly("fresh cluster", "ordinal 0");
        assertThat(requested.seqno()).isEqualTo(-1);

        Files.writeString(dir.resolve(NodeFiles.BOOTSTRAP_DONE), "{\"ordinal\":2,\"phase\":\"decided\",\"empty\":false,"
                + "\"uuid\":\"6b2f1a4e-0000-11ef-8000-000000000001\",\"seqno\":17,\"safe_to_bootstrap\":true,\"decision\":\"BOOTSTRAP_FROM_HERE\","
                + "\"reasons\":[\"highest seqno\"],\"forced_from\":2,\"time\":\"2026-11-26T10:00:00Z\",\"agent_version\":\"1.0\"}");
        PublishedState done = files.lastDecision();
        assertThat(done).isEqualTo(new PublishedState(2, "decided", false, "6b2f1a4e-0000-11ef-8000-000000000001", 17, false, true,
                "BOOTSTRAP_FROM_HERE", java.util.List.of("highest seqno"), 2, "2026-11-26T10:00:00Z", "1.0"));
    }

    @Test
    void aGarbledHandOffShowsNoDecisionInsteadOfFailing() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        Files.writeString(dir.resolve(NodeFiles.BOOTSTRAP_REQUEST), "{\"plan\": ");
        assertThat(files.lastDecision()).isNull();
        Files.writeString(dir.resolve(NodeFiles.BOOTSTRAP_REQUEST), "[1,2]");
        assertThat(files.lastDecision()).isNull();
        Files.delete(dir.resolve(NodeFiles.BOOTSTRAP_REQUEST));
        Files.createDirectory(dir.resolve(NodeFiles.BOOTSTRAP_DONE));
        assertThat(files.lastDecision()).isNull();
    }
}
