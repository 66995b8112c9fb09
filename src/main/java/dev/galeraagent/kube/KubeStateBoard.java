package dev.galeraagent.kube;

import dev.galeraagent.bootstrap.HandOffLease;
import dev.galeraagent.bootstrap.LeaseGrant;
import dev.galeraagent.bootstrap.StateBoard;
import dev.galeraagent.galera.Position;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.PublishedState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bootstrap loop's {@link StateBoard} through the Kubernetes API: the other pods' annotations, this pod's own,
 * and the bootstrap Lease. When the API turns out unreachable or forbidden it says so loudly, once, naming the
 * missing permission, and from then on behaves as {@link StateBoard#NONE} (DESIGN rule 9: DNS and the peers'
 * /status). Other failures (a conflict that kept coming, a 5xx) are warned about and the round goes on with what
 * was last read; a Lease that cannot be taken means no bootstrap this round.
 */
public final class KubeStateBoard implements StateBoard {
    private static final Log LOG = Log.of("kube");

    private final KubeApi api;
    private final StatefulSetInfo sts;
    private final int self;
    private final Duration leaseTerm;
    private final EventSink events;
    private volatile boolean off;
    private String lastDecided;
    private volatile Map<Integer, PublishedState> last = Map.of();
    private String lastWarning;

    /** Records this pod's decisions and Lease takes and releases as Events on its Pod ({@link KubeApi#events}). */
    public KubeStateBoard(KubeApi api, StatefulSetInfo sts, int selfOrdinal, Duration leaseTerm) {
        this(api, sts, selfOrdinal, leaseTerm, api.events(sts.podName(selfOrdinal), sts.name()));
    }

    public KubeStateBoard(KubeApi api, StatefulSetInfo sts, int selfOrdinal, Duration leaseTerm, EventSink events) {
        this.api = api;
        this.sts = sts;
        this.self = selfOrdinal;
        this.leaseTerm = leaseTerm;
        this.events = events;
    }

    @Override
    public Map<Integer, PublishedState> published() {
        if (off) {
            return Map.of();
        }
        try {
            PodStates states = api.readStates(sts);
            last = states.othersThan(self);
            return last;
        } catch (KubeApiException e) {
            failed("read the pods' published states", e);
            return off ? Map.of() : last;
        }
    }

    @Override
    public void publish(PublishedState own) {
        if (off) {
            return;
        }
        try {
            api.publish(sts.podName(self), own);
        } catch (KubeApiException e) {
            failed("publish this pod's state", e);
        }
    }

    @Override
    public LeaseGrant acquireLease(String holder, Optional<Position> position) {
        if (off) {
            return new LeaseGrant.NoApi();
        }
        BootstrapLease lease = api.lease(sts);
        try {
            return switch (lease.tryAcquire(holder, position.map(p -> p.uuid().toString()).orElse(null),
                    position.map(Position::seqno).orElse(Position.UNKNOWN_SEQNO), leaseTerm)) {
                case LeaseOutcome.Acquired a -> {
                    events.leaseTaken(lease.name(), holder, a.lease().clusterUuid(), a.lease().seqno(), a.lease().expiresAt());
                    yield new LeaseGrant.Held(new HandOffLease(api.namespace(), lease.name(), holder, leaseTerm));
                }
                case LeaseOutcome.HeldByOther h -> new LeaseGrant.NotHeld("the bootstrap Lease " + lease.name() + " is held by "
                        + h.lease().holder() + " until " + h.lease().expiresAt());
            };
        } catch (KubeApiException e) {
            failed("take the bootstrap Lease " + lease.name(), e);
            // even when the API just went away: not this round; the next one decides under rule 9
            return new LeaseGrant.NotHeld("the bootstrap Lease " + lease.name() + " could not be taken (" + e.getMessage() + ")");
        }
    }

    @Override
    public void releaseLease(String holder) {
        if (off) {
            return;
        }
        try {
            BootstrapLease lease = api.lease(sts);
            if (lease.release(holder)) {
                events.leaseReleased(lease.name(), holder, "a Primary component appeared before it bootstrapped: it joins instead");
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
        switch (state.decision()) {
            case "WAIT" -> events.bootstrapWaiting(state.reasons());
            case "REFUSE" -> events.bootstrapRefused(state.reasons());
            default -> {
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
            return List.of(api.dryRunSummary(sts).split("\n"));
        } catch (KubeApiException e) {
            failed("read the pods' published states", e);
            return StateBoard.NONE.describe();
        }
    }

    private synchronized void failed(String what, KubeApiException e) {
        if (e.noApiAccess()) {
            if (!off) {
                off = true;
                LOG.error("cannot " + what + " through the Kubernetes API: " + e.getMessage()
                        + ". Going on WITHOUT the API (DESIGN rule 9): peers by DNS, their states over /status, no bootstrap Lease");
            }
            return;
        }
        String warning = "cannot " + what + " through the Kubernetes API: " + e.getMessage();
        if (!warning.equals(lastWarning)) {
            LOG.warn(warning + "; trying again next round");
            lastWarning = warning;
        }
    }
}
