package dev.galeraagent.discovery;

import dev.galeraagent.status.NodeStatus;
import java.net.URI;

/**
 * What a peer's {@code GET /status} gave: its {@link NodeStatus}, or why it is not live.
 * "Live" means only that the peer's agent answered with a valid document; whether the peer is in a
 * Primary component is {@link NodeStatus#inPrimaryComponent()}.
 */
public sealed interface PeerStatus permits PeerStatus.Live, PeerStatus.NotLive {
    /** The peer's ordinal in the StatefulSet. */
    int ordinal();

    /** The peer's DNS name. */
    String peer();

    /** The peer answered 200 with a valid {@link NodeStatus}. */
    record Live(int ordinal, String peer, URI uri, NodeStatus status) implements PeerStatus {
    }

    /**
     * The peer did not answer in time, answered non-200 or garbage, or has no address.
     *
     * @param uri    the address asked, or null when the peer's name did not resolve
     * @param reason one line for people, such as {@code "no answer within 1000 ms"}
     */
    record NotLive(int ordinal, String peer, URI uri, String reason) implements PeerStatus {
    }

    /** True for {@link Live}. */
    default boolean live() {
        return this instanceof Live;
    }

    /** One line for logs: {@code galera-1 live Primary/Synced seqno 42} or {@code galera-2 not live: refused}. */
    default String summary() {
        String name = peer().contains(".") ? peer().substring(0, peer().indexOf('.')) : peer();
        return switch (this) {
            case Live l -> name + " live" + (l.status().wsrepClusterStatus() == null ? " (no wsrep status"
                    + (l.status().error() == null ? "" : ": " + l.status().error()) + ")"
                    : " " + l.status().wsrepClusterStatus() + "/" + l.status().wsrepLocalStateComment()
                    + (l.status().wsrepLastCommitted() == null ? "" : " seqno " + l.status().wsrepLastCommitted()));
            case NotLive n -> name + " not live: " + n.reason();
        };
    }
}
