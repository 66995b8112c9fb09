package dev.galeraagent.kube;

import dev.galeraagent.handoff.LeaseRecord;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.bootstrap.BootstrapLoop;
import dev.galeraagent.bootstrap.BootstrapSettings;
import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.handoff.HandOffLease;
import dev.galeraagent.bootstrap.Plan;
import dev.galeraagent.bootstrap.StateBoard;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.discovery.PeerStatusClient;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import dev.galeraagent.testing.Pods;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wired bootstrap loop of three pods, each on its own thread with its own API client, against one mock API
 * server in CRUD mode: published states, the election, the Lease. Each pod serves /status on 127.0.50.2N; the
 * Primary that the bootstrapping pod would become is a real HTTP server answering NodeStatus on its address.
 */
class WiredBootstrapTest {
    static final UUID U1 = UUID.fromString("86af4600-e983-11f1-a2ff-bfa38c7146ac");
    static final UUID U2 = UUID.fromString("56b81349-e983-11f1-9729-1b052e78bb37");
    static final int PORT = 19850;
    static final int REPLICAS = 3;

    @TempDir
    Path tmp;

    MockKube mock;
    Path kubeconfig;
    final List<AutoCloseable> closeLast = new ArrayList<>();
    final ExecutorService threads = Executors.newFixedThreadPool(REPLICAS);
    final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @BeforeEach
    void start() {
        Log.setOutput(new PrintStream(logged, true, StandardCharsets.UTF_8));
        mock = MockKube.start("127.0.50.10", 0);
        MockKube.createStatefulSet(mock.admin(), "default", "galera", REPLICAS, List.of(0, 1, 2));
        kubeconfig = mock.writeKubeconfig(tmp, "default");
    }

    @AfterEach
    void stop() throws Exception {
        threads.shutdownNow();
        threads.awaitTermination(20, TimeUnit.SECONDS);
        for (AutoCloseable c : closeLast.reversed()) {
            c.close();
        }
        mock.close();
        Log.setOutput(System.err);
    }

    /** One pod's loop as `agent bootstrap` wires it, with the API board unless {@code board} is given. */
    private Future<Object> pod(int ordinal, Optional<Position> grastate, Optional<dev.galeraagent.bootstrap.ForcedBootstrap> force, StateBoard given) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("p" + ordinal + "-" + System.nanoTime()).resolve("data"));
        if (grastate.isPresent()) {
            Files.writeString(data.resolve("grastate.dat"), GrastateFile.of(grastate.get(), false).render());
            Files.createDirectories(data.resolve("mysql"));
        }
        StateBoard board = given;
        if (board == null) {
            KubeApi api = mock.agent(kubeconfig, "default", Clock.systemUTC());
            closeLast.add(api);
            board = new KubeStateBoard(api, api.statefulSet("galera-" + ordinal, Optional.empty()), ordinal, Duration.ofSeconds(60));
        }
        BootstrapSettings s = new BootstrapSettings(Pods.identity(ordinal, "127.0.50.2" + ordinal), REPLICAS, data, data.resolveSibling("conf"),
                "galera.cnf", Optional.empty(), Optional.empty(), Optional.empty(), "galera", "rsync", "/usr/lib/galera/libgalera_smm.so",
                "/nonexistent", Duration.ofSeconds(10), Duration.ofSeconds(40), PORT, "0.0.0.0", false, REPLICAS, Duration.ofMinutes(5), force, Optional.empty());
        PeerStatusClient client = new PeerStatusClient(Duration.ofSeconds(1), Duration.ofSeconds(2));
        closeLast.add(client);
        StateBoard b = board;
        return threads.submit(() -> {
            try {
                return new BootstrapLoop(s, () -> Pods.loopback(s.identity(), REPLICAS, "127.0.50.", 20), peers -> client.fetchAll(peers, PORT), b,
                        new PrintWriter(new StringWriter())).run();
            } catch (AgentException e) {
                return e;
            }
        });
    }

    private Future<Object> pod(int ordinal, Optional<Position> grastate) throws Exception {
        return pod(ordinal, grastate, Optional.empty(), null);
    }

    /** The bootstrapped node's probe serve: Primary, on the pod's own address once its init container ended. */
    private void primaryAt(int ordinal, UUID uuid, long committed) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.50.2" + ordinal, PORT), 8);
        NodeStatus status = new NodeStatus("test", "galera-" + ordinal, ordinal, "Primary", "Synced", uuid.toString(), committed, 1, true, true,
                true, true, null, null, null, null);
        s.createContext("/status", ex -> {
            byte[] body = StatusJson.write(status).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        closeLast.add(() -> s.stop(0));
    }

    private static Object result(Future<Object> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    /** Pod {@code ordinal}'s published state once it has one: a pod may learn its peers over /status before it writes its own. */
    private PublishedState publishedEventually(int ordinal) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            var data = mock.admin().configMaps().inNamespace("default").withName("galera-galera-state").get().getData();
            String json = data == null ? null : data.get("galera-" + ordinal);
            if (json != null) {
                PublishedState s = StatusJson.read(json, PublishedState.class);
                if (!s.reasons().isEmpty() || System.nanoTime() > end) {
                    return s;
                }
            }
            assertThat(System.nanoTime()).as("pod %d publishes its state within 10 s", ordinal).isLessThan(end);
            Thread.sleep(50);
        }
    }

    private PublishedState annotation(int ordinal) {
        String json = mock.admin().configMaps().inNamespace("default").withName("galera-galera-state").get().getData()
                .get("galera-" + ordinal);
        return StatusJson.read(json, PublishedState.class);
    }

    private Optional<LeaseRecord> lease() {
        try (KubeApi api = mock.agent(kubeconfig, "default", Clock.systemUTC())) {
            return api.lease(api.statefulSet("galera-0", Optional.of("galera"))).current();
        }
    }

    private HandOff handOff(Plan plan, int ordinal) throws Exception {
        return HandOff.parse(handOffText(plan, ordinal));
    }

    /** The hand-off document as written; the conf directory is next to the data directory the pod was given. */
    private String handOffText(Plan plan, int ordinal) throws Exception {
        try (var dirs = Files.list(tmp)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("p" + ordinal + "-")).toList()) {
                Path request = d.resolve("conf").resolve(HandOff.REQUEST);
                if (Files.exists(request)) {
                    return Files.readString(request);
                }
            }
        }
        throw new AssertionError("no hand-off for pod " + ordinal + " after " + plan);
    }

    @Test
    void aFreshClusterIsStartedByPodZeroAloneHoldingTheLeaseAndTheOthersJoinItsPrimary() throws Exception {
        Future<Object> p0 = pod(0, Optional.empty());
        Future<Object> p1 = pod(1, Optional.empty());
        Future<Object> p2 = pod(2, Optional.empty());
        Object r0 = result(p0);
        assertThat(r0).as(logged::toString).isInstanceOf(Plan.NewCluster.class);
        assertThat(p1.isDone()).as("pod 1 waits for a Primary").isFalse();
        assertThat(p2.isDone()).as("pod 2 waits for a Primary").isFalse();
        assertThat(lease()).hasValueSatisfying(l -> {
            assertThat(l.holder()).isEqualTo("galera-0");
            assertThat(l.duration()).isEqualTo(Duration.ofSeconds(60));
        });
        // the shape the sidecar reads (docs/architecture.md, "Rule 10")
        assertThat(HandOffLease.in(handOffText((Plan) r0, 0)))
                .contains(new HandOffLease("default", "galera-galera-bootstrap", "galera-0", Duration.ofSeconds(60)));
        assertThat(handOff((Plan) r0, 0).plan()).isEqualTo("NEW_CLUSTER");
        assertThat(annotation(0).decision()).isEqualTo("NEW_CLUSTER");
        assertThat(annotation(1).phase()).isEqualTo("waiting");

        primaryAt(0, U1, 1);
        assertThat(result(p1)).isInstanceOfSatisfying(Plan.Join.class, j -> assertThat(j.primaryMembers()).containsExactly(0));
        assertThat(result(p2)).isInstanceOf(Plan.Join.class);
        assertThat(annotation(2).decision()).isEqualTo("JOIN");
    }

    @Test
    void afterAFullCrashTheMostAdvancedPodBootstrapsWithTheLeaseAndTheOthersJoin() throws Exception {
        Future<Object> p0 = pod(0, Optional.of(new Position(U1, 5)));
        Future<Object> p1 = pod(1, Optional.of(new Position(U1, 9)));
        Future<Object> p2 = pod(2, Optional.of(new Position(U1, 7)));
        Object r1 = result(p1);
        assertThat(r1).as(logged::toString).isInstanceOfSatisfying(Plan.BootstrapFromHere.class,
                b -> assertThat(b.position()).isEqualTo(new Position(U1, 9)));
        assertThat(lease()).hasValueSatisfying(l -> {
            assertThat(l.holder()).isEqualTo("galera-1");
            assertThat(l.clusterUuid()).isEqualTo(U1.toString());
            assertThat(l.seqno()).isEqualTo(9L);
        });
        assertThat(handOff((Plan) r1, 1).position()).isEqualTo(new Position(U1, 9));
        assertThat(publishedEventually(0).reasons()).anyMatch(r -> r.contains("waiting for pod 1 to bootstrap"));
        assertThat(p0.isDone()).isFalse();
        primaryAt(1, U1, 9);
        assertThat(result(p0)).isInstanceOf(Plan.Join.class);
        assertThat(result(p2)).isInstanceOf(Plan.Join.class);
    }

    @Test
    void differentHistoriesAreRefusedByEveryPodUntilAPersonForcesOne() throws Exception {
        List<Future<Object>> pods = List.of(pod(0, Optional.of(new Position(U1, 5))), pod(1, Optional.of(new Position(U2, 9))),
                pod(2, Optional.of(new Position(U1, 7))));
        for (Future<Object> f : pods) {
            assertThat(result(f)).as(logged::toString).isInstanceOfSatisfying(AgentException.class, e -> {
                assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
                assertThat(e.getMessage()).contains("do not share one cluster history").contains("pod 1: cluster " + U2 + " seqno 9")
                        .contains("--force-bootstrap-from");
            });
        }
        assertThat(lease()).as("nobody took the Lease").isEmpty();
        for (int i = 0; i < REPLICAS; i++) {
            assertThat(annotation(i).phase()).isEqualTo("refused");
        }

        // a person chooses pod 2 (history U1, seqno 7): pod 1's history U2 is given up
        var force = Optional.of(new dev.galeraagent.bootstrap.ForcedBootstrap(2, new Position(U1, 7)));
        Future<Object> f0 = pod(0, Optional.of(new Position(U1, 5)), force, null);
        Future<Object> f1 = pod(1, Optional.of(new Position(U2, 9)), force, null);
        Future<Object> f2 = pod(2, Optional.of(new Position(U1, 7)), force, null);
        assertThat(result(f2)).as(logged::toString).isInstanceOf(Plan.BootstrapFromHere.class);
        assertThat(lease()).hasValueSatisfying(l -> assertThat(l.holder()).isEqualTo("galera-2"));
        assertThat(annotation(2).forcedFrom()).isEqualTo(2);
        primaryAt(2, U1, 7);
        assertThat(result(f0)).isInstanceOf(Plan.Join.class);
        assertThat(result(f1)).as("the forced override accepts replacing pod 1's history").isInstanceOf(Plan.Join.class);
    }

    @Test
    void aPodThatCannotTakeTheLeaseDoesNotBootstrap() throws Exception {
        try (KubeApi other = mock.agent(kubeconfig, "default", Clock.systemUTC())) {
            StatefulSetInfo sts = other.statefulSet("galera-0", Optional.empty());
            assertThat(other.lease(sts).tryAcquire("galera-9", Optional.empty(), Duration.ofSeconds(60))).isInstanceOf(LeaseOutcome.Acquired.class);
        }
        Future<Object> p0 = pod(0, Optional.empty());
        Future<Object> p1 = pod(1, Optional.empty());
        Future<Object> p2 = pod(2, Optional.empty());
        Thread.sleep(5_000);
        assertThat(p0.isDone()).as(logged::toString).isFalse();
        assertThat(annotation(0).phase()).isEqualTo("waiting");
        assertThat(annotation(0).reasons()).anyMatch(r -> r.contains("the bootstrap Lease galera-galera-bootstrap is held by galera-9")
                && r.contains("not bootstrapping (rule 6)"));
        try (var conf = Files.list(tmp)) {
            assertThat(conf.filter(d -> Files.exists(d.resolve("conf").resolve(HandOff.REQUEST))).toList()).isEmpty();
        }
        p0.cancel(true);
        p1.cancel(true);
        p2.cancel(true);
    }

    @Test
    void aForbiddenApiFallsBackToTheElectionOverStatusWithOneLoudWarning() throws Exception {
        // expectations mode: the CRUD mock has no RBAC, so the 403s are scripted
        KubernetesMockServer denying = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), false);
        denying.init(InetAddress.getByName("127.0.50.11"), 0);
        closeLast.add(denying::destroy);
        String denied = io.fabric8.kubernetes.client.utils.Serialization.asJson(new StatusBuilder().withStatus("Failure").withCode(403)
                .withReason("Forbidden").withMessage("pods is forbidden").build());
        denying.expect().get().withPath("/api/v1/namespaces/default/pods?labelSelector=app%3Dgalera").andReturn(403, denied).always();
        denying.expect().get().withPath("/apis/coordination.k8s.io/v1/namespaces/default/leases/galera-galera-bootstrap").andReturn(403, denied).always();
        denying.expect().get().withPath("/api/v1/namespaces/default/pods/galera-0").andReturn(403, denied).always();
        denying.expect().get().withPath("/api/v1/namespaces/default/pods/galera-1").andReturn(403, denied).always();
        denying.expect().get().withPath("/api/v1/namespaces/default/pods/galera-2").andReturn(403, denied).always();
        Path denyingConfig = tmp.resolve("denying");
        Files.createDirectories(denyingConfig);
        Path kc = Files.writeString(denyingConfig.resolve("kubeconfig"), Files.readString(kubeconfig)
                .replace(mock.url(), "http://127.0.50.11:" + denying.getPort()));
        StatefulSetInfo sts = new StatefulSetInfo("default", "galera", REPLICAS, Map.of("app", "galera"));
        List<Future<Object>> pods = new ArrayList<>();
        long[] seqnos = {5, 9, 7};
        for (int i = 0; i < REPLICAS; i++) {
            KubeApi api = KubeApi.connect(Optional.of(kc), "default");
            closeLast.add(api);
            pods.add(pod(i, Optional.of(new Position(U1, seqnos[i])), Optional.empty(), new KubeStateBoard(api, sts, i, Duration.ofSeconds(60))));
        }
        assertThat(result(pods.get(1))).as(logged::toString).isInstanceOf(Plan.BootstrapFromHere.class);
        String log = logged.toString();
        assertThat(log).contains("the service account may not list pods in namespace default").contains("Going on WITHOUT the API (rule 9)");
        assertThat(log.split("Going on WITHOUT the API", -1)).as("once per pod: " + log).hasSize(REPLICAS + 1);
        primaryAt(1, U1, 9);
        assertThat(result(pods.get(0))).isInstanceOf(Plan.Join.class);
        assertThat(result(pods.get(2))).isInstanceOf(Plan.Join.class);
    }

    @Test
    void anUnreachableApiFallsBackAndBootstrapsWithoutALeaseInTheHandOff() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.50.12"))) {
            closed = s.getLocalPort();
        }
        Path dir = Files.createDirectories(tmp.resolve("unreachable"));
        Path kc = Files.writeString(dir.resolve("kubeconfig"), Files.readString(kubeconfig).replace(mock.url(), "http://127.0.50.12:" + closed));
        StatefulSetInfo sts = new StatefulSetInfo("default", "galera", REPLICAS, Map.of(MockKube.APP_LABEL, "galera"));
        List<Future<Object>> pods = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++) {
            KubeApi api = KubeApi.connect(Optional.of(kc), "default");
            closeLast.add(api);
            pods.add(pod(i, Optional.empty(), Optional.empty(), new KubeStateBoard(api, sts, i, Duration.ofSeconds(60))));
        }
        Object r0 = result(pods.get(0));
        assertThat(r0).as(logged::toString).isInstanceOf(Plan.NewCluster.class);
        assertThat(logged.toString()).contains("Going on WITHOUT the API").contains("127.0.50.12");
        assertThat(HandOffLease.in(handOffText((Plan) r0, 0))).as("no Lease without the API").isEmpty();
        primaryAt(0, U1, 1);
        assertThat(result(pods.get(1))).isInstanceOf(Plan.Join.class);
        assertThat(result(pods.get(2))).isInstanceOf(Plan.Join.class);
    }

    /** `agent bootstrap` itself against the mock API and a real dnsmasq: the options, as a person runs them. */
    private int agent(StringWriter out, StringWriter err, String... args) {
        return dev.galeraagent.cli.AgentCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void dryRunShowsThePublishedStatesAndTheElectionAndPublishesAndTakesNothing() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.galeraagent.testing.LocalDnsmasq.installed(), "dnsmasq is installed by scripts/install-deps.sh");
        try (KubeApi api = mock.agent(kubeconfig, "default", Clock.systemUTC());
             var dns = dev.galeraagent.testing.LocalDnsmasq.start(tmp.resolve("dns"), "127.0.50.6", "cluster.local",
                     List.of("127.0.50.20 galera-0.galera.default.svc.cluster.local", "127.0.50.21 galera-1.galera.default.svc.cluster.local",
                             "127.0.50.22 galera-2.galera.default.svc.cluster.local"), List.of(), "galera-0.galera.default.svc.cluster.local")) {
            java.time.Instant now = java.time.Instant.now();
            StatefulSetInfo sts = api.statefulSet("galera-0", Optional.of("galera"));
            api.publish(sts, "galera-0", dev.galeraagent.bootstrap.PublishedStates.of(0, new dev.galeraagent.bootstrap.LocalState.State(new dev.galeraagent.position.Position(U1, 5), true, false),
                    Optional.empty(), Optional.empty(), now, "test", "run", null));
            api.publish(sts, "galera-2", dev.galeraagent.bootstrap.PublishedStates.of(2, new dev.galeraagent.bootstrap.LocalState.State(new dev.galeraagent.position.Position(U1, 7), true, false),
                    Optional.empty(), Optional.empty(), now, "test", "run", null));
            Path data = Files.createDirectories(tmp.resolve("dry/data"));
            Files.writeString(data.resolve("grastate.dat"), GrastateFile.of(new Position(U1, 9), false).render());
            Files.createDirectories(data.resolve("mysql"));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = agent(out, err, "bootstrap", "--dry-run", "--pod-name=galera-1", "--pod-namespace=default", "--kubeconfig=" + kubeconfig,
                    "--dns-server=" + dns.server(), "--cluster-domain=cluster.local", "--datadir=" + data, "--config-dir=" + tmp.resolve("dry/conf"),
                    "--status-port=" + PORT);
            assertThat(code).as(err.toString()).isZero();
            String text = out.toString();
            assertThat(text).contains("identity: pod galera-1, ordinal 1 of 3").contains("address 127.0.50.21 (POD_IP not set)");
            assertThat(text).contains("StatefulSet galera in namespace default: 3 replicas, 2 published");
            assertThat(text).containsPattern("galera-0 +waiting|galera-0 +inspecting").contains("galera-1                 (nothing published yet)");
            assertThat(text).contains("Lease galera-galera-bootstrap: not created");
            assertThat(text).contains("decision: BOOTSTRAP_FROM_HERE").contains("pod 1 has the highest seqno 9");
            assertThat(text).contains("a real run first takes the bootstrap Lease").endsWith("dry run: nothing was changed\n");
            assertThat(mock.admin().configMaps().inNamespace("default").withName("galera-galera-state").get().getData())
                    .as("the dry run published nothing").doesNotContainKey("galera-1");
            assertThat(lease()).as("the dry run took no Lease").isEmpty();
            assertThat(Files.exists(tmp.resolve("dry/conf"))).isFalse();

            StringWriter err2 = new StringWriter();
            assertThat(agent(new StringWriter(), err2, "bootstrap", "--dry-run", "--pod-name=galera-1", "--pod-namespace=default",
                    "--kubeconfig=" + kubeconfig, "--replicas=2", "--dns-server=" + dns.server(), "--datadir=" + data)).isEqualTo(ExitCode.USAGE.code());
            assertThat(err2.toString().strip()).isEqualTo("agent: --replicas 2 disagrees with StatefulSet galera, whose spec.replicas is 3: drop --replicas or fix it");
        }
    }

    /**
     * Issue 11: what a waiting round costs the API, the figure behind BootstrapLoop's fast polling (one round a second
     * while a wait is young or changing): reads only, once this pod's WAIT is published and recorded.
     */
    @Test
    void aWaitingRoundReadsTheApiFiveTimesAndWritesNothingOnceItsWaitIsPublished() throws Exception {
        KubeApi api = mock.agent(kubeconfig, "default", Clock.systemUTC());
        closeLast.add(api);
        KubeStateBoard board = new KubeStateBoard(api, api.statefulSet("galera-1", Optional.empty()), 1, Duration.ofSeconds(60));
        Path data = Files.createDirectories(tmp.resolve("rounds").resolve("data"));
        BootstrapSettings s = new BootstrapSettings(Pods.identity(1, "127.0.50.21"), REPLICAS, data, data.resolveSibling("conf"),
                "galera.cnf", Optional.empty(), Optional.empty(), Optional.empty(), "galera", "rsync", "/usr/lib/galera/libgalera_smm.so",
                "/nonexistent", Duration.ofSeconds(10), Duration.ofSeconds(5), 0, "0.0.0.0", false, REPLICAS, Duration.ofMinutes(5),
                Optional.empty(), Optional.empty());
        dev.galeraagent.testing.MutableClock clock = new dev.galeraagent.testing.MutableClock(java.time.Instant.now());
        List<List<String>> rounds = new ArrayList<>();
        BootstrapLoop.Sleeper sleeper = d -> {
            rounds.add(mock.takeRequests().stream().map(r -> r.getMethod() + " " + r.getPath().replaceAll("\\?.*", "")).toList());
            clock.advance(d);
        };
        mock.takeRequests();

        Object result;
        try {
            result = new BootstrapLoop(s, () -> Pods.loopback(s.identity(), REPLICAS, "127.0.50.", 20), peers -> List.of(), board,
                    new PrintWriter(new StringWriter()), clock, sleeper).run();
        } catch (AgentException e) {
            result = e;
        }

        assertThat(result).as(logged::toString).isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.TIMEOUT));
        assertThat(rounds).as("one round a second for the 5 s --timeout").hasSize(5);
        assertThat(rounds.getFirst()).as("the first round publishes the WAIT").anyMatch(r -> r.startsWith("PATCH "));
        for (List<String> later : rounds.subList(2, rounds.size())) {
            assertThat(later).as("an unchanged WAIT: %s", later).hasSize(5).allMatch(r -> r.startsWith("GET "));
        }
    }
}
