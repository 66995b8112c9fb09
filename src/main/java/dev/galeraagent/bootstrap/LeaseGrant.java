package dev.galeraagent.bootstrap;

import dev.galeraagent.handoff.HandOffLease;

/** The answer of {@link StateBoard#acquireLease}: may this pod bootstrap now (rule 6)? */
public sealed interface LeaseGrant {
    /** This pod holds {@code lease} for its term; the hand-off names it, so the sidecar renews and releases it. */
    record Held(HandOffLease lease) implements LeaseGrant {
    }

    /** Someone else holds it, or it could not be taken: this pod must not bootstrap. {@code why} is one line for people. */
    record NotHeld(String why) implements LeaseGrant {
    }

    /** There is no Lease without the Kubernetes API (rule 9): the election over /status is all there is. */
    record NoApi() implements LeaseGrant {
    }
}
