package dev.galeraagent.handoff;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.files.SafeFiles;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The sidecar's part of rule 10 (docs/architecture.md): a bootstrap happens once. Run by {@code probe serve}
 * every {@link #EVERY}.
 *
 * <ul>
 *   <li>With {@code bootstrap-request.json} present: wait until the node is Primary, then {@link HandOff#complete}
 *       (the one-shot {@code wsrep_new_cluster} file goes, the request becomes {@code bootstrap-done.json}). Until
 *       then, renew the Lease the hand-off names; once Primary, release it.</li>
 *   <li>Without a request (a joiner): once Synced, {@link HandOff#clearOneShots} once, so a container restart does
 *       not claim a stale {@code wsrep_start_position}.</li>
 * </ul>
 *
 * <p>Crash-safe by construction: every decision is taken from the files and the status at each run, and both
 * file steps are idempotent, so a sidecar restarted at any point does the rest. Only what is harmless to
 * forget lives in memory: that the one-shots were cleared, when the Lease is next due, that it was lost.
 * The status is the probes' cached read: the task opens no connection of its own.
 */
public final class HandOffTask implements Runnable {
    /** How often the task runs: the one-shot file is gone about this long after the node is Primary. */
    public static final Duration EVERY = Duration.ofSeconds(1);
    /** After a failed API call, the next renewal is tried this soon (or at a third of the term, if sooner). */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(2);

    private static final Log LOG = Log.of("handoff");

    /** What one run did; for tests and the debug log. */
    public enum Step {
        /** Nothing left to do: no request, and no one-shot file or already cleared. */
        IDLE,
        /** A request, the node not Primary yet. */
        WAITING_FOR_PRIMARY,
        /** The node is Primary: the request is now done, the one-shot file gone. */
        COMPLETED,
        /** No request, one-shot files, the node not Synced yet. */
        WAITING_FOR_SYNCED,
        /** No request, the node Synced: the one-shot files are gone. */
        CLEARED,
        /** A file could not be read or changed; tried again at the next run. */
        FAILED
    }

    /** Opens a bootstrap Lease through the Kubernetes API. */
    @FunctionalInterface
    public interface LeaseOpener {
        LeaseRenewer open(String namespace, String name);

        /** Called once the Lease is released: the API client's threads and connections are not needed anymore. */
        default void close() {
        }
    }

    private final Path configDir;
    private final Supplier<NodeStatus> status;
    private final LeaseOpener leases;
    private final String podName;
    private final String podNamespace;
    private final Clock clock;
    private final HandOffEvents events;

    private boolean oneShotsCleared;
    private boolean leaseLost;
    private boolean leaseHeld;
    private boolean unreadableReported;
    private boolean closed;
    private Instant nextRenewal = Instant.MIN;
    private String lastWarning;

    /**
     * @param status       the wsrep part of the probes' cached status read (null: not read yet)
     * @param leases       null when the Kubernetes API is off ({@code --no-kube-api})
     * @param podName      the Lease holder when the hand-off names none; may be null
     * @param podNamespace the Lease's namespace when the hand-off names none
     */
    public HandOffTask(Path configDir, Supplier<NodeStatus> status, LeaseOpener leases, String podName, String podNamespace,
            Clock clock) {
        this(configDir, status, leases, podName, podNamespace, clock, HandOffEvents.NONE);
    }

    /** @param events where the hand-off, the Lease's release and its loss are recorded as Events on this pod */
    public HandOffTask(Path configDir, Supplier<NodeStatus> status, LeaseOpener leases, String podName, String podNamespace,
            Clock clock, HandOffEvents events) {
        this.events = Objects.requireNonNull(events, "events");
        this.configDir = Objects.requireNonNull(configDir, "configDir");
        this.status = Objects.requireNonNull(status, "status");
        this.leases = leases;
        this.podName = podName;
        this.podNamespace = podNamespace;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void run() {
        Step step = step();
        LOG.debug("rule 10: " + step);
    }

    /** One run: looks at the files and the status, and does what is due. */
    public Step step() {
        Path request = configDir.resolve(HandOff.REQUEST);
        if (SafeFiles.isPresent(request)) {
            return request(request);
        }
        closeIfComplete();
        if (oneShotsCleared) {
            return Step.IDLE;
        }
        return joiner();
    }

    private Step request(Path request) {
        String text;
        try {
            text = HandOff.readText(request);
        } catch (NoSuchFileException e) {
            return Step.IDLE; // completed by an earlier run of another sidecar process just now
        } catch (IOException e) {
            warnOnce("cannot read " + request + ": " + e.getMessage() + "; trying again");
            return Step.FAILED;
        }
        HandOff handOff;
        try {
            handOff = HandOff.parse(text);
        } catch (IllegalArgumentException e) {
            return unreadable(request, e);
        }
        HandOffLease lease = null;
        try {
            lease = HandOffLease.in(text).orElse(null);
        } catch (IllegalArgumentException e) {
            warnOnce("ignoring the Lease in " + request + ": " + e.getMessage());
        }
        if (!primary(status.get())) {
            if (lease != null) {
                keep(lease);
            }
            return Step.WAITING_FOR_PRIMARY;
        }
        try {
            HandOff.complete(configDir);
        } catch (IOException e) {
            warnOnce("node is Primary but completing the bootstrap hand-off failed: " + e + "; trying again");
            return Step.FAILED;
        }
        LOG.info("node is Primary: " + handOff.plan() + " done, removed the one-shot " + handOff.oneShotFile()
                + " and renamed " + HandOff.REQUEST + " to " + HandOff.DONE + " (a container restart joins, never bootstraps again)");
        events.handOffComplete(handOff.plan(), handOff.oneShotFile());
        if (lease != null) {
            release(lease);
        }
        return Step.COMPLETED;
    }

    /**
     * A request nobody can read: the settings it guards must still not survive a Primary, so the one-shot
     * directory is cleared anyway; the request stays for a person to look at.
     */
    private Step unreadable(Path request, IllegalArgumentException e) {
        if (!primary(status.get())) {
            warnOnce("cannot read the bootstrap hand-off " + request + ": " + e.getMessage()
                    + "; once the node is Primary its one-shot settings will be removed anyway");
            return Step.WAITING_FOR_PRIMARY;
        }
        try {
            HandOff.clearOneShots(configDir);
        } catch (IOException io) {
            warnOnce("cannot remove the one-shot settings in " + oneShotDir() + ": " + io.getMessage() + "; trying again");
            return Step.FAILED;
        }
        if (!unreadableReported) {
            LOG.error("node is Primary with an unreadable hand-off " + request + " (" + e.getMessage() + "): removed every "
                    + "one-shot setting in " + oneShotDir() + " and left the request for a person to look at");
            unreadableReported = true;
        }
        return Step.COMPLETED;
    }

    private Step joiner() {
        List<Path> files;
        try {
            files = oneShotFiles();
        } catch (IOException e) {
            warnOnce("cannot list " + oneShotDir() + ": " + e.getMessage() + "; trying again");
            return Step.FAILED;
        }
        if (files.isEmpty()) {
            // not latched: a native sidecar (an init container with restartPolicy Always) may start before
            // agent bootstrap writes them
            return Step.IDLE;
        }
        if (!synced(status.get())) {
            return Step.WAITING_FOR_SYNCED;
        }
        try {
            HandOff.clearOneShots(configDir);
        } catch (IOException e) {
            warnOnce("node is Synced but removing " + files + " failed: " + e.getMessage() + "; trying again");
            return Step.FAILED;
        }
        oneShotsCleared = true;
        LOG.info("node is Synced: removed the one-shot settings " + files.stream().map(p -> p.getFileName().toString()).toList()
                + " (a container restart must not reuse its start position)");
        return Step.CLEARED;
    }

    /**
     * Once every pod is in the cluster this node bootstrapped, the Lease's record of an open bootstrap goes: from then on
     * the others hold this node's rows too, and a later election need not wait for it (docs/recovery-protocol.md).
     */
    private void closeIfComplete() {
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
            warnOnce("cannot close the bootstrap on its Lease: " + e.getMessage() + "; trying again");
        }
    }

    private static int clusterSize(NodeStatus s) {
        return primary(s) && s.wsrepClusterSize() != null ? s.wsrepClusterSize() : 0;
    }

    private void keep(HandOffLease lease) {
        if (leaseLost) {
            return;
        }
        if (leases == null) {
            warnOnce("the bootstrap hand-off names Lease " + describe(lease) + " but the Kubernetes API is off (--no-kube-api): "
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
                lastWarning = null;
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
            warnOnce("cannot renew Lease " + describe(lease) + ": " + e.getMessage() + "; trying again (it expires "
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

    private void release(HandOffLease lease) {
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

    private Path oneShotDir() {
        return configDir.resolve(HandOff.ONE_SHOT_DIR);
    }

    private List<Path> oneShotFiles() throws IOException {
        Path dir = oneShotDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".cnf")).sorted().toList();
        }
    }

    /** Logs a problem once, not at every run while it lasts. */
    private void warnOnce(String message) {
        if (!message.equals(lastWarning)) {
            LOG.warn(message);
            lastWarning = message;
        }
    }

    private static boolean primary(NodeStatus s) {
        return s != null && s.inPrimaryComponent();
    }

    private static boolean synced(NodeStatus s) {
        return primary(s) && "Synced".equals(s.wsrepLocalStateComment());
    }
}
