package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.galeraagent.position.Position;
import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.handoff.HandOffLease;
import dev.galeraagent.files.HostileFiles;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeFilesTest {
    static final String UUID = "6b2f1a4e-0000-11ef-8000-000000000001";

    @TempDir
    Path dir;

    @Test
    void grastateIsReadByTheBootstrapsParserWithCrlfAndComments() throws Exception {
        Files.writeString(dir.resolve("grastate.dat"), "# GALERA saved state\r\nversion: 2.1\r\nuuid:    " + UUID + "\r\n"
                + "seqno:   -1\r\nsafe_to_bootstrap: 1\r\n");
        assertThat(new NodeFiles(dir, dir).grastate()).isEqualTo(new NodeStatus.Grastate(UUID, -1, true));
    }

    @Test
    void aMissingTruncatedOrGarbledGrastateShowsNothingInsteadOfFailing() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        assertThat(files.grastate()).isNull();
        Files.writeString(dir.resolve("grastate.dat"), "# GALERA saved state\nversion: 2.1\nuuid: 6b2f");
        assertThat(files.grastate()).isNull();
        Files.writeString(dir.resolve("grastate.dat"), "version: 2.1\nuuid: " + UUID + "\nseqno: 99999999999999999999999\nsafe_to_bootstrap: 0\n");
        assertThat(files.grastate()).isNull();
        assertThat(new NodeFiles(null, null).grastate()).isNull();
    }

    @Test
    void aFifoHugeFileOrLinkInPlaceOfGrastateOrTheHandOffShowsNothingAtOnce() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        HostileFiles.fifo(dir.resolve("grastate.dat"));
        HostileFiles.fifo(dir.resolve(HandOff.REQUEST));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(files.grastate()).isNull();
            assertThat(files.lastDecision()).isNull();
        });
        Files.delete(dir.resolve("grastate.dat"));
        HostileFiles.huge(dir.resolve("grastate.dat"), 400L * 1024 * 1024);
        assertThat(files.grastate()).isNull();
        Files.delete(dir.resolve("grastate.dat"));
        Path real = Files.writeString(dir.resolve("real"), "version: 2.1\nuuid: " + UUID + "\nseqno: 7\nsafe_to_bootstrap: 0\n");
        Files.createSymbolicLink(dir.resolve("grastate.dat"), real);
        assertThat(files.grastate()).isNull();
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
    void aStateTransferStartedWhenItsOldestMarkerWasWritten() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        assertThat(files.stateTransferStarted()).isEmpty();
        Files.writeString(dir.resolve("wsrep_sst.pid"), "1234\n");
        Files.setLastModifiedTime(dir.resolve("wsrep_sst.pid"), FileTime.from(Instant.parse("2026-11-26T10:05:00Z")));
        Files.writeString(dir.resolve("sst_in_progress"), "");
        Files.setLastModifiedTime(dir.resolve("sst_in_progress"), FileTime.from(Instant.parse("2026-11-26T10:00:00Z")));
        assertThat(files.stateTransferStarted()).contains(Instant.parse("2026-11-26T10:00:00Z"));
        Files.delete(dir.resolve("sst_in_progress"));
        assertThat(files.stateTransferStarted()).contains(Instant.parse("2026-11-26T10:05:00Z"));
        assertThat(new NodeFiles(null, null).stateTransferStarted()).isEmpty();
    }

    @Test
    void theLeaseIsHeldSinceThePendingRequestThatNamesItWasDecided() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        assertThat(files.bootstrapLeaseHeldSince()).isEmpty();
        HandOff request = new HandOff("NEW_CLUSTER", "galera-0", 0, null, null, List.of("empty"), "2026-11-26T10:00:00Z", "1.0");
        Files.writeString(dir.resolve(HandOff.REQUEST), request.toJson());
        assertThat(files.bootstrapLeaseHeldSince()).as("no Lease named: none held (no API)").isEmpty();

        HandOffLease lease = new HandOffLease("db", "galera-galera-bootstrap", "galera-0", Duration.ofSeconds(60));
        Files.writeString(dir.resolve(HandOff.REQUEST), request.toJson(Optional.of(lease)));
        assertThat(files.bootstrapLeaseHeldSince()).contains(Instant.parse("2026-11-26T10:00:00Z"));

        HandOff untimed = new HandOff("NEW_CLUSTER", "galera-0", 0, null, null, List.of(), "not a time", "1.0");
        Files.writeString(dir.resolve(HandOff.REQUEST), untimed.toJson(Optional.of(lease)));
        Files.setLastModifiedTime(dir.resolve(HandOff.REQUEST), FileTime.from(Instant.parse("2026-11-26T11:00:00Z")));
        assertThat(files.bootstrapLeaseHeldSince()).as("the file's age stands in for a time that does not parse")
                .contains(Instant.parse("2026-11-26T11:00:00Z"));

        Files.writeString(dir.resolve(HandOff.REQUEST), "{\"lease\": 7");
        assertThat(files.bootstrapLeaseHeldSince()).as("garbage").isEmpty();

        Files.writeString(dir.resolve(HandOff.REQUEST), request.toJson(Optional.of(lease)));
        HandOff.complete(dir);
        assertThat(files.bootstrapLeaseHeldSince()).as("done: the sidecar released it").isEmpty();
        assertThat(new NodeFiles(null, null).bootstrapLeaseHeldSince()).isEmpty();
    }

    @Test
    void theLastDecisionIsWhatHandOffWroteAndTheDoneHandOffWinsOverTheRequest() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        assertThat(files.lastDecision()).isNull();
        HandOff request = new HandOff("BOOTSTRAP_FROM_HERE", "galera-2", 2, Position.parse("position", UUID + ":17"), dir.resolve("galera-once.d/bootstrap.cnf").toString(),
                List.of("highest seqno", "ordinal 2"), "2026-11-26T10:00:00Z", "1.0");
        Files.writeString(dir.resolve(HandOff.REQUEST), request.toJson());
        assertThat(files.lastDecision()).isEqualTo(new PublishedState(2, NodeFiles.PHASE_REQUESTED, false, UUID, 17, false, false,
                "BOOTSTRAP_FROM_HERE", List.of("highest seqno", "ordinal 2"), null, "2026-11-26T10:00:00Z", "1.0", null, null, false));

        HandOff.complete(dir);
        PublishedState done = files.lastDecision();
        assertThat(done.phase()).isEqualTo(NodeFiles.PHASE_BOOTSTRAPPED);
        assertThat(done.decision()).isEqualTo("BOOTSTRAP_FROM_HERE");

        HandOff newCluster = new HandOff("NEW_CLUSTER", "galera-0", 0, null, null, List.of("fresh cluster"), "2026-11-26T11:00:00Z", "1.0");
        Files.writeString(dir.resolve(HandOff.REQUEST), newCluster.toJson());
        assertThat(files.lastDecision().decision()).as("done.json wins while both exist").isEqualTo("BOOTSTRAP_FROM_HERE");
        Files.delete(dir.resolve(HandOff.DONE));
        PublishedState fresh = files.lastDecision();
        assertThat(fresh.uuid()).isNull();
        assertThat(fresh.seqno()).isEqualTo(-1);
        assertThat(fresh.decision()).isEqualTo("NEW_CLUSTER");
    }

    @Test
    void aMalformedHandOffPositionIsShownAsNone() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        for (String position : new String[] {"\"17\"", "17", "true", "\"" + UUID + ":\"", "\"not-a-uuid:17\"", "\"1-1-1-1-1:17\"", "\"" + UUID + ":x\"",
                "\"" + UUID + ":-2\"", "\":17\""}) {
            Files.writeString(dir.resolve(HandOff.REQUEST), "{\"plan\":\"BOOTSTRAP_FROM_HERE\",\"pod\":\"galera-2\",\"ordinal\":2,\"position\":" + position
                    + ",\"reasons\":[\"r\"],\"agent_version\":\"1.0\"}");
            PublishedState d = files.lastDecision();
            assertThat(d.decision()).as(position).isEqualTo("BOOTSTRAP_FROM_HERE");
            assertThat(d.uuid()).as(position).isNull();
            assertThat(d.seqno()).as(position).isEqualTo(-1);
        }
        Files.writeString(dir.resolve(HandOff.REQUEST), "{\"plan\":\"BOOTSTRAP_FROM_HERE\",\"ordinal\":2,\"position\":{\"uuid\":\"" + UUID + "\"}}");
        assertThat(files.lastDecision()).as("not a string: an unreadable hand-off, as before").isNull();
        PublishedState ok = NodeFiles.decisionOf(HandOff.parse("{\"plan\":\"BOOTSTRAP_FROM_HERE\",\"ordinal\":2,\"position\":\"" + UUID + ":-1\"}"), "x");
        assertThat(ok.uuid()).isEqualTo(UUID);
        assertThat(ok.seqno()).isEqualTo(-1);
    }

    @Test
    void aGarbledHandOffShowsNoDecisionInsteadOfFailing() throws Exception {
        NodeFiles files = new NodeFiles(dir, dir);
        Files.writeString(dir.resolve(HandOff.REQUEST), "{\"plan\": ");
        assertThat(files.lastDecision()).isNull();
        Files.writeString(dir.resolve(HandOff.REQUEST), "[1,2]");
        assertThat(files.lastDecision()).isNull();
        Files.delete(dir.resolve(HandOff.REQUEST));
        Files.createDirectory(dir.resolve(HandOff.DONE));
        assertThat(files.lastDecision()).isNull();
    }

    @Test
    void theLastDecisionOfAHandOffIsWhatThePreviousAgentServedByteForByte() {
        // served in /status by the agent of commit a9feb7c, which parsed the hand-off's position itself
        HandOff h = HandOff.parse("{\"plan\":\"BOOTSTRAP_FROM_HERE\",\"pod\":\"galera-1\",\"ordinal\":1,"
                + "\"position\":\"6b2f1a4e-0000-11ef-8000-000000000001:42\",\"one_shot_file\":\"/c/galera-once.d/bootstrap.cnf\","
                + "\"reasons\":[\"pod 1 has the highest seqno 42\"],\"time\":\"2026-11-26T10:00:00Z\",\"agent_version\":\"1.0.0\",\"replicas\":3}");
        assertThat(dev.galeraagent.status.StatusJson.write(NodeFiles.decisionOf(h, NodeFiles.PHASE_REQUESTED))).isEqualTo("{\"ordinal\":1,"
                + "\"phase\":\"bootstrap-requested\",\"empty\":false,\"uuid\":\"6b2f1a4e-0000-11ef-8000-000000000001\",\"seqno\":42,"
                + "\"seqno_recovered\":false,\"safe_to_bootstrap\":false,\"decision\":\"BOOTSTRAP_FROM_HERE\","
                + "\"reasons\":[\"pod 1 has the highest seqno 42\"],\"time\":\"2026-11-26T10:00:00Z\",\"agent_version\":\"1.0.0\",\"cut_off\":false}");
    }
}
