package dev.galeraagent.bootstrap;

import dev.galeraagent.status.PublishedState;
import java.util.Map;

/**
 * The other pods' published states and where this pod publishes its own (DESIGN rule 4). The kube
 * package implements it with Pod annotations; {@link #NONE} is the board without the API (rule 9:
 * the states then travel in the peers' /status).
 */
public interface StateBoard {
    StateBoard NONE = new StateBoard() {
        @Override
        public Map<Integer, PublishedState> published() {
            return Map.of();
        }

        @Override
        public void publish(PublishedState own) {
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };

    /** The other pods' latest states, by ordinal. */
    Map<Integer, PublishedState> published();

    void publish(PublishedState own);

    /** True when states travel through the Kubernetes API. */
    boolean enabled();
}
