package dev.galeraagent.e2e;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo: a three-pod Galera StatefulSet on this machine, run by the agent (or by hand with
 * {@code --plain} when the agent is not built), printing what each pod decides and its state as
 * it happens. {@code --crash} then kills every pod under writes and shows the recovery. Stays up
 * until Enter or Ctrl-C, then removes everything it started.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        List<String> opts = List.of(args);
        if (opts.contains("--help") || opts.contains("-h")) {
            System.out.println("usage: demo [--plain] [--crash] [--pods N]   (as root; Enter or Ctrl-C stops)");
            return;
        }
        String missing = E2e.missing();
        if (missing != null) {
            System.err.println("demo: " + missing);
            System.exit(5);
        }
        int pods = opts.contains("--pods") ? Integer.parseInt(opts.get(opts.indexOf("--pods") + 1)) : 3;
        boolean plain = opts.contains("--plain") || !AgentSteps.built();
        if (!plain) {
            System.out.println("demo: pods run the agent from " + AgentSteps.PACKAGE);
        } else if (!opts.contains("--plain")) {
            System.out.println("demo: target/agent is not built (./mvnw package): running the pods by hand (--plain)");
        }
        Cluster c = Cluster.create("demo", pods, plain ? new PlainSteps() : new AgentSteps());
        Thread hook = new Thread(c::close);
        Runtime.getRuntime().addShutdownHook(hook);

        Instant t0 = Instant.now();
        c.startAll();
        watch(c, Duration.ofMinutes(5), Map.of());
        System.out.printf("demo: %d pods Synced %.1f s after the start%n", pods, Duration.between(t0, Instant.now()).toMillis() / 1000.0);
        c.createAppSchema();
        printConnect(c);

        if (opts.contains("--crash")) {
            crash(c);
        }
        System.out.println("demo: press Enter (or Ctrl-C) to stop and remove the cluster");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        Runtime.getRuntime().removeShutdownHook(hook);
        c.close();
    }

    private static void crash(Cluster c) throws Exception {
        System.out.println("demo: writing rows through every pod, then kill -9 of every pod at once");
        try (Writer w = Writer.start(c, c.ordinals(), Duration.ofMillis(20))) {
            Scenarios.writeFor(w, Duration.ofSeconds(5));
            c.kill9All();
            w.stop();
            System.out.println("demo: " + w.acked().size() + " rows acknowledged before the crash; starting every pod again");
            Map<Integer, Integer> runsBefore = new HashMap<>();
            for (int i : c.ordinals()) {
                runsBefore.put(i, bootstrapRuns(c, i));
            }
            Instant t0 = Instant.now();
            c.startAll();
            watch(c, Duration.ofMinutes(5), runsBefore);
            System.out.printf("demo: recovered, all Synced %.1f s after the restart%n", Duration.between(t0, Instant.now()).toMillis() / 1000.0);
            Checker.Check check = Checker.check(c, w.acked(), c.ordinals());
            System.out.println("demo: acknowledged rows lost: " + check.lostTotal() + "; checksums " + check.checksums());
        }
    }

    /**
     * Prints a pod's line whenever its state or decision changes, until every pod is Synced. A pod whose
     * bootstrap has not run since {@code runsBefore} (its count of bootstrap runs before a restart) shows
     * its decision as the previous one: the log still ends with it until the new run decides.
     */
    private static void watch(Cluster c, Duration timeout, Map<Integer, Integer> runsBefore) throws Exception {
        Map<Integer, String> shown = new HashMap<>();
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            boolean all = true;
            for (int i : c.ordinals()) {
                WsrepStatus s = c.status(i);
                all &= s != null && s.synced() && s.clusterSize() == c.replicas();
                String decision = decision(c, i);
                boolean previous = decision != null && bootstrapRuns(c, i) <= runsBefore.getOrDefault(i, 0);
                String line = String.format("%-9s %-12s %-40s %s", PodNetwork.podName(i), c.pod(i).phase(),
                        s == null ? "mariadb not answering" : s.toString(),
                        decision == null ? "" : previous ? "previous decision " + decision + " (before the crash)" : "decision " + decision);
                if (!line.equals(shown.get(i))) {
                    shown.put(i, line);
                    c.event(line);
                }
            }
            if (all) {
                return;
            }
            PodNetwork.sleep(500);
        }
        throw new IllegalStateException("the cluster did not form within " + timeout + "\n" + c.diagnostics());
    }

    private static int bootstrapRuns(Cluster c, int i) {
        try {
            return c.steps() instanceof AgentSteps ? (int) AgentSteps.bootstrapLog(c.pod(i)).lines().filter(l -> l.startsWith("=== ")).count() : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    private static String decision(Cluster c, int i) {
        try {
            return c.steps() instanceof AgentSteps ? Scenarios.decision(c, i) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static void printConnect(Cluster c) throws Exception {
        Path sock = c.pod(0).socket();
        System.out.println("""
                demo: connect
                  as root, over pod 0's socket:   mariadb --no-defaults -S %s -uroot
                  as the app, over the network:   ip netns exec %s mariadb --no-defaults -h %s -u%s -p%s lab
                  the demo created:               database lab, user %s, table lab.%s (its writers' rows)
                  logs and data:                  %s/pod-N/{log,data,config}
                """.formatted(sock, PodNetwork.BRIDGE_NS, PodNetwork.ip(0), Cluster.APP_USER, Cluster.APP_PASSWORD,
                Cluster.APP_USER, Cluster.APP_TABLE, c.dir()));
        if (c.steps() instanceof AgentSteps) {
            // the host itself has no route into the pods' subnet (PodNetwork makes it unreachable): ask from inside
            String base = "ip netns exec " + PodNetwork.BRIDGE_NS + " curl -s http://" + PodNetwork.ip(0) + ":" + AgentSteps.STATUS_PORT;
            System.out.println("""
                    demo: pod 0's agent sidecar (other pods: %s, %s, ...)
                      status (JSON):     %s/status
                      metrics:           %s/metrics
                      readiness:         %s/ready -w ' %%{http_code}\\n'
                    """.formatted(PodNetwork.ip(1 % PodNetwork.MAX_PODS), PodNetwork.ip(2 % PodNetwork.MAX_PODS), base, base, base));
        }
        if (!Files.exists(sock)) {
            System.out.println("demo: (pod 0's socket is not there yet)");
        }
    }
}
