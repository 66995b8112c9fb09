package dev.galeraagent.handoff;

import dev.galeraagent.files.SafeFiles;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
    private final HandOffEvents events;
    private final OnceWarnings warnings = new OnceWarnings(LOG);
    private final LeaseKeeper lease;

    private boolean oneShotsCleared;
    private boolean unreadableReported;

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
        this.lease = new LeaseKeeper(configDir, leases, podName, podNamespace, Objects.requireNonNull(clock, "clock"), events, warnings);
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
        lease.closeIfComplete(status);
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
        HandOffLease named = null;
        try {
            named = HandOffLease.in(text).orElse(null);
        } catch (IllegalArgumentException e) {
            warnOnce("ignoring the Lease in " + request + ": " + e.getMessage());
        }
        if (!primary(status.get())) {
            if (named != null) {
                lease.keep(named);
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
        if (named != null) {
            lease.release(named);
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

    private void warnOnce(String message) {
        warnings.warn(message);
    }

    static boolean primary(NodeStatus s) {
        return s != null && s.inPrimaryComponent();
    }

    private static boolean synced(NodeStatus s) {
        return primary(s) && "Synced".equals(s.wsrepLocalStateComment());
    }
}
