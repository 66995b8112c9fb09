package dev.galeraagent.bootstrap;

import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the planner decides from; plain values, gathered by the loop.
 *
 * @param selfOrdinal          this pod's ordinal
 * @param replicas             the StatefulSet's replicas
 * @param local                this node's Galera state
 * @param peerStatuses         {@code GET /status} of each peer that answered, by ordinal; absent = not live
 * @param published            the other pods' published states (through the API), by ordinal; empty without the API
 * @param remembered           the other pods' election states this run has seen since it began, by ordinal: a pod
 *                             that went quiet (it decided and is starting mysqld, or it crashed) still holds at least
 *                             that much data, so the election never forgets it (invariant S2)
 * @param readyPods            the other pods the Kubernetes API reports Ready: their mysqld served as a Synced member
 *                             of a Primary component moments ago, so an outage cannot be declared while any is Ready
 * @param quorum               how many pods' states (this one included) suffice once {@code quorumTimeoutPassed}
 * @param quorumTimeoutPassed  the caller's recovery timeout has passed: a quorum of known states is enough
 * @param forced               a person's {@code --force-bootstrap-from}
 * @param openBootstrap        the pod the bootstrap Lease names as bootstrapped with its cluster not complete yet
 */
record PlannerInput(
        int selfOrdinal,
        int replicas,
        LocalState local,
        Map<Integer, NodeStatus> peerStatuses,
        Map<Integer, PublishedState> published,
        Map<Integer, PublishedState> remembered,
        Set<Integer> readyPods,
        int quorum,
        boolean quorumTimeoutPassed,
        Optional<ForcedBootstrap> forced,
        Optional<Integer> openBootstrap) {

    public PlannerInput {
        Objects.requireNonNull(openBootstrap, "openBootstrap");
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be 1 or more, was " + replicas);
        }
        if (selfOrdinal < 0 || selfOrdinal >= replicas) {
            throw new IllegalArgumentException("ordinal " + selfOrdinal + " is outside the StatefulSet's " + replicas + " replicas");
        }
        Objects.requireNonNull(local, "local");
        peerStatuses = Map.copyOf(peerStatuses);
        published = Map.copyOf(published);
        remembered = Map.copyOf(remembered);
        readyPods = Set.copyOf(readyPods);
        Objects.requireNonNull(forced, "forced");
        forced.ifPresent(f -> {
            if (f.ordinal() >= replicas) {
                throw new IllegalArgumentException("--force-bootstrap-from=" + f + " is outside the StatefulSet's " + replicas + " replicas");
            }
        });
        if (quorum < 1 || quorum > replicas) {
            throw new IllegalArgumentException("quorum must be 1 to " + replicas + ", was " + quorum);
        }
    }

    /** The same inputs with nothing remembered and no pod Ready: the shape of a run's first round, and of the tests. */
    public static PlannerInput of(int selfOrdinal, int replicas, LocalState local, Map<Integer, NodeStatus> peerStatuses,
                                  Map<Integer, PublishedState> published, int quorum, boolean quorumTimeoutPassed, Optional<ForcedBootstrap> forced) {
        return new PlannerInput(selfOrdinal, replicas, local, peerStatuses, published, Map.of(), Set.of(), quorum, quorumTimeoutPassed, forced,
                Optional.empty());
    }
}
