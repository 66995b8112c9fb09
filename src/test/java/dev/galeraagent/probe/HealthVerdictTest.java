package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.probe.Observation.Answered;
import dev.galeraagent.probe.Observation.Failed;
import dev.galeraagent.probe.Observation.Failure;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HealthVerdictTest {
    private static final ProbePolicy STRICT = new ProbePolicy(false, Duration.ofSeconds(60), "probe", "127.0.0.1:3306");
    private static final ProbePolicy DONOR_OK = new ProbePolicy(true, Duration.ofSeconds(60), "probe", "127.0.0.1:3306");

    private static Answered galera(String state, String clusterStatus, String connected, String ready) {
        Map<String, String> v = new HashMap<>();
        v.put("wsrep_on", "ON");
        v.put("wsrep_provider_name", "Galera");
        v.put("wsrep_local_state_comment", state);
        v.put("wsrep_cluster_status", clusterStatus);
        v.put("wsrep_connected", connected);
        v.put("wsrep_ready", ready);
        v.put("wsrep_cluster_size", "3");
        return new Answered(v);
    }

    record Row(String name, Observation observation, LocalSigns signs, ProbePolicy policy,
            boolean live, boolean ready, boolean started, String readyReasonContains) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> table() {
        LocalSigns none = LocalSigns.NONE;
        LocalSigns sst = new LocalSigns(true, Duration.ofMinutes(30));
        LocalSigns downLong = new LocalSigns(false, Duration.ofSeconds(61));
        LocalSigns downShort = new LocalSigns(false, Duration.ofSeconds(5));
        return Stream.of(
                new Row("synced primary", galera("Synced", "Primary", "ON", "ON"), none, STRICT, true, true, true, "ready: Synced"),
                new Row("donor without the flag", galera("Donor/Desynced", "Primary", "ON", "ON"), none, STRICT, true, false, true, "--available-when-donor is off"),
                new Row("donor with the flag", galera("Donor/Desynced", "Primary", "ON", "ON"), none, DONOR_OK, true, true, true, "ready: Donor/Desynced"),
                new Row("joiner", galera("Joiner", "Primary", "ON", "OFF"), none, STRICT, true, false, true, "receiving a state transfer"),
                new Row("joining: receiving state transfer", galera("Joining: receiving State Transfer", "Primary", "ON", "OFF"), none, STRICT, true, false, true, "receiving a state transfer"),
                new Row("joined", galera("Joined", "Primary", "ON", "OFF"), none, STRICT, true, false, true, "catching up"),
                new Row("non-primary", galera("Initialized", "non-Primary", "ON", "OFF"), none, STRICT, true, false, true, "not in a Primary component"),
                new Row("non-primary even if synced", galera("Synced", "non-Primary", "ON", "ON"), none, DONOR_OK, true, false, true, "not in a Primary component"),
                new Row("disconnected", galera("Initialized", "Disconnected", "OFF", "OFF"), none, STRICT, true, false, true, "not connected"),
                new Row("synced but wsrep not ready", galera("Synced", "Primary", "ON", "OFF"), none, STRICT, true, false, true, "wsrep_ready=OFF"),
                new Row("donor with the flag but not ready", galera("Donor/Desynced", "Primary", "ON", "OFF"), none, DONOR_OK, true, false, true, "wsrep_ready=OFF"),
                new Row("wsrep_on OFF", new Answered(Map.of("wsrep_on", "OFF")), none, STRICT, true, false, true, "Galera is not enabled (wsrep_on=OFF)"),
                new Row("no wsrep variables", new Answered(Map.of()), none, STRICT, true, false, true, "Galera is not enabled"),
                new Row("no provider", new Answered(Map.of("wsrep_on", "ON", "wsrep_provider_name", "", "wsrep_ready", "OFF")), none, STRICT, true, false, true, "no wsrep provider"),
                new Row("down just now", new Failed(Failure.DOWN, "Connection refused"), downShort, STRICT, true, false, false, "not answering on 127.0.0.1:3306"),
                new Row("down beyond the grace", new Failed(Failure.DOWN, "Connection refused"), downLong, STRICT, false, false, false, "not answering"),
                new Row("down during a state transfer", new Failed(Failure.DOWN, "Connection refused"), sst, STRICT, true, false, true, "state transfer is in progress"),
                new Row("wrong password", new Failed(Failure.ACCESS_DENIED, "error 1045"), none, STRICT, true, false, true, "denied access to user 'probe'"),
                new Row("hung", new Failed(Failure.TIMEOUT, "no answer within 1000ms"), none, STRICT, false, false, false, "hung?"),
                new Row("hung during a state transfer", new Failed(Failure.TIMEOUT, "no answer within 1000ms"), sst, STRICT, true, false, true, "state transfer"),
                new Row("server error", new Failed(Failure.SERVER_ERROR, "error 1040: Too many connections"), none, STRICT, true, false, true, "Too many connections"),
                new Row("disconnected within the limit", galera("Initialized", "Disconnected", "OFF", "OFF"),
                        new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(59)), STRICT, true, false, true, "not connected"),
                new Row("disconnected beyond the limit", galera("Initialized", "Disconnected", "OFF", "OFF"),
                        new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(60)), STRICT, false, false, true, "not connected"),
                new Row("failed IST: still Joining, disconnected within the limit", galera("Joining: receiving State Transfer", "non-Primary", "OFF", "OFF"),
                        new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(30)), STRICT, true, false, true, "not connected"),
                new Row("failed IST: still Joining, disconnected beyond the limit", galera("Joining: receiving State Transfer", "non-Primary", "OFF", "OFF"),
                        new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(60)), STRICT, false, false, true, "not connected"),
                new Row("failed IST: Joining, connected, non-Primary, within the limit", galera("Joining: receiving State Transfer", "non-Primary", "ON", "OFF"),
                        new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(59)), STRICT, true, false, true, "not in a Primary component"),
                new Row("failed IST: Joining, connected, non-Primary, beyond the limit", galera("Joining: receiving State Transfer", "non-Primary", "ON", "OFF"),
                        new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(60)), STRICT, false, false, true, "not in a Primary component"),
                new Row("receiving IST, connected, for long", galera("Joining: receiving State Transfer", "Primary", "ON", "OFF"),
                        new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ZERO), STRICT, true, false, true, "receiving a state transfer"),
                new Row("partitioned for long: connected, non-Primary", galera("Initialized", "non-Primary", "ON", "OFF"),
                        new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(10)), STRICT, true, false, true, "not in a Primary component"),
                new Row("transfer markers, data quiet within the bound", new Failed(Failure.DOWN, "Connection refused"),
                        new LocalSigns(true, Duration.ofMinutes(30), Duration.ofSeconds(299), Duration.ZERO), STRICT, true, false, true, "state transfer is in progress"),
                new Row("transfer markers, data quiet beyond the bound", new Failed(Failure.DOWN, "Connection refused"),
                        new LocalSigns(true, Duration.ofMinutes(30), Duration.ofMinutes(5), Duration.ZERO), STRICT, false, false, true, "the transfer is dead"),
                new Row("hung, transfer markers, data quiet beyond the bound", new Failed(Failure.TIMEOUT, "no answer within 1000ms"),
                        new LocalSigns(true, Duration.ofMinutes(30), Duration.ofMinutes(6), Duration.ZERO), STRICT, false, false, true, "the transfer is dead"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void verdictFollowsTheSemanticsTable(Row row) {
        Health h = HealthVerdict.judge(row.observation(), row.signs(), row.policy());
        assertThat(h.live().ok()).as("live: %s", h.live().reason()).isEqualTo(row.live());
        assertThat(h.ready().ok()).as("ready: %s", h.ready().reason()).isEqualTo(row.ready());
        assertThat(h.startup().ok()).as("startup: %s", h.startup().reason()).isEqualTo(row.started());
        assertThat(h.ready().reason()).contains(row.readyReasonContains());
    }

    @Test
    void aNodeStuckOutsideAPrimaryComponentStaysLiveAndSaysARestartWouldNotHelp() {
        Health h = HealthVerdict.judge(galera("Initialized", "non-Primary", "ON", "OFF"), LocalSigns.NONE, STRICT);
        assertThat(h.live().ok()).isTrue();
        assertThat(h.live().reason()).contains("waiting for quorum").contains("a restart would not help");
    }

    @Test
    void aDisconnectedGaleraSaysOnlyARestartHelpsOnceItLastsTheLimit() {
        Health h = HealthVerdict.judge(galera("Initialized", "Disconnected", "OFF", "OFF"),
                new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(75)), STRICT);
        assertThat(h.live().reason()).isEqualTo("not live: Galera is disconnected (wsrep_connected=OFF) for 75s, 60s or more: "
                + "only a restart helps (a failed IST asks for one)");
        Health early = HealthVerdict.judge(galera("Initialized", "Disconnected", "OFF", "OFF"),
                new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(20)), STRICT);
        assertThat(early.live().reason()).contains("for 20s").contains("a restart follows once this lasts 60s");
    }

    /**
     * Seen in a five-pod full crash: "Receiving IST failed, node restart required" closed Galera's group connection,
     * yet wsrep_local_state_comment kept saying "Joining: receiving State Transfer". Judged as a transfer, the node
     * stayed live for good, outside the cluster, until a person restarted it.
     */
    @Test
    void aFailedIstThatStillSaysJoiningIsNotLiveOnceDisconnectedForTheLimit() {
        Answered failedIst = galera("Joining: receiving State Transfer", "non-Primary", "OFF", "OFF");
        Health early = HealthVerdict.judge(failedIst, new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(20)), STRICT);
        assertThat(early.live().ok()).isTrue();
        assertThat(early.live().reason()).isEqualTo("live: mysqld answers; not connected to a cluster (wsrep_connected=OFF) while saying "
                + "Joining: receiving State Transfer for 20s; a restart follows once this lasts 60s");
        Health late = HealthVerdict.judge(failedIst, new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(61)), STRICT);
        assertThat(late.live().ok()).isFalse();
        assertThat(late.live().reason()).isEqualTo("not live: Galera is disconnected (wsrep_connected=OFF), still saying Joining: "
                + "receiving State Transfer, for 61s, 60s or more: a transfer cannot finish outside the group; only a restart helps "
                + "(a failed IST asks for one)");
    }

    /**
     * Seen live in a five-pod full crash (CI's hang): after "Receiving IST failed, node restart required" mysqld said
     * wsrep_connected=ON, non-Primary, size 2, "Joining: receiving State Transfer", and waited for good on a new IST
     * receiver ("Requesting state transfer failed: File descriptor in bad state").
     */
    @Test
    void aJoinerOutsideAPrimaryComponentIsNotLiveOnceThatLastsTheLimit() {
        Answered stuck = galera("Joining: receiving State Transfer", "non-Primary", "ON", "OFF");
        assertThat(HealthVerdict.outOfTheGroup(stuck)).isTrue();
        Health early = HealthVerdict.judge(stuck, new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(20)), STRICT);
        assertThat(early.live().reason()).isEqualTo("live: mysqld answers; Galera says Joining: receiving State Transfer outside a "
                + "Primary component (non-Primary) for 20s; a restart follows once this lasts 60s");
        Health late = HealthVerdict.judge(stuck, new LocalSigns(false, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(61)), STRICT);
        assertThat(late.live().reason()).isEqualTo("not live: Galera says Joining: receiving State Transfer outside a Primary "
                + "component (non-Primary) for 61s, 60s or more: a transfer cannot finish outside the group; only a restart helps "
                + "(a failed IST asks for one)");
    }

    @Test
    void onlyJoinersAndDisconnectedNodesCountAsOutOfTheGroup() {
        assertThat(HealthVerdict.outOfTheGroup(galera("Joining: receiving State Transfer", "Primary", "ON", "OFF"))).isFalse();
        assertThat(HealthVerdict.outOfTheGroup(galera("Initialized", "non-Primary", "ON", "OFF"))).as("partitioned: waits for quorum").isFalse();
        assertThat(HealthVerdict.outOfTheGroup(galera("Synced", "Primary", "OFF", "OFF"))).isTrue();
        assertThat(HealthVerdict.outOfTheGroup(galera("Joiner", "non-Primary", "ON", "OFF"))).isTrue();
        assertThat(HealthVerdict.outOfTheGroup(new Answered(Map.of("wsrep_on", "OFF", "wsrep_connected", "OFF")))).isFalse();
    }

    @Test
    void staleTransferMarkersSayNothingChangedForHowLong() {
        Health h = HealthVerdict.judge(new Failed(Failure.DOWN, "Connection refused"),
                new LocalSigns(true, Duration.ofMinutes(7), Duration.ofSeconds(330), Duration.ZERO), STRICT);
        assertThat(h.live().reason()).isEqualTo("not live: state-transfer markers (sst_in_progress or wsrep_sst.pid) are in the data "
                + "directory, but nothing there changed for 330s, 300s or more: the transfer is dead, not running; "
                + "mysqld is not answering on 127.0.0.1:3306 (Connection refused)");
    }

    @Test
    void theStaleTransferBoundIsThePolicys() {
        ProbePolicy quick = new ProbePolicy(false, Duration.ofSeconds(60), "probe", "127.0.0.1:3306", Duration.ofSeconds(20));
        LocalSigns quiet25 = new LocalSigns(true, Duration.ofSeconds(25), Duration.ofSeconds(25), Duration.ZERO);
        Health h = HealthVerdict.judge(new Failed(Failure.DOWN, "Connection refused"), quiet25, quick);
        assertThat(h.live().ok()).isFalse();
        assertThat(h.live().reason()).contains("nothing there changed for 25s, 20s or more");
        assertThat(HealthVerdict.judge(new Failed(Failure.DOWN, "Connection refused"), quiet25, STRICT).live().ok())
                .as("the default bound is five minutes").isTrue();
        assertThat(STRICT.staleTransfer()).isEqualTo(HealthVerdict.STALE_TRANSFER);
    }

    @Test
    void downReasonsSayHowLongAndWhichGrace() {
        Health h = HealthVerdict.judge(new Failed(Failure.DOWN, "Connection refused"), new LocalSigns(false, Duration.ofMillis(61_500)), STRICT);
        assertThat(h.live().reason()).isEqualTo("not live: mysqld is not answering on 127.0.0.1:3306 (Connection refused) for 61.5s, "
                + "beyond the 60s start-up grace, and no state transfer is in progress");
    }

    private static final List<String> STATES = List.of("Synced", "Donor/Desynced", "Joiner", "Joining: receiving State Transfer", "Joined",
            "Initialized", "", "Destroyed");
    private static final List<String> STATUSES = List.of("Primary", "non-Primary", "Disconnected", "");
    private static final List<String> FLAGS = List.of("ON", "OFF", "");

    /** Every combination of the wsrep values that matter: ready exactly per the rule, always live, reasons on one line. */
    @Test
    void readinessIsExactlyTheRuleOverEveryCombination() {
        int checked = 0;
        for (String state : STATES) {
            for (String status : STATUSES) {
                for (String connected : FLAGS) {
                    for (String wsrepReady : FLAGS) {
                        for (ProbePolicy policy : List.of(STRICT, DONOR_OK)) {
                            Health h = HealthVerdict.judge(galera(state, status, connected, wsrepReady), LocalSigns.NONE, policy);
                            boolean expected = "ON".equals(wsrepReady) && "ON".equals(connected) && "Primary".equals(status)
                                    && ("Synced".equals(state) || (policy.availableWhenDonor() && "Donor/Desynced".equals(state)));
                            String where = state + "/" + status + "/connected=" + connected + "/ready=" + wsrepReady + "/donorOk=" + policy.availableWhenDonor();
                            assertThat(h.ready().ok()).as(where + ": " + h.ready().reason()).isEqualTo(expected);
                            assertThat(h.live().ok()).as(where).isTrue();
                            assertThat(h.startup().ok()).as(where).isTrue();
                            assertThat(h.ready().reason()).as(where).startsWith(expected ? "ready: " : "not ready: ");
                            checked++;
                        }
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(STATES.size() * STATUSES.size() * FLAGS.size() * FLAGS.size() * 2);
    }

    /** Random failure inputs: never an exception, reasons one line, and a hung or long-down node without a transfer is never live. */
    @Test
    void failuresAlwaysGiveOneLineReasonsAndOnlyToleratedDowntimeIsLive() {
        Random random = new Random(20261126L);
        for (int i = 0; i < 2000; i++) {
            Failure failure = Failure.values()[random.nextInt(Failure.values().length)];
            String detail = random.nextBoolean() ? "line one\nline two\r\n" : "";
            LocalSigns signs = new LocalSigns(random.nextBoolean(), Duration.ofMillis(random.nextInt(200_000)));
            ProbePolicy policy = new ProbePolicy(random.nextBoolean(), Duration.ofSeconds(random.nextInt(120)), "probe", "127.0.0.1:3306");
            Health h = HealthVerdict.judge(new Failed(failure, detail), signs, policy);
            String where = failure + " " + signs + " " + policy;
            assertThat(h.ready().ok()).as(where).isFalse();
            boolean expectLive = switch (failure) {
                case ACCESS_DENIED, SERVER_ERROR -> true;
                case TIMEOUT -> signs.stateTransferFiles();
                case DOWN -> signs.stateTransferFiles() || signs.unansweredFor().compareTo(policy.startupGrace()) < 0;
            };
            assertThat(h.live().ok()).as(where + ": " + h.live().reason()).isEqualTo(expectLive);
        }
    }
}
