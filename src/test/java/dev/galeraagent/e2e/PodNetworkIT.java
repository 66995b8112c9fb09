package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pod network alone, with pods that only sleep: names, DNS as a headless Service, partition, scaling, cleanup. */
class PodNetworkIT {
    private static final Duration T = Duration.ofSeconds(10);

    private static final PodSteps SLEEPERS = new SleepSteps(false);

    @Test
    void podsHaveTheirNamesAndTheServiceRecordsAndLeaveNothingBehind() throws Exception {
        E2e.assumeAvailable();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dig")), "dig (dnsutils) is needed for SRV lookups");
        long sleeperPid;
        try (Cluster c = Cluster.create("network", 2, SLEEPERS)) {
            c.startAll();
            await(() -> c.pod(0).mariadbRunning() && c.pod(1).mariadbRunning());
            Pod p0 = c.pod(0);

            // the recorded PID is the program itself, in the pod's namespaces, with the pod's hostname
            long pid = p0.mariadbPid();
            sleeperPid = pid;
            // the same PID runs sh, which sets the hostname and then execs the program
            await(() -> comm(pid).equals("sleep"));
            assertThat(p0.exec(T, "hostname").output().strip()).isEqualTo("galera-0");
            assertThat(p0.exec(T, "sh", "-c", "echo $POD_NAME $POD_NAMESPACE $POD_IP").output().strip())
                    .isEqualTo("galera-0 default 10.231.0.11");

            // names through the search path (ndots:5), the Service name, SRV and PTR, as CoreDNS answers them
            assertThat(p0.exec(T, "getent", "hosts", "galera-1.galera").output()).contains("10.231.0.12");
            assertThat(lines(p0.exec(T, "dig", "+short", "galera.default.svc.cluster.local").output()))
                    .containsExactlyInAnyOrder("10.231.0.11", "10.231.0.12");
            assertThat(lines(p0.exec(T, "dig", "+short", "SRV", "_galera._tcp.galera.default.svc.cluster.local").output()))
                    .containsExactlyInAnyOrder("0 10 4567 galera-0.galera.default.svc.cluster.local.",
                            "0 10 4567 galera-1.galera.default.svc.cluster.local.");
            assertThat(p0.exec(T, "dig", "+short", "SRV", "_mysql._tcp.galera.default.svc.cluster.local").output())
                    .contains("3306 galera-1.galera.default.svc.cluster.local.");
            assertThat(p0.exec(T, "dig", "+short", "-x", "10.231.0.12").output().strip())
                    .isEqualTo("galera-1.galera.default.svc.cluster.local.");
            // nothing is forwarded outside the cluster domain
            assertThat(p0.exec(T, "dig", "+time=1", "+tries=1", "example.com").output()).doesNotContain("status: NOERROR");

            // a partition cuts the pod off from its peers and from DNS; healing restores both
            c.partition(1);
            assertThat(c.pod(1).exec(T, "dig", "+time=1", "+tries=1", "+short", "galera-0.galera.default.svc.cluster.local").ok())
                    .isFalse();
            c.heal(1);
            assertThat(c.pod(1).exec(T, "dig", "+time=2", "+tries=3", "+short", "galera-0.galera.default.svc.cluster.local")
                    .output().strip()).isEqualTo("10.231.0.11");

            // scaling adds a name and removes it again
            c.scaleTo(3);
            assertThat(p0.exec(T, "getent", "hosts", "galera-2.galera").output()).contains("10.231.0.13");
            c.scaleTo(2);
            assertThat(p0.exec(T, "getent", "hosts", "galera-2.galera").ok()).isFalse();
            assertThat(lines(p0.exec(T, "dig", "+short", "SRV", "_galera._tcp.galera.default.svc.cluster.local").output()))
                    .hasSize(2);

            // the root namespace never gets an address in the pods' subnet, and cannot send to it:
            // a request from the host to a pod's address fails here instead of leaving the machine
            assertThat(Exec.ok("ip", "-4", "addr")).doesNotContain("10.231.0.");
            assertThat(Exec.ok("ip", "route", "show", "type", "unreachable")).contains(PodNetwork.SUBNET);
            // curl exit 7 (could not connect: no route), not 28 (a timeout, as a packet sent out the default route gets)
            assertThat(Exec.run(T, List.of("curl", "-s", "--max-time", "5", "http://" + PodNetwork.ip(0) + ":9800/")).exit()).isEqualTo(7);
        }
        assertThat(Exec.ok("ip", "route", "show", "type", "unreachable")).doesNotContain(PodNetwork.SUBNET);
        assertThat(ProcessHandle.of(sleeperPid)).isEmpty();
        assertThat(Exec.ok("ip", "netns", "list")).doesNotContain("gae-");
        assertThat(Path.of("/etc/netns/gae-0")).doesNotExist();
    }

    @Test
    void leftoversOfACrashedRunAreRemovedByTheNextRun() throws Exception {
        E2e.assumeAvailable();
        // what a JVM killed in the middle of a test leaves: namespaces with a process inside
        Exec.ok("ip", "netns", "add", "gae-3");
        Process orphan = new ProcessBuilder("ip", "netns", "exec", "gae-3", "sleep", "600").start();
        Files.createDirectories(Path.of("/etc/netns/gae-3"));
        try {
            PodNetwork.removeLeftovers();
            assertThat(Exec.awaitExit(orphan.toHandle(), Duration.ofSeconds(10))).isTrue();
            assertThat(Exec.ok("ip", "netns", "list")).doesNotContain("gae-3");
            assertThat(Path.of("/etc/netns/gae-3")).doesNotExist();
        } finally {
            Exec.killTree(orphan.toHandle());
            Exec.run("ip", "netns", "del", "gae-3");
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static List<String> lines(String s) {
        return Arrays.stream(s.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static void await(java.util.function.BooleanSupplier cond) {
        long end = System.nanoTime() + T.toNanos();
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %s", T).isLessThan(end);
            PodNetwork.sleep(50);
        }
    }
}
