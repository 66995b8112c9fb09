package dev.galeraagent.handoff;

import dev.galeraagent.position.Position;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The bootstrap Lease as read from the API, and the agent's annotations on it (the format; the API calls are kube's).
 * The agent writes the position a holder bootstraps from as a {@link Position}; it reads the annotations back as they
 * stand, uuid and seqno apart, because they are only shown to people, a hand-edited value included, never decided upon.
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

    /** Lease annotation: the cluster uuid the holder bootstraps. */
    public static final String UUID_ANNOTATION = "galera-agent.io/cluster-uuid";
    /** Lease annotation: the seqno the holder bootstraps from. */
    public static final String SEQNO_ANNOTATION = "galera-agent.io/seqno";
    /**
     * Lease annotation: the pod whose bootstrap is open, set when it takes the Lease and removed by its sidecar once every
     * pod of the StatefulSet is in its cluster. It outlives the hold (released at Primary, or expired): until the cluster is
     * complete, the bootstrapped pod may hold rows nobody else has, so no election may go on without it.
     */
    public static final String OPEN_ANNOTATION = "galera-agent.io/open-bootstrap";

    /**
     * The record of a Lease's spec and annotations; {@code holderIdentity} empty counts as none, and a seqno annotation
     * that is not a number as unknown.
     */
    public static LeaseRecord of(String name, String holderIdentity, Map<String, String> annotations, Instant acquired, Instant renewed,
                                 Duration duration, int transitions) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        Long seqno = null;
        try {
            String text = a.get(SEQNO_ANNOTATION);
            seqno = text == null ? null : Long.valueOf(text);
        } catch (NumberFormatException e) {
            // someone edited the annotation by hand: show it as unknown rather than fail
        }
        String holder = holderIdentity == null || holderIdentity.isEmpty() ? null : holderIdentity;
        return new LeaseRecord(name, holder, a.get(UUID_ANNOTATION), seqno, acquired, renewed, duration, transitions, a.get(OPEN_ANNOTATION));
    }

    /**
     * {@code annotations} (may be null) with the position {@code holder} bootstraps from (none: a new cluster, recorded as
     * no uuid and seqno {@value Position#UNKNOWN_SEQNO}) and its bootstrap marked open.
     */
    public static Map<String, String> annotations(Map<String, String> annotations, Optional<Position> from, String holder) {
        Map<String, String> result = annotations == null ? new HashMap<>() : new HashMap<>(annotations);
        if (from.isEmpty()) {
            result.remove(UUID_ANNOTATION);
        } else {
            result.put(UUID_ANNOTATION, from.get().uuid().toString());
        }
        result.put(SEQNO_ANNOTATION, Long.toString(from.map(Position::seqno).orElse(Position.UNKNOWN_SEQNO)));
        result.put(OPEN_ANNOTATION, holder);
        return result;
    }

    /** {@code annotations} without the open bootstrap: every pod is in its cluster. */
    public static Map<String, String> closed(Map<String, String> annotations) {
        Map<String, String> result = new HashMap<>(annotations);
        result.remove(OPEN_ANNOTATION);
        return result;
    }

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
