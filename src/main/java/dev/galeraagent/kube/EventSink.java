package dev.galeraagent.kube;

import dev.galeraagent.handoff.HandOffEvents;
import java.time.Instant;
import java.util.List;

/**
 * Where the agent records what it did as Kubernetes Events on its own Pod, one method per kind. An implementation
 * never throws: an Event that cannot be recorded is a warning in the log, never a reason to stop a bootstrap or
 * the sidecar. {@link KubeEvents} writes them through the API; {@link #NONE} drops them (no API).
 */
@FunctionalInterface
public interface EventSink extends HandOffEvents {
    /** Records nothing: without the Kubernetes API ({@code --no-kube-api}, rule 9). */
    EventSink NONE = (reason, message) -> {
    };

    /** Records one Event; {@code message} is one or more sentences for people. Must not throw. */
    void record(EventReason reason, String message);

    /** A final decision: {@code NEW_CLUSTER}, {@code JOIN}, {@code BOOTSTRAP_FROM_HERE}. */
    default void bootstrapDecision(String decision, List<String> reasons) {
        record(EventReason.BOOTSTRAP_DECISION, decision + ": " + String.join("; ", reasons));
    }

    /** A {@code WAIT}, recorded once per distinct set of reasons, not at every round. */
    default void bootstrapWaiting(List<String> reasons) {
        record(EventReason.BOOTSTRAP_WAITING, "WAIT: " + String.join("; ", reasons));
    }

    /** A {@code REFUSE}: going on could lose data, a person must choose. */
    default void bootstrapRefused(List<String> reasons) {
        record(EventReason.BOOTSTRAP_REFUSED, "REFUSE: " + String.join("; ", reasons));
    }

    /** A decision taken under a person's {@code --force-bootstrap-from}. */
    default void bootstrapOverride(int forcedFrom, String decision, List<String> reasons) {
        record(EventReason.BOOTSTRAP_OVERRIDE, decision + " under --force-bootstrap-from=" + forcedFrom + ": " + String.join("; ", reasons));
    }

    /** This pod took the bootstrap Lease, to bootstrap from {@code clusterUuid}:{@code seqno} (null: a new cluster). */
    default void leaseTaken(String lease, String holder, String clusterUuid, Long seqno, Instant until) {
        record(EventReason.LEASE_TAKEN, holder + " took Lease " + lease + " to bootstrap "
                + (clusterUuid == null ? "a new cluster" : "from " + clusterUuid + ":" + seqno) + ", held until " + until + " unless renewed");
    }

    /** This pod gave the bootstrap Lease back; {@code why} says when and why. */
    @Override
    default void leaseReleased(String lease, String holder, String why) {
        record(EventReason.LEASE_RELEASED, holder + " released Lease " + lease + ": " + why);
    }

    /** The Lease expired under this pod before its node became Primary: another pod may bootstrap. */
    @Override
    default void leaseLost(String lease, String holder) {
        record(EventReason.LEASE_LOST, holder + " lost Lease " + lease + " before its node became Primary: another pod may bootstrap; "
                + "its one-shot bootstrap setting was removed, check that only one pod bootstrapped");
    }

    /** The sidecar saw the bootstrapped node Primary and completed the hand-off (rule 10). */
    @Override
    default void handOffComplete(String plan, String oneShotFile) {
        record(EventReason.HAND_OFF_COMPLETE, "node is Primary: " + plan + " done, removed the one-shot " + oneShotFile
                + "; a container restart joins, never bootstraps again");
    }
}
