package dev.galeraagent.bootstrap;

import dev.galeraagent.position.Position;
import java.util.Objects;

/** This node's Galera state as the planner sees it: no usable history, or a position in one cluster's history. */
public sealed interface LocalState {
    /** Why a data directory holds no history the election can use. */
    enum NoHistory {
        /** Nothing there: a fresh volume. */
        EMPTY,
        /** MariaDB data with no Galera position at all, not even in InnoDB: a standalone server's data set. */
        PRE_GALERA,
        /**
         * A state transfer into this directory was cut off (its markers are still there): the data is partial. Never a
         * bootstrap source and never "most data" (a cut-off SST elected as the source loses every row).
         */
        CUT_OFF_SST
    }

    /** No usable Galera history ({@code detail} says what the directory holds, for people). */
    record Empty(NoHistory kind, String detail) implements LocalState {
        public Empty {
            Objects.requireNonNull(kind, "kind");
        }

        public Empty(String detail) {
            this(NoHistory.EMPTY, detail);
        }
    }

    /**
     * History of a cluster up to {@code position} (its seqno unknown before {@code --wsrep-recover}).
     *
     * @param seqnoRecovered the seqno came from {@code --wsrep-recover} (grastate.dat said -1, or was missing)
     */
    record State(Position position, boolean seqnoRecovered, boolean safeToBootstrap) implements LocalState {
        public State {
            Objects.requireNonNull(position, "position");
        }

        public boolean seqnoKnown() {
            return position.seqnoKnown();
        }
    }
}
