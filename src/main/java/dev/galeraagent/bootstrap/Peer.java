package dev.galeraagent.bootstrap;

/** A pod of the StatefulSet: its ordinal and the host (name or address) its peers reach it on. */
public record Peer(int ordinal, String host) {
}
