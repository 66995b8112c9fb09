package dev.galeraagent.kube;

import dev.galeraagent.bootstrap.LeaseGrant;
import dev.galeraagent.bootstrap.StateBoard;
import dev.galeraagent.position.Position;
import dev.galeraagent.handoff.HandOffLease;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.Decision;
import dev.galeraagent.status.PublishedState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bootstrap loop's {@link StateBoard} through the Kubernetes API: the other pods' published states (entries in the state ConfigMap), this pod's own,
 * the pods' readiness and the bootstrap Lease. When the API is unreachable or forbidden from the first call on, it says
 * so loudly, once, naming the missing permission, and from then on behaves as {@link StateBoard#NONE} (rule 9: DNS and
 * the peers' /status). Once a call has succeeded, a later failure never switches the run to rule 9: a pod that lost the
 * API mid-election could otherwise bootstrap without the Lease beside one that holds it. Such failures, like a conflict
 * that kept coming or a 5xx, are warned about; the round goes on with what was last read, a publish that failed keeps
 * the decision from being acted on, and a Lease that cannot be taken means no bootstrap this round.
 */
public final class KubeStateBoard implements StateBoard {
    private static final Log LOG = Log.of("kube");

    private final ElectionApi api;
    private final int self;
    private final Duration leaseTerm;
    private final EventSink events;
    private volatile boolean off;
    private volatile boolean reached;
    /** The API refused this pod's calls (403) from the first one: a fact of its RBAC, not retried. */
    private volatile boolean forbidden;
    private volatile java.util.Set<Integer> ready = java.util.Set.of();
    private volatile Optional<Integer> open = Optional.empty();
    private String lastDecided;
    private volatile Map<Integer, PublishedState> last = Map.of();
    private String lastWarning;

    /** Records this pod's decisions and Lease takes and releases as Events on its Pod ({@link KubeApi#events}). */
    public KubeStateBoard(KubeApi api, StatefulSetInfo sts, int selfOrdinal, Duration leaseTerm) {
        this(api.election(sts, selfOrdinal), selfOrdinal, leaseTerm, api.events(sts.podName(selfOrdinal), sts.name()));
    }

    public KubeStateBoard(ElectionApi api, int selfOrdinal, Duration leaseTerm, EventSink events) {
        this.api = api;
        this.self = selfOrdinal;
        this.leaseTerm = leaseTerm;
        this.events = events;
    }

    @Override
    public Map<Integer, PublishedState> published() {
        if (off && forbidden) {
            return Map.of();
        }
        try {
            PodStates states = api.readStates();
            if (off) {
                // unreachable at first, it answers now: from here on the run uses it (the Lease, the open bootstrap)
                off = false;
                LOG.info("the Kubernetes API answers again: using it from now on (the published states, the bootstrap Lease)");
            }
            reached = true;
            last = states.othersThan(self);
            java.util.Set<Integer> r = new java.util.TreeSet<>(states.ready());
            r.remove(self);
            ready = java.util.Set.copyOf(r);
            open = Optional.ofNullable(api.openBootstrap());
            return last;
        } catch (KubeApiException e) {
            if (!off) {
                failed("read the pods' published states", e);
            }
            return off ? Map.of() : last;
        }
    }

    /** The pods found Ready by the last {@link #published()} read (the loop reads the states first, every round). */
    @Override
    public java.util.Set<Integer> readyPods() {
        return off ? java.util.Set.of() : ready;
    }

    @Override
    public boolean recordsBootstraps() {
        return !off;
    }

    @Override
    public Optional<Integer> openBootstrap() {
        return off ? Optional.empty() : open;
    }

    @Override
    public boolean publish(PublishedState own) {
        if (off) {
            return true;
        }
        try {
            api.publish(own);
            reached = true;
            return true;
        } catch (KubeApiException e) {
            failed("publish this pod's state", e);
            return off;
        }
    }

    @Override
    public LeaseGrant acquireLease(String holder, Optional<Position> position) {
        if (off) {
            return new LeaseGrant.NoApi();
        }
        String leaseName = api.leaseName();
        try {
            LeaseOutcome outcome = api.tryAcquireLease(holder, position, leaseTerm);
            reached = true;
            return switch (outcome) {
                case LeaseOutcome.Acquired a -> {
                    events.leaseTaken(leaseName, holder, a.lease().clusterUuid(), a.lease().seqno(), a.lease().expiresAt());
                    yield new LeaseGrant.Held(new HandOffLease(api.namespace(), leaseName, holder, leaseTerm));
                }
                case LeaseOutcome.HeldByOther h -> new LeaseGrant.NotHeld("the bootstrap Lease " + leaseName + " is held by "
                        + h.lease().holder() + " until " + h.lease().expiresAt());
            };
        } catch (KubeApiException e) {
            failed("take the bootstrap Lease " + leaseName, e);
            // even when the API just went away: not this round; the next one decides again
            return new LeaseGrant.NotHeld("the bootstrap Lease " + leaseName + " could not be taken (" + e.getMessage() + ")");
        }
    }

    @Override
    public void releaseLease(String holder) {
        if (off) {
            return;
        }
        try {
            if (api.releaseLease(holder)) {
                events.leaseReleased(api.leaseName(), holder, "a Primary component appeared before it bootstrapped (or its decision could not"
                        + " be published): it decides again");
            }
        } catch (KubeApiException e) {
            failed("release the bootstrap Lease", e);
        }
    }

    /**
     * Records a decision as an Event on this pod: {@code BootstrapDecision}, {@code BootstrapRefused},
     * {@code BootstrapOverride} (a final decision under {@code --force-bootstrap-from}) or {@code BootstrapWaiting}.
     * The same decision with the same reasons as the last one recorded is not recorded again: a WAIT that lasts
     * many rounds is one Event. Never throws. {@code state} is what the round published ({@link #publish}).
     */
    @Override
    public void decided(PublishedState state) {
        if (off || state.decision() == null) {
            return;
        }
        String key = state.decision() + "|" + state.forcedFrom() + "|" + state.reasons();
        synchronized (this) {
            if (key.equals(lastDecided)) {
                return;
            }
            lastDecided = key;
        }
        // this pod's own decision, always one this agent knows: the fallback only keeps the switch exhaustive
        switch (Decision.of(state.decision()).orElse(Decision.JOIN)) {
            case WAIT -> events.bootstrapWaiting(state.reasons());
            case REFUSE -> events.bootstrapRefused(state.reasons());
            case NEW_CLUSTER, JOIN, BOOTSTRAP_FROM_HERE -> {
                if (state.forcedFrom() != null) {
                    events.bootstrapOverride(state.forcedFrom(), state.decision(), state.reasons());
                } else {
                    events.bootstrapDecision(state.decision(), state.reasons());
                }
            }
        }
    }

    @Override
    public List<String> describe() {
        if (off) {
            return StateBoard.NONE.describe();
        }
        try {
            return List.of(api.summary().split("\n"));
        } catch (KubeApiException e) {
            failed("read the pods' published states", e);
            return StateBoard.NONE.describe();
        }
    }

    private synchronized void failed(String what, KubeApiException e) {
        if (e.noApiAccess() && !reached) {
            if (!off) {
                off = true;
                forbidden = e.kind() == KubeApiException.Kind.FORBIDDEN;
                LOG.error("cannot " + what + " through the Kubernetes API: " + e.getMessage()
                        + ". Going on WITHOUT the API (rule 9): peers by DNS, their states over /status, no bootstrap Lease"
                        + (forbidden ? "" : "; asking the API again every round, and using it as soon as it answers"));
            }
            return;
        }
        String warning = "cannot " + what + " through the Kubernetes API: " + e.getMessage()
                + (e.noApiAccess() ? " (it answered earlier in this run: not deciding without it, no bootstrap until it answers again)" : "");
        if (!warning.equals(lastWarning)) {
            LOG.warn(warning + "; trying again next round");
            lastWarning = warning;
        }
    }
}
