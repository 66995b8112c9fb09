package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.probe.Observation.Answered;
import dev.galeraagent.probe.Observation.Failed;
import dev.galeraagent.probe.Observation.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The cache's concurrency rules, with a source whose reads the test controls (the real reader is in ProbeMariaDbIT). */
class StatusCacheTest {
    /** Counts reads, records the most that ran at once, and answers what the test says, after an optional gate. */
    static final class CountingSource implements StatusSource {
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile Supplier<Observation> answer = () -> new Answered(Map.of("wsrep_ready", "ON"));

        @Override
        public Observation read() {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                reads.incrementAndGet();
                gate.await(10, TimeUnit.SECONDS);
                return answer.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Failed(Failure.TIMEOUT, "interrupted");
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public void close() {
        }
    }

    @Test
    void concurrentCallersShareOneReadAndAFreshReadIsServedFromMemory() throws Exception {
        CountingSource source = new CountingSource();
        source.gate = new CountDownLatch(1);
        try (StatusCache cache = new StatusCache(source, Duration.ofSeconds(5), Duration.ofSeconds(5), s -> { })) {
            ExecutorService callers = Executors.newFixedThreadPool(50);
            List<Future<StatusCache.Snapshot>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(callers.submit(cache::get));
            }
            Thread.sleep(200); // every caller is waiting on the one read
            source.gate.countDown();
            for (Future<StatusCache.Snapshot> f : results) {
                assertThat(f.get().observation()).isInstanceOf(Answered.class);
            }
            cache.get();
            callers.shutdown();
            assertThat(source.reads.get()).isEqualTo(1);
            assertThat(source.maxRunning.get()).isEqualTo(1);
        }
    }

    @Test
    void anExpiredEntryIsReadAgain() throws Exception {
        CountingSource source = new CountingSource();
        try (StatusCache cache = new StatusCache(source, Duration.ofMillis(50), Duration.ofSeconds(5), s -> { })) {
            cache.get();
            cache.get();
            Thread.sleep(80);
            cache.get();
            assertThat(source.reads.get()).isEqualTo(2);
        }
    }

    @Test
    void aStuckReadTimesCallersOutWithoutStartingASecondRead() throws Exception {
        CountingSource source = new CountingSource();
        source.gate = new CountDownLatch(1);
        try (StatusCache cache = new StatusCache(source, Duration.ZERO, Duration.ofMillis(200), s -> { })) {
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                StatusCache.Snapshot s = cache.get();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(ms).isBetween(150L, 1000L);
                assertThat(s.observation()).isInstanceOfSatisfying(Failed.class, f -> {
                    assertThat(f.failure()).isEqualTo(Failure.TIMEOUT);
                    assertThat(f.detail()).isEqualTo("no answer within 200ms");
                });
            }
            assertThat(source.reads.get()).as("callers joined the stuck read").isEqualTo(1);
            source.gate.countDown();
            Thread.sleep(50);
            assertThat(cache.get().observation()).isInstanceOf(Answered.class);
            assertThat(source.maxRunning.get()).isEqualTo(1);
        }
    }

    @Test
    void unansweredTimeGrowsWhileDownAndResetsWhenMysqldAnswersEvenWithAnError() throws Exception {
        CountingSource source = new CountingSource();
        try (StatusCache cache = new StatusCache(source, Duration.ZERO, Duration.ofSeconds(5), s -> { })) {
            assertThat(cache.get().unansweredFor()).isEqualTo(Duration.ZERO);
            source.answer = () -> new Failed(Failure.DOWN, "Connection refused");
            Thread.sleep(100);
            assertThat(cache.get().unansweredFor()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            source.answer = () -> new Failed(Failure.ACCESS_DENIED, "error 1045");
            assertThat(cache.get().unansweredFor()).isEqualTo(Duration.ZERO);
        }
    }

    @Test
    void everyReadIsReportedOnceToTheListener() throws Exception {
        CountingSource source = new CountingSource();
        AtomicInteger reported = new AtomicInteger();
        try (StatusCache cache = new StatusCache(source, Duration.ZERO, Duration.ofSeconds(5), s -> reported.incrementAndGet())) {
            for (int i = 0; i < 5; i++) {
                cache.get();
            }
        }
        assertThat(reported.get()).isEqualTo(source.reads.get()).isEqualTo(5);
    }
}
