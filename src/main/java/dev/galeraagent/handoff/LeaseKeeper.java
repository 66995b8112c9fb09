package dev.galeraagent.handoff;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.handoff.HandOffTask.LeaseOpener;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The sidecar's hold on the bootstrap Lease a hand-off names (docs/architecture.md, "Lease"): renewed until the node is
 * Primary, then released; on a loss, the one-shot bootstrap setting goes; once every pod is in the cluster, the open
 * bootstrap is closed. {@link HandOffTask} says when; this class does the API side, through the {@link LeaseRenewer} port.
 */
final class LeaseKeeper {
    /** After a failed API call, the next renewal is tried this soon (or at a third of the term, if sooner). */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(2);

    private static final Log LOG = Log.of("handoff");

    private final Path configDir;
    private final LeaseOpener leases;
    private final String podName;
    private final String podNamespace;
    private final Clock clock;
    private final HandOffEvents events;
    private final OnceWarnings warnings;

    private boolean leaseLost;
    private boolean leaseHeld;
    private boolean closed;
    private Instant nextRenewal = Instant.MIN;

    /** @param leases null when the Kubernetes API is off ({@code --no-kube-api}) */
    LeaseKeeper(Path configDir, LeaseOpener leases, String podName, String podNamespace, Clock clock, HandOffEvents events,
                OnceWarnings warnings) {
        this.configDir = configDir;
        this.leases = leases;
        this.podName = podName;
        this.podNamespace = podNamespace;
        this.clock = clock;
        this.events = events;
        this.warnings = warnings;
    }

    /**
     * Once every pod is in the cluster this node bootstrapped, the Lease's record of an open bootstrap goes: from then on
     * the others hold this node's rows too, and a later election need not wait for it (docs/recovery-protocol.md).
     */
    void closeIfComplete(Supplier<NodeStatus> status) {
        Path done = configDir.resolve(HandOff.DONE);
        if (closed || leases == null || !Files.exists(done)) {
            return;
        }
        try {
            String text = Files.readString(done, StandardCharsets.UTF_8);
            HandOff handOff = HandOff.parse(text);
            HandOffLease lease = HandOffLease.in(text).orElse(null);
            if (lease == null || handOff.replicas() == null) {
                closed = true;
                return;
            }
            if (clusterSize(status.get()) < handOff.replicas()) {
                return;
            }
            open(lease).close(holder(lease));
            closed = true;
            LOG.info("every pod (" + handOff.replicas() + ") is in the cluster this node bootstrapped: its bootstrap is closed on Lease "
                    + describe(lease));
        } catch (IOException | AgentException | IllegalArgumentException e) {
            warnings.warn("cannot close the bootstrap on its Lease: " + e.getMessage() + "; trying again");
        }
    }

    private static int clusterSize(NodeStatus s) {
        return HandOffTask.primary(s) && s.wsrepClusterSize() != null ? s.wsrepClusterSize() : 0;
    }

    void keep(HandOffLease lease) {
        if (leaseLost) {
            return;
        }
        if (leases == null) {
            warnings.warn("the bootstrap hand-off names Lease " + describe(lease) + " but the Kubernetes API is off (--no-kube-api): "
                    + "it is not renewed and expires " + lease.duration().toSeconds() + "s after its last renewal");
            return;
        }
        Instant now = clock.instant();
        if (now.isBefore(nextRenewal)) {
            return;
        }
        Duration third = lease.duration().dividedBy(3);
        try {
            if (open(lease).renew(holder(lease), lease.duration())) {
                if (!leaseHeld) {
                    LOG.info("holding Lease " + describe(lease) + " for " + holder(lease) + " until the node is Primary, renewing every "
                            + third.toMillis() + "ms");
                    leaseHeld = true;
                }
                warnings.clear();
                nextRenewal = now.plus(third);
            } else {
                leaseLost = true;
                LOG.error("LOST the bootstrap Lease " + describe(lease) + ": " + holder(lease) + " no longer holds it (it expired and "
                        + "another pod took it, or it was released). Another pod may bootstrap now; this node is not Primary yet and "
                        + "mariadbd is left running. Check that only one pod bootstrapped: kubectl get lease " + lease.name()
                        + " -o yaml, and each pod's wsrep_cluster_state_uuid in /status");
                dropBootstrapSetting();
                events.leaseLost(describe(lease), holder(lease));
            }
        } catch (AgentException | IllegalArgumentException e) {
            warnings.warn("cannot renew Lease " + describe(lease) + ": " + e.getMessage() + "; trying again (it expires "
                    + lease.duration().toSeconds() + "s after its last renewal)");
            nextRenewal = now.plus(third.compareTo(RETRY_AFTER_FAILURE) < 0 ? third : RETRY_AFTER_FAILURE);
        }
    }

    /**
     * Without the Lease this pod may no longer bootstrap: the one-shot file goes, so a restart of the
     * mariadb container joins whatever Primary exists instead of starting a cluster of its own. A mariadbd
     * already started has read it; Galera's own safe_to_bootstrap check is the guard left for that one.
     */
    private void dropBootstrapSetting() {
        try {
            HandOff.clearOneShots(configDir);
            LOG.error("removed the one-shot bootstrap setting: a restart of mariadbd will join, not bootstrap");
        } catch (IOException e) {
            LOG.error("cannot remove the one-shot bootstrap setting in " + configDir + ": " + e.getMessage());
        }
    }

    void release(HandOffLease lease) {
        if (leases == null) {
            return;
        }
        if (leaseLost) {
            leases.close();
            return;
        }
        try {
            if (open(lease).release(holder(lease))) {
                events.leaseReleased(describe(lease), holder(lease), "its node is Primary, the bootstrap is done");
            } else {
                LOG.warn("Lease " + describe(lease) + " was no longer held by " + holder(lease) + " when the node became Primary: nothing to release");
            }
        } catch (AgentException | IllegalArgumentException e) {
            LOG.warn("cannot release Lease " + describe(lease) + ": " + e.getMessage() + "; it expires by itself "
                    + lease.duration().toSeconds() + "s after its last renewal");
        } finally {
            leases.close();
        }
    }

    private LeaseRenewer open(HandOffLease lease) {
        return leases.open(lease.namespace() != null ? lease.namespace() : podNamespace, lease.name());
    }

    private String holder(HandOffLease lease) {
        if (lease.holder() != null) {
            return lease.holder();
        }
        if (podName == null) {
            throw new IllegalArgumentException("the hand-off's Lease names no holder and the pod name is unknown (POD_NAME)");
        }
        return podName;
    }

    private String describe(HandOffLease lease) {
        return (lease.namespace() != null ? lease.namespace() : podNamespace) + "/" + lease.name();
    }
}
