package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The harness's kubelet probes against a sidecar whose answers the test controls (a static HTTP
 * server in the pod serving marker files): readiness follows the answers, a failing liveness
 * restarts the mariadb container, a passing one never does.
 */
class KubeletProbesIT {
    @Test
    void readinessFollowsTheProbeAndFailingLivenessRestartsTheContainer() throws Exception {
        E2e.assumeAvailable();
        Path python = Path.of("/usr/bin/python3");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(python), "python3 serves the probe answers");
        PodSteps steps = new PodSteps() {
            @Override
            public String name() {
                return "probe-test";
            }

            @Override
            public List<Container> initContainers(Pod pod) {
                return List.of();
            }

            @Override
            public Container mariadb(Pod pod) {
                return new Container("mariadb", List.of("sleep", "infinity"));
            }

            @Override
            public List<Container> sidecars(Pod pod) {
                return List.of(new Container("probe", List.of(python.toString(), "-m", "http.server", "9800", "--bind",
                        pod.ip(), "--directory", pod.workDir().toString())));
            }

            @Override
            public Probes probes(Pod pod) {
                Duration p = Duration.ofMillis(400);
                return new Probes(new Probes.Check("/startup", 9800, p, 100), new Probes.Check("/live", 9800, p, 3),
                        new Probes.Check("/ready", 9800, p, 2));
            }
        };
        try (Cluster c = Cluster.create("probes", 1, steps)) {
            c.startAll();
            Pod pod = c.pod(0);
            Path dir = pod.workDir();
            await(() -> pod.mariadbRunning());
            long firstPid = pod.mariadbPid();
            Files.writeString(dir.resolve("startup"), "ok");
            Files.writeString(dir.resolve("live"), "ok");
            PodNetwork.sleep(2000);
            assertThat(pod.ready()).as("no /ready yet: not ready").isFalse();

            Files.writeString(dir.resolve("ready"), "ok");
            await(pod::ready);
            Files.delete(dir.resolve("ready"));
            await(() -> !pod.ready());
            assertThat(pod.livenessRestarts()).isZero();
            assertThat(pod.mariadbPid()).isEqualTo(firstPid);

            Files.delete(dir.resolve("live"));
            await(() -> pod.livenessRestarts() == 1);
            await(() -> pod.mariadbRunning() && pod.mariadbPid() != firstPid);
            assertThat(ProcessHandle.of(firstPid)).isEmpty();
        }
    }

    private static void await(BooleanSupplier cond) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(end);
            PodNetwork.sleep(100);
        }
    }
}
