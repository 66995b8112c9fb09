package dev.galeraagent.bootstrap;

import dev.galeraagent.galera.Position;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What this pod does next, with the reasons a person reads in the log, the Pod annotation and {@code --dry-run}. */
public sealed interface Plan {
    List<String> reasons();

    /** The plan's name in logs and JSON: NEW_CLUSTER, JOIN, BOOTSTRAP_FROM_HERE, WAIT, REFUSE. */
    String name();

    /** Every data directory is empty and this is pod 0: start a new cluster. */
    record NewCluster(List<String> reasons) implements Plan {
        public NewCluster {
            reasons = List.copyOf(reasons);
        }

        @Override
        public String name() {
            return "NEW_CLUSTER";
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

        @Override
        public String name() {
            return "JOIN";
        }
    }

    /** Full-crash recovery: this node holds the most recent state and starts the new Primary from {@code position}. */
    record BootstrapFromHere(Position position, List<String> reasons) implements Plan {
        public BootstrapFromHere {
            Objects.requireNonNull(position, "position");
            reasons = List.copyOf(reasons);
        }

        @Override
        public String name() {
            return "BOOTSTRAP_FROM_HERE";
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

        @Override
        public String name() {
            return "WAIT";
        }
    }

    /** Going on could lose data: a person must decide ({@code --force-bootstrap-from}). */
    record Refuse(List<String> reasons) implements Plan {
        public Refuse {
            reasons = List.copyOf(reasons);
        }

        @Override
        public String name() {
            return "REFUSE";
        }
    }
}
