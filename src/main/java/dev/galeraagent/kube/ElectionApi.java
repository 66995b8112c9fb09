package dev.galeraagent.kube;

import dev.galeraagent.position.Position;
import dev.galeraagent.status.PublishedState;
import java.time.Duration;
import java.util.Optional;

/**
 * What the bootstrap election needs of the Kubernetes API, for one pod of one StatefulSet: the pods' published states
 * and readiness, this pod's own state, and the bootstrap Lease. {@link KubeApi#election} implements it with fabric8; the
 * protocol simulation implements it in memory, so {@link KubeStateBoard}'s handling of every failure runs there too.
 * Every method throws {@link KubeApiException} when the call fails.
 */
public interface ElectionApi {
    /** The StatefulSet's pods: published states, readiness, who is missing. */
    PodStates readStates();

    /** Publishes this pod's state. */
    void publish(PublishedState own);

    /** Takes the bootstrap Lease for {@code holder} (or says who holds it), recording the position it bootstraps from (none: a new cluster). */
    LeaseOutcome tryAcquireLease(String holder, Optional<Position> from, Duration term);

    /** Gives the Lease back; false when {@code holder} did not hold it. */
    boolean releaseLease(String holder);

    /** The ordinal of the pod whose bootstrap the Lease records as open (its cluster not complete yet), or null. */
    Integer openBootstrap();

    /** The Lease's name, for messages. */
    String leaseName();

    /** The namespace, for the Lease the hand-off names. */
    String namespace();

    /** For {@code --dry-run}: the published states and the Lease, as lines a person reads. */
    String summary();
}
