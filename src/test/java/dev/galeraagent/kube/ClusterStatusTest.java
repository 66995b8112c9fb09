package dev.galeraagent.kube;

import dev.galeraagent.position.Position;
import dev.galeraagent.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.cli.AgentCommand;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code agent status} against fabric8's mock API server in CRUD mode, in the states a cluster goes through: fresh,
 * all Synced, a full crash waiting for a pod, and refused. The pods' sidecars are small HTTP servers on loopback
 * addresses answering /status as {@code agent probe serve} (or, while waiting, {@code agent bootstrap}) does.
 */
class ClusterStatusTest {
    static final String NS = "db";
    static final String UUID_A = "6f1b3c1e-1111-11ef-9a3c-0242ac120002";
    static final String UUID_B = "0c9d2e7a-2222-11ef-8b1d-0242ac120003";
    static final String[] POD_IPS = {"127.0.70.11", "127.0.70.12", "127.0.70.13"};

    @RegisterExtension
    final MockKubeServer kube = new MockKubeServer("127.0.70.1", NS);
    final List<HttpServer> sidecars = new ArrayList<>();
    int sidecarPort;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void start() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, "galera", 3, List.of(0, 1, 2));
        Log.setOutput(new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        Log.setOutput(System.err);
        sidecars.forEach(s -> s.stop(0));
    }

    int status(String... extra) {
        List<String> args = new ArrayList<>(List.of("status", "--kubeconfig", kube.kubeconfig().toString(), "-n", NS, "--statefulset", "galera",
                "--status-port", Integer.toString(sidecarPort == 0 ? 9 : sidecarPort), "--status-timeout", "1s"));
        args.addAll(List.of(extra));
        return AgentCommand.execute(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    JsonNode json() {
        out.getBuffer().setLength(0);
        status("-o", "json");
        return JsonMapper.builder().build().readTree(out.toString());
    }

    /** The kubelet's view: phase, IP, the Ready condition. */
    void podStatus(int ordinal, String phase, String ip, boolean ready) {
        kube.mock().admin().pods().inNamespace(NS).withName("galera-" + ordinal).edit(p -> new PodBuilder(p).withNewStatus()
                .withPhase(phase).withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build());
    }

    void publish(PublishedState state) {
        try (KubeApi api = kube.mock().agent(kube.kubeconfig(), NS, Clock.systemUTC())) {
            api.publish(api.statefulSet("galera-" + state.ordinal(), Optional.of("galera")), "galera-" + state.ordinal(), state);
        }
    }

    static PublishedState state(int ordinal, String phase, String uuid, long seqno, String decision, List<String> reasons) {
        return new PublishedState(ordinal, phase, uuid == null, uuid, seqno, false, false, decision, reasons, null,
                Instant.now().plusSeconds(1 + ordinal).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), "0.1.0");
    }

    /** Serves {@code statuses[i]} as /status on POD_IPS[i], all on one port (the sidecars' port is one option). */
    void sidecars(NodeStatus... statuses) throws IOException {
        for (int attempt = 0; ; attempt++) {
            sidecars.forEach(s -> s.stop(0));
            sidecars.clear();
            try {
                int port = 0;
                for (int i = 0; i < statuses.length; i++) {
                    if (statuses[i] == null) {
                        continue;
                    }
                    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(POD_IPS[i]), port), 8);
                    byte[] body = StatusJson.write(statuses[i]).getBytes(StandardCharsets.UTF_8);
                    server.createContext("/status", exchange -> {
                        exchange.getResponseHeaders().add("Content-Type", "application/json");
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                        exchange.close();
                    });
                    server.start();
                    sidecars.add(server);
                    port = server.getAddress().getPort();
                }
                sidecarPort = port;
                return;
            } catch (BindException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    static NodeStatus synced(int ordinal, String uuid, long seqno, PublishedState decision) {
        return new NodeStatus("0.1.0", "galera-" + ordinal, ordinal, "Primary", "Synced", uuid, seqno, 3, true, true, true, true,
                "ready: Synced in a Primary component", new NodeStatus.Grastate(uuid, -1, false), decision, null);
    }

    /** What {@code agent bootstrap} serves while it waits: no mysqld, its own published state. */
    static NodeStatus bootstrapWaiting(PublishedState own) {
        return new NodeStatus("0.1.0", "galera-" + own.ordinal(), own.ordinal(), null, null, null, null, null, null, null, false, true,
                "agent bootstrap: " + own.phase(), new NodeStatus.Grastate(own.uuid(), -1, false), own, null);
    }

    @Test
    void freshNothingPublishedNothingToDo() {
        int code = status();
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("StatefulSet galera in namespace db: 3 replicas")
                .contains("galera-0 published state: nothing published")
                .contains("Lease: not created (no pod has taken it yet)")
                .contains("History: no pod has Galera state yet")
                .contains("Recent events: none recorded")
                .contains("To do: nothing");
        JsonNode j = json();
        assertThat(j.get("pods")).hasSize(3);
        assertThat(j.get("pods").get(0).get("pod_phase").asString()).isEqualTo("Unknown");
        assertThat(j.get("history").get("state").asString()).isEqualTo("none");
        assertThat(j.get("advice")).isEmpty();
    }

    @Test
    void allSyncedOneHistoryReadyAndLiveNothingToDo() throws Exception {
        PublishedState[] decided = {
            state(0, "decided", null, -1, "NEW_CLUSTER", List.of("fresh cluster: pod 0 starts a new cluster (rule 2)")),
            state(1, "decided", null, -1, "JOIN", List.of("pods [0] are in a live Primary component")),
            state(2, "decided", null, -1, "JOIN", List.of("pods [0, 1] are in a live Primary component"))};
        for (int i = 0; i < 3; i++) {
            publish(decided[i]);
            podStatus(i, "Running", POD_IPS[i], true);
        }
        sidecars(synced(0, UUID_A, 1500, decided[0]), synced(1, UUID_A, 1500, decided[1]), synced(2, UUID_A, 1499, decided[2]));
        try (KubeApi api = kube.mock().agent(kube.kubeconfig(), NS, Clock.systemUTC())) {
            api.lease("galera-galera-bootstrap").tryAcquire("galera-0", Optional.empty(), Duration.ofSeconds(60));
            api.lease("galera-galera-bootstrap").release("galera-0");
            api.events("galera-0", "galera").bootstrapDecision("NEW_CLUSTER", decided[0].reasons());
        }

        assertThat(status()).as(err.toString()).isZero();
        String table = out.toString();
        assertThat(table).containsPattern("galera-0 +Running +decided +Primary/Synced +" + UUID_A + " +1500 +yes +yes +NEW_CLUSTER")
                .containsPattern("galera-2 +Running +decided +Primary/Synced +" + UUID_A + " +1499 +yes +yes +JOIN")
                .contains("History: one, " + UUID_A + " on pods [0, 1, 2]")
                .contains("Lease: galera-galera-bootstrap free")
                .contains("galera-0  BootstrapDecision  NEW_CLUSTER: fresh cluster: pod 0 starts a new cluster (rule 2)")
                .contains("To do: nothing");
        JsonNode j = json();
        assertThat(j.get("pods").get(1).get("ready_source").asString()).isEqualTo("sidecar");
        assertThat(j.get("pods").get(1).get("live").asBoolean()).isTrue();
        assertThat(j.get("lease").get("state").asString()).isEqualTo("free");
        assertThat(j.get("events").get(0).get("reason").asString()).isEqualTo("BootstrapDecision");
    }

    @Test
    void aFullCrashWaitingForAPodThatNeverReportedSaysWhoAndWhatToDo() throws Exception {
        PublishedState w0 = state(0, "waiting", UUID_A, 1500, "WAIT", List.of(
                "no live Primary component among the peers (galera-1 answering, mysqld not; galera-2 not live: name not resolved)",
                "waiting for pods [2] to publish their state: 2 of 3 known (rule 4)"));
        PublishedState w1 = state(1, "waiting", UUID_A, 1498, "WAIT", List.of(
                "no live Primary component among the peers (galera-0 answering, mysqld not; galera-2 not live: name not resolved)",
                "waiting for pods [2] to publish their state: 2 of 3 known (rule 4)"));
        publish(w0);
        publish(w1);
        podStatus(0, "Pending", POD_IPS[0], false);
        podStatus(1, "Pending", POD_IPS[1], false);
        podStatus(2, "Pending", null, false);
        sidecars(bootstrapWaiting(w0), bootstrapWaiting(w1), null);
        try (KubeApi api = kube.mock().agent(kube.kubeconfig(), NS, Clock.systemUTC())) {
            StatefulSetInfo sts = api.statefulSet(null, Optional.of("galera"));
            // what agent bootstrap records, through the board it uses
            new KubeStateBoard(api, sts, 0, Duration.ofSeconds(60)).decided(w0);
            new KubeStateBoard(api, sts, 1, Duration.ofSeconds(60)).decided(w1);
        }

        assertThat(status()).as(err.toString()).isEqualTo(1);
        String table = out.toString();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/agent-status-full-crash.txt"), table);
        assertThat(table).containsPattern("galera-0 +Pending +waiting +not running +" + UUID_A + " +1500 +no +yes +WAIT")
                .containsPattern("galera-2 +Pending +- +- +- +- +no \\(kubelet\\) +- +-")
                .contains("galera-0 /status: agent bootstrap: waiting")
                .contains("galera-2 /status: no pod IP")
                .contains("History: one, " + UUID_A + " on pods [0, 1]")
                .contains("galera-1  BootstrapWaiting  WAIT: no live Primary component")
                .contains("pods [0, 1] wait for galera-2 (Pending: not scheduled, or its volume cannot attach), which never reported its state")
                .contains("AGENT_RECOVERY_TIMEOUT and AGENT_RECOVERY_QUORUM");
        JsonNode j = json();
        assertThat(j.get("advice")).hasSize(1);
        assertThat(j.get("pods").get(2).get("published").asString()).isEqualTo("nothing published");
    }

    /** Seen in the e2e harness (S9): the pod the others wait for last published a decision of its previous run. */
    @Test
    void aFullCrashWaitingForAPodWhoseLastStateIsFromBeforeTheOutageSaysWhoAndWhatToDo() throws Exception {
        PublishedState w0 = state(0, "waiting", UUID_A, 7, "WAIT", List.of("waiting for pods [2] to publish their state: 2 of 3 known (rule 4)"));
        PublishedState w1 = state(1, "waiting", UUID_A, 18, "WAIT", List.of("waiting for pods [2] to publish their state: 2 of 3 known (rule 4)"));
        PublishedState old = state(2, "decided", UUID_A, 1, "JOIN", List.of("pods [0] are in a live Primary component: joining it (rule 1)"));
        publish(w0);
        publish(w1);
        publish(old);
        for (int i = 0; i < 3; i++) {
            podStatus(i, "Running", POD_IPS[i], false);
        }
        // galera-2's address answers nothing: its containers are gone, its Pod object not yet
        sidecars(bootstrapWaiting(w0), bootstrapWaiting(w1), null);

        assertThat(status()).as(err.toString()).isEqualTo(1);
        assertThat(out.toString())
                .containsPattern("pods \\[0, 1\\] wait for galera-2 \\(Running, its last published state is decided JOIN at \\S+ from an earlier run, "
                        + "/status no answer: [^)]+\\), which has not reported its state since the outage")
                .contains("AGENT_RECOVERY_TIMEOUT and AGENT_RECOVERY_QUORUM");
    }

    /** A decided pod whose sidecar answers (its mysqld starting) is not waited for: the others wait to join it. */
    @Test
    void aDecidedPodWhoseSidecarAnswersIsNotCalledMissing() throws Exception {
        PublishedState w0 = state(0, "waiting", UUID_A, 7, "WAIT", List.of("pod 2 has a bootstrap handed to its mysqld (rule 6)"));
        PublishedState w1 = state(1, "waiting", UUID_A, 7, "WAIT", List.of("pod 2 has a bootstrap handed to its mysqld (rule 6)"));
        PublishedState winner = state(2, "decided", UUID_A, 18, "BOOTSTRAP_FROM_HERE", List.of("most data (rule 4)"));
        publish(w0);
        publish(w1);
        publish(winner);
        for (int i = 0; i < 3; i++) {
            podStatus(i, "Running", POD_IPS[i], false);
        }
        sidecars(bootstrapWaiting(w0), bootstrapWaiting(w1), bootstrapWaiting(winner));

        status();
        assertThat(out.toString()).as(out.toString()).doesNotContain("wait for galera-2");
    }

    @Test
    void refusedWithDifferentHistoriesPointsAtTheOverride() throws Exception {
        List<String> reasons = List.of("the pods do not share one cluster history: " + UUID_A + " on [0, 1], " + UUID_B + " on [2]",
                "bootstrapping any of them would throw away the others' data: a person must choose with --force-bootstrap-from=<ordinal> (rule 5)");
        publish(state(0, "refused", UUID_A, 1500, "REFUSE", reasons));
        publish(state(1, "refused", UUID_A, 1502, "REFUSE", reasons));
        publish(state(2, "refused", UUID_B, 90, "REFUSE", reasons));
        for (int i = 0; i < 3; i++) {
            podStatus(i, "Pending", POD_IPS[i], false);
        }
        try (KubeApi api = kube.mock().agent(kube.kubeconfig(), NS, Clock.systemUTC())) {
            api.events("galera-2", "galera").bootstrapRefused(reasons);
        }

        assertThat(status("--no-sidecars")).as(err.toString()).isEqualTo(1);
        assertThat(out.toString())
                .contains("History: DIFFERENT: " + UUID_A + " on pods [0, 1], " + UUID_B + " on pods [2]")
                .contains("galera-2  BootstrapRefused  REFUSE: the pods do not share one cluster history")
                .contains("pods [0, 1, 2] REFUSED to start: the pods hold different histories")
                .contains("the highest seqno of " + UUID_A + " is pod 1's 1502")
                .contains("kubectl -n db set env statefulset/galera -c bootstrap AGENT_FORCE_BOOTSTRAP_FROM=<ordinal>");
        assertThat(out.toString()).doesNotContain("/status:");
    }

    @Test
    void aLeaseHeldTooLongIsSomethingToLookAt() {
        MutableClock past = new MutableClock(Instant.now().minus(Duration.ofMinutes(20)));
        try (KubeApi api = kube.mock().agent(kube.kubeconfig(), NS, past)) {
            api.lease("galera-galera-bootstrap").tryAcquire("galera-1", Optional.of(Position.parse("position", UUID_A + ":1502")), Duration.ofSeconds(60));
            past.advance(Duration.ofMinutes(20));
            api.lease("galera-galera-bootstrap").renew("galera-1", Duration.ofSeconds(60));
        }
        assertThat(status("--no-sidecars")).isEqualTo(1);
        assertThat(out.toString()).containsPattern("Lease: galera-galera-bootstrap held by galera-1 since \\S+ \\(20m(\\ds)?\\)")
                .contains("has been held by galera-1 since").contains("kubectl -n db logs galera-1 -c probe");
        out.getBuffer().setLength(0);
        assertThat(status("--no-sidecars", "--lease-warn-after", "30m")).isZero();
    }

    @Test
    void badUsageAndAMissingStatefulSetAreOneLine() {
        assertThat(status("-o", "yaml")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("agent: --output must be table or json, was 'yaml'");
        err.getBuffer().setLength(0);
        int code = AgentCommand.execute(new String[] {"status", "--kubeconfig", kube.kubeconfig().toString(), "-n", NS, "--statefulset", "mysql"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(5);
        assertThat(err.toString().strip()).isEqualTo("agent: StatefulSet mysql not found in namespace db");
    }
}
