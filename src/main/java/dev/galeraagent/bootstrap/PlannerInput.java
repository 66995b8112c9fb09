package dev.galeraagent.bootstrap;

import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the planner decides from; plain values, gathered by the loop.
 *
 * @param selfOrdinal          this pod's ordinal
 * @param replicas             the StatefulSet's replicas
 * @param local                this node's Galera state
 * @param peerStatuses         {@code GET /status} of each peer that answered, by ordinal; absent = not live
 * @param published            the other pods' published states (Pod annotations), by ordinal; empty without the API
 * @param quorum               how many pods' states (this one included) suffice once {@code quorumTimeoutPassed}
 * @param quorumTimeoutPassed  the caller's recovery timeout has passed: a quorum of published states is enough
 * @param forceBootstrapFrom   the ordinal a person chose with {@code --force-bootstrap-from}
 */
public record PlannerInput(
        int selfOrdinal,
        int replicas,
        LocalState local,
        Map<Integer, NodeStatus> peerStatuses,
        Map<Integer, PublishedState> published,
        int quorum,
        boolean quorumTimeoutPassed,
        Optional<Integer> forceBootstrapFrom) {

    public PlannerInput {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be 1 or more, was " + replicas);
        }
        if (selfOrdinal < 0 || selfOrdinal >= replicas) {
            throw new IllegalArgumentException("ordinal " + selfOrdinal + " is outside the StatefulSet's " + replicas + " replicas");
        }
        Objects.requireNonNull(local, "local");
        peerStatuses = Map.copyOf(peerStatuses);
        published = Map.copyOf(published);
        Objects.requireNonNull(forceBootstrapFrom, "forceBootstrapFrom");
        forceBootstrapFrom.ifPresent(f -> {
            if (f < 0 || f >= replicas) {
                throw new IllegalArgumentException("--force-bootstrap-from=" + f + " is outside the StatefulSet's " + replicas + " replicas");
            }
        });
        if (quorum < 1 || quorum > replicas) {
            throw new IllegalArgumentException("quorum must be 1 to " + replicas + ", was " + quorum);
        }
    }

    /** The usual quorum: a strict majority. */
    public static int majority(int replicas) {
        return replicas / 2 + 1;
    }
}
