package dev.galeraagent.bootstrap;

import dev.galeraagent.position.Position;
import dev.galeraagent.status.PublishedState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The other pods' published states, where this pod publishes its own, and the bootstrap Lease (rules 4 and 6). The kube
 * package implements it through the Kubernetes API; {@link #NONE} is the board without the API (rule 9: the states then
 * travel in the peers' /status).
 */
public interface StateBoard {
    StateBoard NONE = new StateBoard() {
        @Override
        public Map<Integer, PublishedState> published() {
            return Map.of();
        }

        @Override
        public Set<Integer> readyPods() {
            return Set.of();
        }

        @Override
        public Optional<Integer> openBootstrap() {
            return Optional.empty();
        }

        @Override
        public boolean recordsBootstraps() {
            return false;
        }

        @Override
        public boolean publish(PublishedState own) {
            return true;
        }

        @Override
        public LeaseGrant acquireLease(String holder, Optional<Position> position) {
            return new LeaseGrant.NoApi();
        }

        @Override
        public void releaseLease(String holder) {
        }

        @Override
        public List<String> describe() {
            return List.of("Kubernetes API: not used (--no-kube-api or no access): the election goes over the peers' /status (rule 9)");
        }
    };

    /** The other pods' latest states, by ordinal. */
    Map<Integer, PublishedState> published();

    /** The other pods whose Ready condition is True: their mysqld was a Synced member of a Primary component moments ago. */
    Set<Integer> readyPods();

    /**
     * The pod whose bootstrap is still open: it bootstrapped and not every pod is in its cluster yet, so it may hold rows
     * nobody else has. Read by the last {@link #published()} round.
     */
    Optional<Integer> openBootstrap();

    /**
     * True when a bootstrap is recorded where every pod reads it (the Lease's open-bootstrap record). Without that record
     * (rule 9) the election never decides without every pod: a pod that bootstrapped and crashed before anyone joined
     * may hold rows nobody else has, and nothing else would tell.
     */
    default boolean recordsBootstraps() {
        return true;
    }

    /**
     * Publishes this pod's state; a board may skip writing what did not change.
     *
     * @return false when it could not be published: a decision must then not be acted on (its pod would run mysqld while
     *         the others read an older state of it)
     */
    boolean publish(PublishedState own);

    /**
     * Records this round's decision where people look after the fact (Kubernetes Events); never fails the run. Called
     * every round: a board records a repeated decision once.
     */
    default void decided(PublishedState state) {
    }

    /** Takes the bootstrap Lease for {@code holder}, recording the position it bootstraps from (none for a new cluster). */
    LeaseGrant acquireLease(String holder, Optional<Position> position);

    /** Gives the Lease back when this pod decided not to bootstrap after all. */
    void releaseLease(String holder);

    /** For {@code --dry-run}: the other pods' published states and the Lease, as lines a person reads. */
    List<String> describe();
}
