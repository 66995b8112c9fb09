package dev.galeraagent.probe;

import dev.galeraagent.probe.Observation.Answered;
import dev.galeraagent.probe.Observation.Failed;
import dev.galeraagent.status.NodeStatus;
import java.time.Duration;

/**
 * The probe's logic wired to its inputs: the cached status read, the node's files and the policy.
 * Serves the HTTP server and the one-shot checks alike. Thread-safe.
 */
public final class ProbeService implements AutoCloseable {
    private final StatusCache cache;
    private final NodeFiles files;
    private final ProbePolicy policy;
    private final ProbeMetrics metrics;
    private final String agentVersion;
    private final String pod;
    private final Integer ordinal;
    private final ProgressWatch watch = new ProgressWatch(System::nanoTime);

    /**
     * @param cacheTtl how long one read answers every probe (at most a second)
     * @param timeout  the longest any caller waits for mysqld
     */
    public ProbeService(StatusSource source, NodeFiles files, ProbePolicy policy, Duration cacheTtl, Duration timeout,
            String agentVersion, String pod, Integer ordinal) {
        this.files = files;
        this.policy = policy;
        this.agentVersion = agentVersion;
        this.pod = pod;
        this.ordinal = ordinal;
        this.metrics = new ProbeMetrics(this::latestObservation, files);
        this.cache = new StatusCache(source, cacheTtl, timeout, metrics::read);
    }

    private Observation latestObservation() {
        StatusCache.Snapshot s = cache.latest();
        return s == null ? null : s.observation();
    }

    public ProbeMetrics metrics() {
        return metrics;
    }

    public ProbePolicy policy() {
        return policy;
    }

    /** Reads (or reuses) the status and judges it. */
    public Health health() {
        return judge(cache.get());
    }

    /** The status read the verdicts are based on, refreshed when older than the cache time. */
    public StatusCache.Snapshot snapshot() {
        return cache.get();
    }

    private Health judge(StatusCache.Snapshot s) {
        // the files only matter when mysqld did not answer: no file system access on the hot path
        LocalSigns signs;
        if (s.observation() instanceof Failed) {
            boolean markers = files.stateTransferInProgress();
            signs = new LocalSigns(markers, s.unansweredFor(), watch.transferQuietFor(markers, files::dataDirActivity), watch.disconnectedFor(false));
        } else {
            Answered a = (Answered) s.observation();
            signs = new LocalSigns(false, Duration.ZERO, watch.transferQuietFor(false, files::dataDirActivity),
                    watch.disconnectedFor(HealthVerdict.outOfTheGroup(a)));
        }
        return HealthVerdict.judge(s.observation(), signs, policy);
    }

    /** The {@code GET /status} document. */
    public NodeStatus status() {
        StatusCache.Snapshot s = cache.get();
        Health h = judge(s);
        String error = s.observation() instanceof Failed f
                ? f.failure().name().toLowerCase(java.util.Locale.ROOT) + ": " + h.ready().reason().replaceFirst("^not ready: ", "")
                : null;
        NodeStatus w = s.observation().wsrepStatus();
        return new NodeStatus(
                agentVersion,
                pod,
                ordinal,
                w.wsrepClusterStatus(),
                w.wsrepLocalStateComment(),
                w.wsrepClusterStateUuid(),
                w.wsrepLastCommitted(),
                w.wsrepClusterSize(),
                w.wsrepReady(),
                w.wsrepConnected(),
                h.ready().ok(),
                h.live().ok(),
                h.ready().reason(),
                files.grastate(),
                files.lastDecision(),
                error);
    }

    @Override
    public void close() {
        cache.close();
    }
}
