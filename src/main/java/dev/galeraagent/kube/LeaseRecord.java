package dev.galeraagent.kube;

import java.time.Duration;
import java.time.Instant;

/**
 * The bootstrap Lease as read from the API.
 *
 * @param holder      {@code spec.holderIdentity}; null when nobody holds it (released)
 * @param clusterUuid the cluster uuid the holder bootstraps, from the Lease's annotation; null if absent
 * @param seqno       the seqno the holder bootstraps from, from the Lease's annotation; null if absent
 * @param acquired    {@code spec.acquireTime}
 * @param renewed     {@code spec.renewTime}
 * @param duration    {@code spec.leaseDurationSeconds}
 * @param transitions {@code spec.leaseTransitions}: how often the holder changed
 * @param openBootstrap the pod whose bootstrap is still open (its cluster not complete yet), from the Lease's annotation; null
 *                      when none: released or not, while it is open no other pod may bootstrap without waiting for it
 */
public record LeaseRecord(
        String name,
        String holder,
        String clusterUuid,
        Long seqno,
        Instant acquired,
        Instant renewed,
        Duration duration,
        int transitions,
        String openBootstrap) {

    public LeaseRecord(String name, String holder, String clusterUuid, Long seqno, Instant acquired, Instant renewed, Duration duration,
                       int transitions) {
        this(name, holder, clusterUuid, seqno, acquired, renewed, duration, transitions, null);
    }

    /**
     * When the Lease stops protecting its holder: last renewal plus duration. Expiry is judged with the
     * reader's clock against the holder's timestamps, so node clocks must agree to well within the duration.
     */
    public Instant expiresAt() {
        Instant base = renewed != null ? renewed : acquired;
        if (base == null || duration == null) {
            return Instant.EPOCH;
        }
        return base.plus(duration);
    }

    /** True when someone holds it and it has not expired at {@code now}. */
    public boolean heldAt(Instant now) {
        return holder != null && now.isBefore(expiresAt());
    }
}
