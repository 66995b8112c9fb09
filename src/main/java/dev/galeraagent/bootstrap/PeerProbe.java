package dev.galeraagent.bootstrap;

import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.PeerStatus;
import java.util.List;

/**
 * Asks peers for their {@code GET /status}; every failure is a {@link PeerStatus.NotLive}.
 * {@code PeerStatusClient.fetchAll(peers, port)} in production.
 */
@FunctionalInterface
public interface PeerProbe {
    List<PeerStatus> statuses(List<PeerDns> peers);
}
