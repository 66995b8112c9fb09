package dev.galeraagent.bootstrap;

import dev.galeraagent.discovery.DiscoveryResult;

/**
 * Where the loop learns the peers (this pod included); asked again every round, so pods that appear
 * later are found. {@code DnsDiscovery.discover(identity, replicas)} in production.
 */
@FunctionalInterface
public interface PeerDirectory {
    DiscoveryResult discover();
}
