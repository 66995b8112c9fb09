package dev.galeraagent.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.position.Position;
import dev.galeraagent.handoff.HandOffTask.Step;
import dev.galeraagent.status.NodeStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sidecar's rule-10 task over real files, with the status it reads scripted. */
class HandOffTaskTest {
    /** mysqld not answering (down, hung, access denied): no wsrep fields. */
    static final NodeStatus DOWN = state(null, null, null);
    static final NodeStatus NON_PRIMARY = state("non-Primary", "Initialized", true);
    static final NodeStatus JOINER = state("Primary", "Joiner", true);
    static final NodeStatus JOINED = state("Primary", "Joined", true);
    static final NodeStatus DONOR = state("Primary", "Donor/Desynced", true);
    static final NodeStatus SYNCED = state("Primary", "Synced", true);
    /** Still says Primary after its connection to the cluster went: not in a Primary component. */
    static final NodeStatus DISCONNECTED = state("Primary", "Synced", false);
    static final List<NodeStatus> NOT_PRIMARY = List.of(DOWN, NON_PRIMARY, DISCONNECTED, state("Disconnected", null, false));

    @TempDir
    Path conf;
    Path oneShot;
    final AtomicReference<NodeStatus> now = new AtomicReference<>(DOWN);
    final AtomicInteger reads = new AtomicInteger();

    static NodeStatus state(String cluster, String local, Boolean connected) {
        return new NodeStatus(null, "galera-1", 1, cluster, local, null, null, 1, connected, connected, false, false, null, null, null, null);
    }

    @BeforeEach
    void oneShotDir() throws Exception {
        oneShot = Files.createDirectories(conf.resolve(HandOff.ONE_SHOT_DIR)).resolve("bootstrap.cnf");
    }

    HandOffTask task() {
        return new HandOffTask(conf, () -> {
            reads.incrementAndGet();
            return now.get();
        }, null, "galera-1", "db", Clock.systemUTC());
    }

    void bootstrapWrote(String plan) throws Exception {
        HandOff h = new HandOff(plan, "galera-1", 1, plan.equals("NEW_CLUSTER") ? null : Position.parse("position", "6b2f1a4e-0000-11ef-8000-000000000001:42"),
                oneShot.toString(), List.of("highest seqno"), "2026-11-26T10:00:00Z", "0.1.0");
        Files.writeString(conf.resolve(HandOff.REQUEST), h.toJson() + "\n");
        Files.writeString(oneShot, "[mysqld]\nwsrep_new_cluster\n");
    }

    void joinerWrote() throws Exception {
        Files.writeString(oneShot, "[mysqld]\nwsrep_start_position=6b2f1a4e-0000-11ef-8000-000000000001:42\n");
    }

    boolean requested() {
        return Files.exists(conf.resolve(HandOff.REQUEST));
    }

    boolean done() {
        return Files.exists(conf.resolve(HandOff.DONE));
    }

    @Test
    void aRequestIsLeftAloneWhileTheNodeIsNotPrimary() throws Exception {
        bootstrapWrote("BOOTSTRAP_FROM_HERE");
        String before = Files.readString(conf.resolve(HandOff.REQUEST));
        HandOffTask task = task();
        for (NodeStatus o : NOT_PRIMARY) {
            now.set(o);
            assertThat(task.step()).as(o.toString()).isEqualTo(Step.WAITING_FOR_PRIMARY);
        }
        assertThat(oneShot).exists();
        assertThat(Files.readString(conf.resolve(HandOff.REQUEST))).isEqualTo(before);
        assertThat(done()).isFalse();
    }

    @Test
    void oncePrimaryTheOneShotGoesAndTheRequestBecomesDone() throws Exception {
        bootstrapWrote("NEW_CLUSTER");
        HandOffTask task = task();
        now.set(NON_PRIMARY);
        assertThat(task.step()).isEqualTo(Step.WAITING_FOR_PRIMARY);
        // Primary is enough: a bootstrapped node is Primary before it is Synced
        now.set(JOINED);
        assertThat(task.step()).isEqualTo(Step.COMPLETED);
        assertThat(oneShot).doesNotExist();
        assertThat(requested()).isFalse();
        assertThat(HandOff.done(conf)).get().extracting(HandOff::plan).isEqualTo("NEW_CLUSTER");
        // nothing left to do, and nothing read for it
        reads.set(0);
        assertThat(task.step()).isEqualTo(Step.IDLE);
        assertThat(task.step()).isEqualTo(Step.IDLE);
        assertThat(reads).hasValue(0);
    }

    @Test
    void aJoinerClearsItsOneShotsOnceSyncedAndOnlyOnce() throws Exception {
        joinerWrote();
        HandOffTask task = task();
        for (NodeStatus o : List.of(DOWN, NON_PRIMARY, DISCONNECTED, JOINER, JOINED, DONOR)) {
            now.set(o);
            assertThat(task.step()).as(o.toString()).isEqualTo(Step.WAITING_FOR_SYNCED);
            assertThat(oneShot).exists();
        }
        now.set(SYNCED);
        assertThat(task.step()).isEqualTo(Step.CLEARED);
        assertThat(oneShot).doesNotExist();
        assertThat(done()).isFalse();
        // once: a file appearing later is not this task's business (only an init container writes them)
        Files.writeString(oneShot, "[mysqld]\n");
        reads.set(0);
        assertThat(task.step()).isEqualTo(Step.IDLE);
        assertThat(oneShot).exists();
        assertThat(reads).hasValue(0);
    }

    @Test
    void aNodeWithoutHandOffOrOneShotsNeverReadsTheStatus() {
        HandOffTask task = task();
        now.set(SYNCED);
        for (int i = 0; i < 3; i++) {
            assertThat(task.step()).isEqualTo(Step.IDLE);
        }
        assertThat(reads).hasValue(0);
    }

    @Test
    void aSidecarStartedBeforeTheBootstrapWroteItsFilesStillClearsThem() throws Exception {
        // a native sidecar (init container with restartPolicy Always) can run before agent bootstrap
        HandOffTask task = task();
        now.set(DOWN);
        assertThat(task.step()).isEqualTo(Step.IDLE);
        joinerWrote();
        assertThat(task.step()).isEqualTo(Step.WAITING_FOR_SYNCED);
        now.set(SYNCED);
        assertThat(task.step()).isEqualTo(Step.CLEARED);
        assertThat(oneShot).doesNotExist();
    }

    @Test
    void aSidecarRestartedBeforePrimaryCompletesLater() throws Exception {
        bootstrapWrote("BOOTSTRAP_FROM_HERE");
        now.set(NON_PRIMARY);
        assertThat(task().step()).isEqualTo(Step.WAITING_FOR_PRIMARY);
        // the process dies; a new one starts with no memory
        HandOffTask restarted = task();
        assertThat(restarted.step()).isEqualTo(Step.WAITING_FOR_PRIMARY);
        now.set(SYNCED);
        assertThat(restarted.step()).isEqualTo(Step.COMPLETED);
        assertThat(oneShot).doesNotExist();
        assertThat(done()).isTrue();
    }

    @Test
    void aSidecarKilledBetweenDeletingTheOneShotAndRenamingTheRequestFinishesTheRename() throws Exception {
        bootstrapWrote("BOOTSTRAP_FROM_HERE");
        Files.delete(oneShot); // HandOff.complete's first step happened, its rename did not
        now.set(SYNCED);
        assertThat(task().step()).isEqualTo(Step.COMPLETED);
        assertThat(requested()).isFalse();
        assertThat(done()).isTrue();
    }

    @Test
    void aSidecarRestartedAfterCompletionChangesNothing() throws Exception {
        bootstrapWrote("NEW_CLUSTER");
        now.set(SYNCED);
        assertThat(task().step()).isEqualTo(Step.COMPLETED);
        String doneText = Files.readString(conf.resolve(HandOff.DONE));
        HandOffTask restarted = task();
        assertThat(restarted.step()).isEqualTo(Step.IDLE);
        assertThat(Files.readString(conf.resolve(HandOff.DONE))).isEqualTo(doneText);
        assertThat(requested()).isFalse();
    }

    @Test
    void aJoinerSidecarRestartedAfterClearingHasNothingToDo() throws Exception {
        joinerWrote();
        now.set(SYNCED);
        assertThat(task().step()).isEqualTo(Step.CLEARED);
        assertThat(task().step()).isEqualTo(Step.IDLE);
    }

    @Test
    void anUnreadableRequestStillLosesItsOneShotOncePrimaryAndStaysForAPerson() throws Exception {
        Files.writeString(conf.resolve(HandOff.REQUEST), "{\"plan\": ");
        Files.writeString(oneShot, "[mysqld]\nwsrep_new_cluster\n");
        HandOffTask task = task();
        now.set(NON_PRIMARY);
        assertThat(task.step()).isEqualTo(Step.WAITING_FOR_PRIMARY);
        assertThat(oneShot).exists();
        now.set(JOINED);
        assertThat(task.step()).isEqualTo(Step.COMPLETED);
        assertThat(oneShot).doesNotExist();
        assertThat(requested()).isTrue();
    }

    @Test
    void aHandOffWithAMalformedLeaseIsStillCompleted() throws Exception {
        bootstrapWrote("NEW_CLUSTER");
        String json = Files.readString(conf.resolve(HandOff.REQUEST)).strip();
        Files.writeString(conf.resolve(HandOff.REQUEST), json.substring(0, json.length() - 1) + ",\"lease\":{\"holder\":\"galera-1\"}}");
        now.set(SYNCED);
        assertThat(task().step()).isEqualTo(Step.COMPLETED);
        assertThat(oneShot).doesNotExist();
    }

    /**
     * Over random runs of statuses, with the sidecar killed and restarted at random points: the bootstrap's
     * one-shot file exists exactly until the first run that saw the node Primary, and the request is then done.
     */
    @Test
    void theOneShotSurvivesExactlyUntilTheFirstPrimaryWhateverTheRestarts() throws Exception {
        List<NodeStatus> domain = new ArrayList<>(NOT_PRIMARY);
        domain.addAll(List.of(JOINER, JOINED, DONOR, SYNCED));
        Random random = new Random(20261126);
        for (int run = 0; run < 300; run++) {
            Files.deleteIfExists(conf.resolve(HandOff.DONE));
            bootstrapWrote(random.nextBoolean() ? "NEW_CLUSTER" : "BOOTSTRAP_FROM_HERE");
            HandOffTask task = task();
            boolean seenPrimary = false;
            for (int i = 0; i < 12; i++) {
                if (random.nextInt(4) == 0) {
                    task = task();
                }
                NodeStatus o = domain.get(random.nextInt(domain.size()));
                now.set(o);
                task.step();
                seenPrimary |= o.inPrimaryComponent();
                assertThat(Files.exists(oneShot)).as("run %d step %d after %s", run, i, o).isEqualTo(!seenPrimary);
                assertThat(requested()).isEqualTo(!seenPrimary);
                assertThat(done()).isEqualTo(seenPrimary);
            }
        }
    }
}
