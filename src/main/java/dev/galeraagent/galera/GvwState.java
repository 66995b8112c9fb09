package dev.galeraagent.galera;

/**
 * Galera's {@code gvwstate.dat}: the last Primary component this node saw, which {@code pc.recovery} uses to restore that
 * component when all its members come back. Its presence means the node was in a Primary component when it stopped
 * uncleanly; the agent looks only at whether it is there and when it changed, never at its content.
 */
public final class GvwState {
    public static final String FILE_NAME = "gvwstate.dat";

    private GvwState() {
    }
}
