package dev.galeraagent.bootstrap;

import java.util.List;

/**
 * Where the loop learns the peers (this pod included), asked again every round. The discovery package
 * implements it with DNS (dnsjava); {@link Identity#peers} is the plain-names version.
 */
@FunctionalInterface
public interface PeerDirectory {
    List<Peer> peers();
}
