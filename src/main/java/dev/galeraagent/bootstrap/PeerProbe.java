package dev.galeraagent.bootstrap;

import dev.galeraagent.status.NodeStatus;
import java.util.List;
import java.util.Map;

/**
 * Asks peers for their {@code GET /status}. A peer that does not answer in time is absent from the
 * result: not live. The discovery package's {@code PeerStatusClient} is the full implementation.
 */
@FunctionalInterface
public interface PeerProbe {
    Map<Integer, NodeStatus> statuses(List<Peer> peers);
}
