package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressWatchTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ProgressWatch watch = new ProgressWatch(now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void markersWithADataDirectoryThatKeepsChangingStayFreshAndQuietOnesAge() {
        AtomicLong bytes = new AtomicLong();
        Supplier<ProgressWatch.DataDirActivity> activity = () -> new ProgressWatch.DataDirActivity(0, bytes.get(), 1);
        assertThat(watch.transferQuietFor(true, activity)).isZero();
        for (int i = 0; i < 100; i++) {
            advance(Duration.ofSeconds(6));
            bytes.addAndGet(4096);
            assertThat(watch.transferQuietFor(true, activity)).as("a running transfer").isLessThanOrEqualTo(ProgressWatch.LOOK_EVERY);
        }
        advance(Duration.ofMinutes(5));
        assertThat(watch.transferQuietFor(true, activity)).as("nothing written for 5 minutes").isGreaterThanOrEqualTo(Duration.ofMinutes(5));
        assertThat(watch.transferQuietFor(false, activity)).as("markers gone").isZero();
        advance(Duration.ofMinutes(10));
        assertThat(watch.transferQuietFor(true, activity)).as("new markers start a new watch").isZero();
    }

    @Test
    void theDataDirectoryIsWalkedAtMostEveryFewSeconds() {
        AtomicInteger looks = new AtomicInteger();
        Supplier<ProgressWatch.DataDirActivity> activity = () -> {
            looks.incrementAndGet();
            return new ProgressWatch.DataDirActivity(0, 0, 0);
        };
        for (int i = 0; i < 50; i++) {
            watch.transferQuietFor(true, activity);
            advance(Duration.ofMillis(200));
        }
        assertThat(looks.get()).as("10 s of probes every 200 ms").isBetween(2, 3);
    }

    @Test
    void disconnectedTimeAddsUpOnlyWithoutABreak() {
        assertThat(watch.disconnectedFor(true)).isZero();
        advance(Duration.ofSeconds(40));
        assertThat(watch.disconnectedFor(true)).isEqualTo(Duration.ofSeconds(40));
        assertThat(watch.disconnectedFor(false)).isZero();
        advance(Duration.ofSeconds(40));
        assertThat(watch.disconnectedFor(true)).isZero();
        advance(Duration.ofSeconds(61));
        assertThat(watch.disconnectedFor(true)).isEqualTo(Duration.ofSeconds(61));
    }

    @Test
    void aFileWrittenAnywhereInTheDataDirectoryChangesItsActivity(@TempDir Path data) throws Exception {
        Path sub = Files.createDirectories(data.resolve("app"));
        Files.writeString(data.resolve("sst_in_progress"), "");
        NodeFiles files = new NodeFiles(data, null);
        ProgressWatch.DataDirActivity before = files.dataDirActivity();
        assertThat(files.dataDirActivity()).as("nothing changed").isEqualTo(before);
        Path table = sub.resolve("t.ibd");
        Files.write(table, new byte[8192]);
        Files.setLastModifiedTime(table, FileTime.from(Instant.ofEpochMilli(before.newestModifiedMillis())));
        assertThat(files.dataDirActivity()).as("a new file of the same age").isNotEqualTo(before);
        ProgressWatch.DataDirActivity grown = files.dataDirActivity();
        Files.write(table, new byte[16384]);
        Files.setLastModifiedTime(table, FileTime.from(Instant.ofEpochMilli(before.newestModifiedMillis())));
        assertThat(files.dataDirActivity()).as("a file that grew").isNotEqualTo(grown);
        assertThat(new NodeFiles(data.resolve("missing"), null).dataDirActivity()).isEqualTo(new ProgressWatch.DataDirActivity(0, 0, 0));
    }
}
