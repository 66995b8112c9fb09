package dev.galeraagent.probe;

import dev.galeraagent.probe.Observation.Answered;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How long this pod's node took from the start of the pod's main containers to its first Primary and its first Synced,
 * as the sidecar's status reads saw them (so to within one read's spacing: the kubelet's probes, the peers' /status).
 * The start is the sidecar's own process start: the kubelet starts mariadbd and the sidecar together once the init
 * containers have exited, and the sidecar needs neither the API nor a shared process namespace to know it. The init
 * containers' share (the install, the election) is in {@code agent bootstrap}'s summary line.
 * A mariadbd restarted alone inside a running pod keeps the first times: they describe the pod's start.
 */
final class RecoveryTimes {
    private final long startNanos;
    private Duration toPrimary;
    private Duration toSynced;

    /** @param startNanos the start, on {@link System#nanoTime()}'s scale */
    RecoveryTimes(long startNanos) {
        this.startNanos = startNanos;
    }

    /** From this process's start as the OS recorded it; the construction time when the OS does not say. */
    static RecoveryTimes sinceProcessStart() {
        long now = System.nanoTime();
        long age = ProcessHandle.current().info().startInstant()
                .map(s -> Duration.between(s, Instant.now()).toNanos()).filter(n -> n >= 0).orElse(0L);
        return new RecoveryTimes(now - age);
    }

    /** Notes one status read taken at {@code atNanos}; only the first Primary and the first Synced are kept. */
    synchronized void observe(Observation o, long atNanos) {
        if (!(o instanceof Answered a)) {
            return;
        }
        Duration since = Duration.ofNanos(Math.max(0, atNanos - startNanos));
        if (toPrimary == null && "Primary".equalsIgnoreCase(a.get("wsrep_cluster_status"))) {
            toPrimary = since;
        }
        // 4 is SYNCED in wsrep_local_state; the comment is the same fact in words, kept for servers that fill only it
        if (toSynced == null && ("4".equals(strip(a.get("wsrep_local_state"))) || "Synced".equalsIgnoreCase(strip(a.get("wsrep_local_state_comment"))))) {
            toSynced = since;
        }
    }

    synchronized Optional<Duration> toPrimary() {
        return Optional.ofNullable(toPrimary);
    }

    synchronized Optional<Duration> toSynced() {
        return Optional.ofNullable(toSynced);
    }

    private static String strip(String s) {
        return s == null ? null : s.strip();
    }
}
