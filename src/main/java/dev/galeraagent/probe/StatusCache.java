package dev.galeraagent.probe;

import dev.galeraagent.probe.Observation.Answered;
import dev.galeraagent.probe.Observation.Failed;
import dev.galeraagent.probe.Observation.Failure;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Puts a {@link StatusSource} behind a short cache and a single flight: however many probes arrive at
 * once, at most one read runs (on one worker thread), callers that arrive meanwhile wait for that same
 * read, and a read younger than the cache time is answered from memory. No caller waits longer than
 * the timeout: it then gets a {@link Failure#TIMEOUT} answer while the read goes on.
 */
final class StatusCache implements AutoCloseable {
    /** One read's result. {@code unansweredFor} is how long mysqld had not answered when it was taken. */
    public record Snapshot(Observation observation, long takenNanos, Duration latency, Duration unansweredFor) {
        public Snapshot {
            Objects.requireNonNull(observation, "observation");
        }
    }

    private final StatusSource source;
    private final long ttlNanos;
    private final Duration timeout;
    private final Consumer<Snapshot> onRead;
    private final ExecutorService worker;
    private final long startedNanos = System.nanoTime();

    private Snapshot last;
    private CompletableFuture<Snapshot> inFlight;
    /** When mysqld last answered (any answer, even "access denied"), or when the cache started. */
    private long lastAnsweredNanos = startedNanos;

    /**
     * @param onRead called on the worker thread after every read (metrics); must not block
     */
    public StatusCache(StatusSource source, Duration ttl, Duration timeout, Consumer<Snapshot> onRead) {
        this.source = source;
        this.ttlNanos = ttl.toNanos();
        this.timeout = timeout;
        this.onRead = onRead;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "probe-query");
            t.setDaemon(true);
            return t;
        });
    }

    /** The current state: from the cache, from the read in flight, or from a new read. */
    public Snapshot get() {
        CompletableFuture<Snapshot> flight;
        synchronized (this) {
            if (last != null && System.nanoTime() - last.takenNanos() < ttlNanos) {
                return last;
            }
            if (inFlight == null) {
                inFlight = CompletableFuture.supplyAsync(this::readNow, worker);
            }
            flight = inFlight;
        }
        try {
            return flight.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            long now = System.nanoTime();
            return new Snapshot(new Failed(Failure.TIMEOUT, "no answer within " + timeout.toMillis() + "ms"),
                    now, timeout, Duration.ofNanos(now - lastAnswered()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Snapshot(new Failed(Failure.TIMEOUT, "interrupted while waiting"), System.nanoTime(), Duration.ZERO, Duration.ZERO);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading mysqld's status failed unexpectedly", e.getCause());
        }
    }

    /** The last completed read, without starting one; null before the first. */
    public synchronized Snapshot latest() {
        return last;
    }

    private synchronized long lastAnswered() {
        return lastAnsweredNanos;
    }

    private Snapshot readNow() {
        long t0 = System.nanoTime();
        Observation o;
        try {
            o = source.read();
        } catch (RuntimeException | LinkageError e) {
            // never leave inFlight set: a read that threw would otherwise fail every probe from now on
            o = new Failed(Failure.SERVER_ERROR, "unexpected: " + e);
        }
        long t1 = System.nanoTime();
        Snapshot s;
        synchronized (this) {
            boolean answered = o instanceof Answered
                    || (o instanceof Failed f && (f.failure() == Failure.ACCESS_DENIED || f.failure() == Failure.SERVER_ERROR));
            if (answered) {
                lastAnsweredNanos = t1;
            }
            s = new Snapshot(o, t1, Duration.ofNanos(t1 - t0), Duration.ofNanos(t1 - lastAnsweredNanos));
            last = s;
            inFlight = null;
        }
        onRead.accept(s);
        return s;
    }

    /** Closes the connection on the worker thread (the reader is not thread-safe) and stops the worker. */
    @Override
    public void close() {
        worker.execute(source::close);
        worker.shutdown();
        try {
            // a read in flight ends within the driver's timeouts; do not hold a shutdown longer than that
            if (!worker.awaitTermination(timeout.toMillis() + 200, TimeUnit.MILLISECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
