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
 * The bootstrap loop's {@link StateBoard} through the Kubernetes API: the other pods' entries in the state ConfigMap,
 * this pod's own, and the bootstrap Lease. When the API turns out unreachable or forbidden it says so loudly, once, naming the
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
    private volatile boolean off;
    private volatile Map<Integer, PublishedState> last = Map.of();
    private String lastWarning;

    public KubeStateBoard(KubeApi api, StatefulSetInfo sts, int selfOrdinal, Duration leaseTerm) {
        this.api = api;
        this.sts = sts;
        this.self = selfOrdinal;
        this.leaseTerm = leaseTerm;
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
            api.publish(sts, sts.podName(self), own);
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
                case LeaseOutcome.Acquired a -> new LeaseGrant.Held(new HandOffLease(api.namespace(), lease.name(), holder, leaseTerm));
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
            api.lease(sts).release(holder);
        } catch (KubeApiException e) {
            failed("release the bootstrap Lease", e);
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
