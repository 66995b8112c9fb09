package dev.galeraagent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate agent processes race for the Lease against one mock API server process: exactly one holds it; when
 * that one is killed, the Lease expires and exactly one other takes it.
 */
class LeaseProcessesIT {
    static final String ADDRESS = "127.0.40.5";
    static final int AGENTS = 4;
    static final int TERM_SECONDS = 5;

    @TempDir
    Path dir;
    final List<Proc> started = new ArrayList<>();

    /** A child JVM and the lines it printed, read as they come. */
    record Proc(String name, Process process, BlockingQueue<String> lines, Writer stdin) {
        String nextLine(Duration timeout) throws InterruptedException {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError(name + " printed nothing within " + timeout + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")"));
            }
            return line;
        }

        void send(String line) throws IOException {
            stdin.write(line + "\n");
            stdin.flush();
        }
    }

    private Proc java(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), mainClass));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(dir.resolve(name + ".err").toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        Proc proc = new Proc(name, process, lines, new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        started.add(proc);
        return proc;
    }

    @AfterEach
    void killEverythingStarted() throws InterruptedException {
        for (Proc p : started) {
            p.process().destroyForcibly();
        }
        for (Proc p : started) {
            p.process().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void exactlyOneProcessHoldsTheLeaseAndAnotherTakesItWhenTheHolderDies() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName(ADDRESS))) {
            port = free.getLocalPort();
        }
        Path kubeconfig = dir.resolve("kubeconfig");
        Proc server = java("mock-api", MockApiServerMain.class.getName(), ADDRESS, Integer.toString(port),
                "--namespace", "db", "--statefulset", "galera", "--replicas", Integer.toString(AGENTS), "--kubeconfig", kubeconfig.toString());
        assertThat(server.nextLine(Duration.ofSeconds(60))).isEqualTo("ready http://" + ADDRESS + ":" + port);

        List<Proc> agents = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            agents.add(java("galera-" + i, LeaseRaceMain.class.getName(), kubeconfig.toString(), "db", "galera", "galera-" + i,
                    Integer.toString(TERM_SECONDS)));
        }
        for (Proc agent : agents) {
            assertThat(agent.nextLine(Duration.ofSeconds(60))).as(agent.name()).isEqualTo("armed");
        }
        for (Proc agent : agents) {
            agent.send("go");
        }
        List<String> first = new ArrayList<>();
        for (Proc agent : agents) {
            first.add(agent.nextLine(Duration.ofSeconds(20)));
        }
        List<Proc> winners = agents.stream().filter(a -> first.get(agents.indexOf(a)).startsWith("acquired ")).toList();
        assertThat(winners).as("first lines: %s", first).hasSize(1);
        Proc winner = winners.getFirst();
        assertThat(first).filteredOn(l -> !l.startsWith("acquired ")).containsOnly("held-by " + winner.name());

        // the holder keeps it while alive: nobody else acquires during two terms
        Thread.sleep(2 * TERM_SECONDS * 1000L);
        for (Proc agent : agents) {
            assertThat(agent.lines()).as(agent.name() + " printed more").isEmpty();
        }

        long killed = System.nanoTime();
        winner.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        List<Proc> rest = agents.stream().filter(a -> a != winner).toList();
        Proc successor = null;
        while (successor == null) {
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).as("a successor within term + slack").isLessThan(Duration.ofSeconds(TERM_SECONDS + 10));
            for (Proc agent : rest) {
                String line = agent.lines().poll();
                if (line != null) {
                    assertThat(line).isEqualTo("acquired " + agent.name());
                    successor = agent;
                }
            }
            Thread.sleep(50);
        }
        Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
        System.out.println("takeover after the holder died: " + takeover.toMillis() + " ms (term " + TERM_SECONDS + " s)");
        assertThat(takeover).isGreaterThan(Duration.ofSeconds(TERM_SECONDS - 2));

        // and the successor is the only one, for another two terms
        Thread.sleep(2 * TERM_SECONDS * 1000L);
        for (Proc agent : rest) {
            assertThat(agent.lines()).as(agent.name() + " printed more").isEmpty();
        }
    }
}
