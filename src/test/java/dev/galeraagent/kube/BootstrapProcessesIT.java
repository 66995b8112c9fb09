package dev.galeraagent.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.handoff.HandOffLease;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import dev.galeraagent.testing.LocalDnsmasq;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end check: N `agent bootstrap` processes, exactly as the init containers run them, against one
 * mock API server process and a real dnsmasq answering the pods' names (galera-N at 127.0.50.1N). They all start at
 * once; exactly one writes a bootstrap hand-off and holds the Lease (after a full crash: the most advanced), the others
 * wait until its Primary answers on /status, then join it.
 */
class BootstrapProcessesIT {
    static final String API = "127.0.50.5";
    static final String DNS = "127.0.50.1";
    static final int STATUS_PORT = 19860;
    static final UUID CLUSTER = UUID.fromString("86af4600-e983-11f1-a2ff-bfa38c7146ac");

    @TempDir
    Path dir;
    final List<Process> started = new ArrayList<>();
    LocalDnsmasq dns;

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (Process p : started) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (dns != null) {
            dns.close();
        }
    }

    private Process java(String name, String mainClass, List<String> args, boolean stdoutToFile) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), mainClass));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(dir.resolve(name + ".err").toFile());
        if (stdoutToFile) {
            pb.redirectOutput(dir.resolve(name + ".out").toFile());
        }
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private String startApi(int replicas, Path kubeconfig) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName(API))) {
            port = free.getLocalPort();
        }
        Process api = java("mock-api", MockApiServerMain.class.getName(), List.of(API, Integer.toString(port), "--namespace", "default",
                "--statefulset", "galera", "--replicas", Integer.toString(replicas), "--kubeconfig", kubeconfig.toString()), false);
        BufferedReader out = new BufferedReader(new InputStreamReader(api.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        assertThat(ready).as("mock API server").isEqualTo("ready http://" + API + ":" + port);
        return ready;
    }

    private void startDns(int replicas) throws Exception {
        assumeTrue(LocalDnsmasq.installed(), "dnsmasq is installed by scripts/install-deps.sh");
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            hosts.add("127.0.50.1" + i + " galera-" + i + ".galera.default.svc.cluster.local");
        }
        dns = LocalDnsmasq.start(dir.resolve("dns"), DNS, "cluster.local", hosts, List.of(), "galera-0.galera.default.svc.cluster.local");
    }

    private Process agent(int ordinal, Path kubeconfig, Optional<Long> seqno) throws IOException {
        Path data = Files.createDirectories(dir.resolve("galera-" + ordinal).resolve("data"));
        if (seqno.isPresent()) {
            // as a graceful-then-crashed node leaves it: position known, not safe to bootstrap, gvwstate.dat present
            Files.writeString(data.resolve("grastate.dat"), GrastateFile.of(new Position(CLUSTER, seqno.get()), false).render());
            Files.writeString(data.resolve("gvwstate.dat"), "my_uuid: " + UUID.randomUUID() + "\n");
            Files.createDirectories(data.resolve("mysql"));
        }
        Path conf = dir.resolve("galera-" + ordinal).resolve("conf");
        return java("galera-" + ordinal, "dev.galeraagent.cli.AgentCommand", List.of("bootstrap", "--pod-name=galera-" + ordinal,
                "--pod-namespace=default", "--kubeconfig=" + kubeconfig, "--dns-server=" + dns.server(), "--cluster-domain=cluster.local",
                "--datadir=" + data, "--config-dir=" + conf, "--status-port=" + STATUS_PORT, "--mariadbd=/nonexistent", "--timeout=90s"), true);
    }

    private Optional<HandOff> handOff(int ordinal) throws IOException {
        return HandOff.pending(dir.resolve("galera-" + ordinal).resolve("conf"));
    }

    /** Starts N agents at once and returns the ordinal of the one that exited 0 with a hand-off, asserting it is the only one. */
    private int exactlyOneBootstraps(int replicas, List<Optional<Long>> seqnos, Path kubeconfig) throws Exception {
        List<Process> agents = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < replicas; i++) {
            agents.add(agent(i, kubeconfig, seqnos.get(i)));
        }
        int winner = -1;
        while (winner < 0) {
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a bootstrap decision").isLessThan(Duration.ofSeconds(80));
            for (int i = 0; i < replicas; i++) {
                if (!agents.get(i).isAlive()) {
                    assertThat(agents.get(i).exitValue()).as("galera-%d exit code; stderr: %s", i, stderr(i)).isZero();
                    winner = i;
                }
            }
            Thread.sleep(100);
        }
        System.out.printf("%d agent processes: galera-%d bootstrapped after %d ms%n", replicas, winner, (System.nanoTime() - t0) / 1_000_000);
        // the others keep waiting for its Primary (nobody serves one here): give a late second bootstrap time to show
        Thread.sleep(4_000);
        for (int i = 0; i < replicas; i++) {
            if (i != winner) {
                assertThat(agents.get(i).isAlive()).as("galera-%d still waits; stderr: %s", i, stderr(i)).isTrue();
                assertThat(handOff(i)).as("galera-%d wrote no hand-off", i).isEmpty();
            }
        }
        final int chosen = winner;
        HandOff h = handOff(winner).orElseThrow();
        assertThat(HandOffLease.in(Files.readString(dir.resolve("galera-" + winner).resolve("conf").resolve(HandOff.REQUEST))))
                .contains(new HandOffLease("default", "galera-galera-bootstrap", "galera-" + winner, Duration.ofSeconds(60)));
        try (KubeApi api = KubeApi.connect(Optional.of(kubeconfig), "default")) {
            StatefulSetInfo sts = api.statefulSet("galera-0", Optional.of("galera"));
            assertThat(api.lease(sts).current()).hasValueSatisfying(l -> assertThat(l.holder()).isEqualTo("galera-" + chosen));
            PodStates states = api.readStates(sts);
            assertThat(states.published()).hasSize(replicas);
            for (int i = 0; i < replicas; i++) {
                PublishedState s = states.published().get(i);
                assertThat(s.decision()).as("galera-%d's published decision", i).isEqualTo(i == winner ? h.plan() : "WAIT");
            }
        }
        // the winner's mysqld comes up Primary and its probe serve answers on the pod's address: everyone else joins
        long t1 = System.nanoTime();
        HttpServer primary = HttpServer.create(new InetSocketAddress("127.0.50.1" + winner, STATUS_PORT), 8);
        NodeStatus status = new NodeStatus("test", "galera-" + winner, winner, "Primary", "Synced", CLUSTER.toString(), 42L, 1, true, true, true,
                true, null, null, null, null);
        primary.createContext("/status", ex -> {
            byte[] body = StatusJson.write(status).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        primary.start();
        try {
            for (int i = 0; i < replicas; i++) {
                if (i != winner) {
                    assertThat(agents.get(i).waitFor(30, TimeUnit.SECONDS)).as("galera-%d joins; stderr: %s", i, stderr(i)).isTrue();
                    assertThat(agents.get(i).exitValue()).as("galera-%d exit code; stderr: %s", i, stderr(i)).isZero();
                    assertThat(stderr(i)).contains("decision JOIN: pods [" + winner + "] are in a live Primary component");
                    assertThat(handOff(i)).isEmpty();
                }
            }
        } finally {
            primary.stop(0);
        }
        System.out.printf("the other %d joined %d ms after the Primary answered%n", replicas - 1, (System.nanoTime() - t1) / 1_000_000);
        return winner;
    }

    private String stderr(int ordinal) {
        try {
            return Files.readString(dir.resolve("galera-" + ordinal + ".err"));
        } catch (IOException e) {
            return "(none)";
        }
    }

    @Test
    void afterAFullCrashExactlyOneOfFiveAgentProcessesBootstrapsTheMostAdvancedNode() throws Exception {
        int replicas = 5;
        startDns(replicas);
        Path kubeconfig = dir.resolve("kubeconfig");
        startApi(replicas, kubeconfig);
        int winner = exactlyOneBootstraps(replicas, List.of(Optional.of(40L), Optional.of(42L), Optional.of(17L), Optional.of(42L), Optional.empty()),
                kubeconfig);
        assertThat(winner).as("highest seqno 42, tie to the lowest ordinal").isEqualTo(1);
        assertThat(handOff(1).orElseThrow().position()).hasToString(CLUSTER + ":42");
        assertThat(GrastateFile.parse(Files.readString(dir.resolve("galera-1/data/grastate.dat"))).safeToBootstrap()).isTrue();
    }

    @Test
    void onAFreshClusterExactlyOneOfThreeAgentProcessesStartsItAndItIsPodZero() throws Exception {
        int replicas = 3;
        startDns(replicas);
        Path kubeconfig = dir.resolve("kubeconfig");
        startApi(replicas, kubeconfig);
        assertThat(exactlyOneBootstraps(replicas, List.of(Optional.empty(), Optional.empty(), Optional.empty()), kubeconfig)).isZero();
        assertThat(handOff(0).orElseThrow().plan()).isEqualTo("NEW_CLUSTER");
    }
}
