package dev.galeraagent.probe;

import dev.galeraagent.files.SafeFiles;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.handoff.HandOffLease;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.Phase;
import dev.galeraagent.status.PublishedState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the probe reads from the node's volumes: state-transfer markers and grastate.dat in the data
 * directory, and the bootstrap hand-off in the config directory. Every read tolerates absence and
 * garbage: a probe must answer even when a file is missing, half-written or unreadable.
 */
public final class NodeFiles {
    /** {@link PublishedState#phase()} of a hand-off the sidecar has not completed yet. */
    static final String PHASE_REQUESTED = Phase.BOOTSTRAP_REQUESTED.wire();
    /** {@link PublishedState#phase()} of a hand-off the sidecar completed: the node became Primary. */
    static final String PHASE_BOOTSTRAPPED = Phase.BOOTSTRAPPED.wire();

    private final Path dataDir;
    private final Path configDir;

    public NodeFiles(Path dataDir, Path configDir) {
        this.dataDir = dataDir;
        this.configDir = configDir;
    }

    /** The config volume with the hand-off and the one-shot settings; null when not configured. */
    public Path configDir() {
        return configDir;
    }

    /** True when the SST scripts' markers show a state transfer in progress on this node. */
    public boolean stateTransferInProgress() {
        return dataDir != null
                && (SafeFiles.isPresent(dataDir.resolve("sst_in_progress")) || SafeFiles.isPresent(dataDir.resolve("wsrep_sst.pid")));
    }

    /**
     * When the state transfer under way started: the oldest of the SST scripts' markers, by modification
     * time (the scripts create them at the start and remove them at the end); empty without a transfer.
     */
    public Optional<Instant> stateTransferStarted() {
        if (dataDir == null) {
            return Optional.empty();
        }
        return Stream.of("sst_in_progress", "wsrep_sst.pid").map(dataDir::resolve).flatMap(p -> modified(p).stream()).min(Instant::compareTo);
    }

    /**
     * Since when this pod's sidecar has held the bootstrap Lease: the time of a pending bootstrap-request.json
     * that names a Lease (the bootstrap took the Lease as it decided), else the file's modification time; empty
     * when no request is pending or it names no Lease.
     */
    public Optional<Instant> bootstrapLeaseHeldSince() {
        if (configDir == null) {
            return Optional.empty();
        }
        Path request = configDir.resolve(HandOff.REQUEST);
        try {
            String json = SafeFiles.readString(request, SafeFiles.JSON_MAX, java.nio.charset.StandardCharsets.UTF_8);
            if (HandOffLease.in(json).isEmpty()) {
                return Optional.empty();
            }
            HandOff h = HandOff.parse(json);
            if (h.time() != null) {
                try {
                    return Optional.of(Instant.parse(h.time()));
                } catch (DateTimeParseException e) {
                    // a hand-off from another writer: its file's age is the next best clock
                }
            }
            return modified(request);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> modified(Path p) {
        try {
            return Optional.of(java.nio.file.Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The data directory's activity (newest mtime, total size, file count, down to {@value #ACTIVITY_DEPTH} levels), to
     * tell a running state transfer from markers a dead one left; files that vanish during the walk are skipped.
     */
    ProgressWatch.DataDirActivity dataDirActivity() {
        long[] acc = new long[3];
        if (dataDir != null) {
            try (var walk = java.nio.file.Files.walk(dataDir, ACTIVITY_DEPTH)) {
                walk.forEach(p -> {
                    try {
                        var a = java.nio.file.Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                        acc[0] = Math.max(acc[0], a.lastModifiedTime().toMillis());
                        acc[1] += a.isRegularFile() ? a.size() : 0;
                        acc[2]++;
                    } catch (IOException e) {
                        // gone meanwhile: a transfer moves files; the next look sees the result
                    }
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                // unreadable now: counts as no change, which only a long silence turns into a verdict
            }
        }
        return new ProgressWatch.DataDirActivity(acc[0], acc[1], acc[2]);
    }

    private static final int ACTIVITY_DEPTH = 3;

    /** grastate.dat as people read it in /status; null when absent, unreadable or corrupt (the bootstrap's parser judges). */
    public NodeStatus.Grastate grastate() {
        if (dataDir == null) {
            return null;
        }
        try {
            GrastateFile g = GrastateFile.parse(SafeFiles.readString(dataDir.resolve(GrastateFile.FILE_NAME), SafeFiles.SMALL_FILE_MAX,
                    StandardCharsets.ISO_8859_1));
            return new NodeStatus.Grastate(g.uuid().toString(), g.seqno(), g.safeToBootstrap());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The last bootstrap decision handed to this sidecar: bootstrap-done.json, else bootstrap-request.json,
     * read by {@link HandOff}'s own reader; null when neither is there or readable.
     */
    public PublishedState lastDecision() {
        if (configDir == null) {
            return null;
        }
        try {
            var done = HandOff.done(configDir);
            if (done.isPresent()) {
                return decisionOf(done.get(), PHASE_BOOTSTRAPPED);
            }
            return HandOff.pending(configDir).map(h -> decisionOf(h, PHASE_REQUESTED)).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static PublishedState decisionOf(HandOff h, String phase) {
        // shown, never decided upon: a malformed position was read as none
        Position p = h.position();
        return new PublishedState(h.ordinal(), phase, false, p == null ? null : p.uuid().toString(), p == null ? Position.UNKNOWN_SEQNO : p.seqno(),
                false, false, h.plan(), h.reasons(), null, h.time(),
                h.agentVersion(), null, null, false);
    }
}
