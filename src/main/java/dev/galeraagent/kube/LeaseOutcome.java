package dev.galeraagent.kube;

import dev.galeraagent.handoff.LeaseRecord;

/** The answer of {@link BootstrapLease#tryAcquire}: this holder has the Lease, or somebody else does. */
public sealed interface LeaseOutcome {
    /** The Lease as it stands after the attempt. */
    LeaseRecord lease();

    /** The caller holds the Lease until {@code lease().expiresAt()}, unless it renews. */
    record Acquired(LeaseRecord lease) implements LeaseOutcome {
    }

    /** Another holder has the Lease (or won the race for it): the caller must not bootstrap. */
    record HeldByOther(LeaseRecord lease) implements LeaseOutcome {
    }
}
