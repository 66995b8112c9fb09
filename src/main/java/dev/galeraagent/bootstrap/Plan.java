package dev.galeraagent.bootstrap;

import dev.galeraagent.position.Position;
import dev.galeraagent.status.Decision;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What this pod does next, with the reasons a person reads in the log, the Pod annotation and {@code --dry-run}. */
public sealed interface Plan {
    List<String> reasons();

    /** The decision this plan is, by its name in logs, Events and JSON. */
    default Decision decision() {
        return switch (this) {
            case NewCluster n -> Decision.NEW_CLUSTER;
            case Join j -> Decision.JOIN;
            case BootstrapFromHere b -> Decision.BOOTSTRAP_FROM_HERE;
            case Wait w -> Decision.WAIT;
            case Refuse r -> Decision.REFUSE;
        };
    }

    /** The plan's name in logs and JSON: NEW_CLUSTER, JOIN, BOOTSTRAP_FROM_HERE, WAIT, REFUSE. */
    default String name() {
        return decision().name();
    }

    /** Every data directory is empty and this is pod 0: start a new cluster. */
    record NewCluster(List<String> reasons) implements Plan {
        public NewCluster {
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * A Primary component is live: join it.
     * @param primaryMembers ordinals of the peers seen in the Primary
     * @param startPosition  this node's recovered position, so it gets IST instead of SST; empty when unknown or not needed
     */
    record Join(List<Integer> primaryMembers, Optional<Position> startPosition, List<String> reasons) implements Plan {
        public Join {
            primaryMembers = List.copyOf(primaryMembers);
            Objects.requireNonNull(startPosition, "startPosition");
            reasons = List.copyOf(reasons);
        }
    }

    /** Full-crash recovery: this node holds the most recent state and starts the new Primary from {@code position}. */
    record BootstrapFromHere(Position position, List<String> reasons) implements Plan {
        public BootstrapFromHere {
            Objects.requireNonNull(position, "position");
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * Not enough information yet, or another pod must act first: ask again later.
     * @param awaiting the ordinal expected to bootstrap, when the election chose one
     */
    record Wait(Optional<Integer> awaiting, List<String> reasons) implements Plan {
        public Wait {
            Objects.requireNonNull(awaiting, "awaiting");
            reasons = List.copyOf(reasons);
        }
    }

    /** Going on could lose data: a person must decide ({@code --force-bootstrap-from}). */
    record Refuse(List<String> reasons) implements Plan {
        public Refuse {
            reasons = List.copyOf(reasons);
        }
    }
}
