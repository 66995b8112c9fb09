package dev.galeraagent.bootstrap;

import dev.galeraagent.position.Position;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Small builders for planner inputs, shared by the table and property tests. */
final class PlannerFixtures {
    static final UUID U1 = UUID.fromString("86af4600-e983-11f1-a2ff-bfa38c7146ac");
    static final UUID U2 = UUID.fromString("56b81349-e983-11f1-9729-1b052e78bb37");

    private PlannerFixtures() {
    }

    static LocalState empty() {
        return new LocalState.Empty("empty data directory");
    }

    static LocalState state(UUID uuid, long seqno) {
        return new LocalState.State(new Position(uuid, seqno), true, false);
    }

    static LocalState safe(UUID uuid, long seqno) {
        return new LocalState.State(new Position(uuid, seqno), false, true);
    }

    static PublishedState published(int ordinal, LocalState s) {
        return PublishedStates.of(ordinal, s, Optional.empty(), Optional.empty(), Instant.parse("2026-11-26T10:00:00Z"), "test", "run-" + ordinal, null);
    }

    static NodeStatus primary(int ordinal, UUID uuid, long committed) {
        return new NodeStatus("test", "galera-" + ordinal, ordinal, "Primary", "Synced", uuid.toString(), committed, 2, true, true, true, true,
                null, null, null, null);
    }

    static NodeStatus nonPrimary(int ordinal) {
        return new NodeStatus("test", "galera-" + ordinal, ordinal, "non-Primary", "Initialized", null, -1L, 1, false, true, false, true,
                null, null, null, null);
    }

    /** What a waiting `agent bootstrap` serves on /status: no wsrep fields, its state as last_decision. */
    static NodeStatus waiting(int ordinal, LocalState s) {
        return new NodeStatus("test", "galera-" + ordinal, ordinal, null, null, null, null, null, null, null, false, true,
                "agent bootstrap is waiting", null, published(ordinal, s), null);
    }

    static PlannerInput input(int self, int replicas, LocalState local, Map<Integer, NodeStatus> statuses, Map<Integer, PublishedState> published) {
        return PlannerInput.of(self, replicas, local, statuses, published, majority(replicas), false, Optional.empty());
    }

    /** The usual quorum: a strict majority. */
    static int majority(int replicas) {
        return replicas / 2 + 1;
    }
}
