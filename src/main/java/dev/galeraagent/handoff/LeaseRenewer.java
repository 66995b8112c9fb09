package dev.galeraagent.handoff;

import java.time.Duration;

/**
 * The sidecar's hold on the bootstrap Lease a hand-off names: renewed until the node is Primary, then released. The kube
 * package implements it through the API ({@code BootstrapLease}); the protocol simulation in memory.
 */
public interface LeaseRenewer {
    /** Extends {@code holder}'s hold by {@code duration} from now; false when {@code holder} no longer holds it. */
    boolean renew(String holder, Duration duration);

    /** Gives the Lease back; false when {@code holder} did not hold it. */
    boolean release(String holder);

    /**
     * Closes {@code holder}'s open bootstrap once every pod is in its cluster (the Lease may be released or expired by then);
     * false when the Lease names no open bootstrap of {@code holder}.
     */
    boolean close(String holder);
}
