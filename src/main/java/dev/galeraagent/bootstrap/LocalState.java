package dev.galeraagent.bootstrap;

import dev.galeraagent.galera.Position;
import java.util.Objects;
import java.util.UUID;

/** This node's Galera state as the planner sees it: no history at all, or a position in one cluster's history. */
public sealed interface LocalState {
    /** No Galera history: an empty data directory, or MariaDB files without a cluster uuid ({@code detail} says which). */
    record Empty(String detail) implements LocalState {
    }

    /**
     * History of cluster {@code uuid} up to {@code seqno} (-1: unknown, before {@code --wsrep-recover}).
     *
     * @param seqnoRecovered  the seqno came from {@code --wsrep-recover} (grastate.dat said -1)
     * @param gvwstatePresent {@code gvwstate.dat} exists: the node stopped uncleanly while in a Primary
     */
    record State(UUID uuid, long seqno, boolean seqnoRecovered, boolean safeToBootstrap, boolean gvwstatePresent) implements LocalState {
        public State {
            Objects.requireNonNull(uuid, "uuid");
        }

        public boolean seqnoKnown() {
            return seqno != Position.UNKNOWN_SEQNO;
        }

        public Position position() {
            return new Position(uuid, seqno);
        }
    }
}
