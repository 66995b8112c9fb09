package dev.galeraagent.probe;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The probe's memory of two conditions that only time tells apart from a healthy node (README "Probe mode"):
 * state-transfer markers with a data directory that stopped changing (a transfer cut off by a kill -9, or one
 * waiting for a donor that is gone), and Galera disconnected ({@code wsrep_connected=OFF}: a failed IST leaves
 * mariadbd up but asks for a restart). Thread-safe; the clock is a nanosecond source, so tests can drive it.
 */
final class ProgressWatch {
    /** The data directory is looked at no more often than this while markers exist: a walk costs a little. */
    static final Duration LOOK_EVERY = Duration.ofSeconds(5);

    private final LongSupplier nanos;
    private DataDirActivity lastActivity;
    private long changedAt;
    private long lookedAt;
    private boolean watchingTransfer;
    private long disconnectedSince;
    private boolean disconnected;

    ProgressWatch(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /**
     * How long the data directory has not changed while state-transfer markers exist; zero without markers.
     * {@code activity} is asked at most every {@link #LOOK_EVERY}.
     */
    synchronized Duration transferQuietFor(boolean markers, Supplier<DataDirActivity> activity) {
        long now = nanos.getAsLong();
        if (!markers) {
            watchingTransfer = false;
            lastActivity = null;
            return Duration.ZERO;
        }
        if (!watchingTransfer) {
            watchingTransfer = true;
            lastActivity = activity.get();
            changedAt = now;
            lookedAt = now;
            return Duration.ZERO;
        }
        if (now - lookedAt >= LOOK_EVERY.toNanos()) {
            lookedAt = now;
            DataDirActivity a = activity.get();
            if (!a.equals(lastActivity)) {
                lastActivity = a;
                changedAt = now;
            }
        }
        return Duration.ofNanos(now - changedAt);
    }

    /** How long Galera has been disconnected without a break; zero while connected. */
    synchronized Duration disconnectedFor(boolean nowDisconnected) {
        long now = nanos.getAsLong();
        if (!nowDisconnected) {
            disconnected = false;
            return Duration.ZERO;
        }
        if (!disconnected) {
            disconnected = true;
            disconnectedSince = now;
        }
        return Duration.ofNanos(now - disconnectedSince);
    }

    /**
     * What changes in a data directory while a transfer writes into it: the newest modification time, the total
     * size and the number of files. Any change counts as progress.
     */
    record DataDirActivity(long newestModifiedMillis, long totalBytes, long files) {
    }
}
