package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.position.Position;
import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.files.AtomicFiles;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.kube.BootstrapLease;
import dev.galeraagent.kube.KubeApi;
import dev.galeraagent.kube.LeaseOutcome;
import dev.galeraagent.handoff.LeaseRecord;
import dev.galeraagent.testing.LocalMariaDb;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule 10 end to end on this machine: {@code agent bootstrap}'s files (the hand-off written by {@link HandOff}, the
 * one-shot file by {@link GaleraConfig.OneShot}, the Lease taken through {@link KubeApi}), a real {@code agent probe
 * serve} process, a real single-node Galera started from a config that includes the one-shot directory, and fabric8's
 * mock API server as its own process.
 */
class HandOffIT {
    static final String ADDRESS = "127.0.60.10";
    static final String API_ADDRESS = "127.0.60.11";
    static final String NS = "db";
    static final String LEASE = "galera-galera-bootstrap";
    /** How soon after Primary the sidecar must have completed the hand-off: its task runs every second. */
    static final Duration PROMPTLY = Duration.ofSeconds(4);

    @TempDir
    Path tmp;
    final List<Process> processes = new ArrayList<>();

    static List<String> java(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    Process start(Path log, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    static Duration await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long t0 = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - t0 > timeout.toNanos()) {
                throw new AssertionError("not within " + timeout);
            }
            Thread.sleep(20);
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Test
    void theSidecarRemovesTheOneShotAndReleasesTheLeaseOnceTheBootstrappedNodeIsPrimary() throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        Path conf = tmp.resolve("conf");
        Path once = conf.resolve(HandOff.ONE_SHOT_DIR).resolve(GaleraConfig.OneShot.FILE_NAME);
        Files.createDirectories(once.getParent());
        try (LocalMariaDb galera = LocalMariaDb.create(tmp.resolve("galera"), ADDRESS, 3306, true,
                "!includedir " + conf.resolve(HandOff.ONE_SHOT_DIR))) {
            // the API, as its own process; the bootstrap takes the Lease through it
            int apiPort = ProbeProcessIT.freePort(API_ADDRESS);
            Path kubeconfig = tmp.resolve("kubeconfig");
            Process api = new ProcessBuilder(java("dev.galeraagent.kube.MockApiServerMain", API_ADDRESS, Integer.toString(apiPort),
                    "--namespace", NS, "--statefulset", "galera", "--replicas", "1", "--kubeconfig", kubeconfig.toString()))
                    .redirectErrorStream(true).start();
            processes.add(api);
            BufferedReader apiOut = new BufferedReader(new InputStreamReader(api.getInputStream(), StandardCharsets.UTF_8));
            assertThat(apiOut.readLine()).isEqualTo("ready http://" + API_ADDRESS + ":" + apiPort);
            try (KubeApi kube = KubeApi.connect(Optional.of(kubeconfig), NS)) {
                BootstrapLease lease = kube.lease(LEASE);
                assertThat(lease.tryAcquire("galera-0", Optional.empty(), Duration.ofSeconds(30))).isInstanceOf(LeaseOutcome.Acquired.class);
                Instant taken = lease.current().orElseThrow().renewed();

                // what agent bootstrap writes for NEW_CLUSTER, in its order: the request, then the one-shot file
                String handOff = new HandOff("NEW_CLUSTER", "galera-0", 0, null, once.toString(), List.of("no pod has state; ordinal 0"),
                        Instant.now().toString(), "0.1.0").toJson();
                handOff = handOff.substring(0, handOff.length() - 1)
                        + ",\"lease\":{\"namespace\":\"" + NS + "\",\"name\":\"" + LEASE + "\",\"holder\":\"galera-0\",\"duration_seconds\":3}}";
                AtomicFiles.writeString(conf.resolve(HandOff.REQUEST), handOff + "\n", "rw-r--r--");
                AtomicFiles.writeString(once, new GaleraConfig.OneShot(true, Optional.empty()).render(), "rw-r--r--");

                // the sidecar starts first and waits for mysqld, as in the pod
                int port = ProbeProcessIT.freePort(ADDRESS);
                Path sidecarLog = tmp.resolve("sidecar.log");
                start(sidecarLog, ProbeProcessIT.agentCommand("probe", "serve", "--listen", ADDRESS + ":" + port,
                        "--host", ADDRESS, "--port", "3306", "--user", "probe", "--datadir", galera.dataDir().toString(),
                        "--config-dir", conf.toString(), "--kubeconfig", kubeconfig.toString()));
                // the Lease's term is 3 s: the sidecar keeps it alive meanwhile (waited for, not slept on: the
                // sidecar's JVM may take seconds to start on a loaded machine)
                await(Duration.ofSeconds(30), () -> lease.current().orElseThrow().renewed().isAfter(taken));
                Thread.sleep(4_000);
                assertThat(once).as("not Primary yet: the one-shot stays").exists();
                LeaseRecord held = lease.current().orElseThrow();
                assertThat(held.holder()).isEqualTo("galera-0");
                assertThat(held.renewed()).as("renewed by the sidecar").isAfter(taken);
                assertThat(held.heldAt(Instant.now())).as("still held, a term and more after it was first renewed").isTrue();

                galera.start();
                galera.sql("CREATE USER IF NOT EXISTS 'probe'@'%'");
                assertThat(galera.status("wsrep_cluster_status")).isEqualTo("Primary");
                Duration took = await(PROMPTLY, () -> Files.exists(conf.resolve(HandOff.DONE)));
                System.out.println("hand-off completed " + took.toMillis() + " ms after mysqld answered as Primary");
                assertThat(once).doesNotExist();
                assertThat(conf.resolve(HandOff.REQUEST)).doesNotExist();
                assertThat(HandOff.done(conf)).get().extracting(HandOff::plan).isEqualTo("NEW_CLUSTER");
                await(Duration.ofSeconds(2), () -> lease.current().orElseThrow().holder() == null);
                // the sidecar logs the release after the API has answered it: wait for the line, do not race it
                await(Duration.ofSeconds(2), () -> read(sidecarLog).contains("released Lease " + LEASE));
                String log = read(sidecarLog);
                assertThat(log).contains("holding Lease db/" + LEASE + " for galera-0")
                        .contains("node is Primary: NEW_CLUSTER done, removed the one-shot " + once)
                        .contains("released Lease " + LEASE)
                        .doesNotContain("Exception");

                // a joiner's one-shot (a start position) in the same pod: gone once Synced, by a restarted sidecar
                stopAll();
                AtomicFiles.writeString(once, "[mysqld]\n# a joiner's start position would be here\n", "rw-r--r--");
                start(tmp.resolve("sidecar2.log"), ProbeProcessIT.agentCommand("probe", "serve", "--listen", ADDRESS + ":" + port,
                        "--host", ADDRESS, "--port", "3306", "--user", "probe", "--datadir", galera.dataDir().toString(),
                        "--config-dir", conf.toString(), "--no-kube-api"));
                await(Duration.ofSeconds(30), () -> read(tmp.resolve("sidecar2.log")).contains("node is Synced: removed the one-shot settings [bootstrap.cnf]"));
                assertThat(once).doesNotExist();
            }
        } finally {
            stopAll();
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        processes.clear();
    }
}
