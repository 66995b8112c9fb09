package dev.galeraagent.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The harness's handle on the Kubernetes API stand-in ({@link MockKubeApi}) running in the bridge
 * namespace: starts and stops it (by PID: S13 takes it away), keeps the StatefulSet and the Pod
 * objects in step with the pods, and reads what the agents wrote there (the state ConfigMap, Leases).
 */
public final class KubeApi implements AutoCloseable {
    public static final int PORT = 6443;
    public static final String URL = "http://" + PodNetwork.DNS_IP + ":" + PORT;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private Process process;
    private OutputStream commands;
    private BlockingQueue<String> answers;

    private KubeApi(Path dir) {
        this.dir = dir;
    }

    /** Starts the API server process and waits until it answers. */
    public static KubeApi start(Path dir) throws IOException {
        KubeApi api = new KubeApi(dir);
        Files.createDirectories(dir);
        api.launch();
        return api;
    }

    /** A kubeconfig for the pods (the stand-in speaks plain HTTP and asks for no credentials). */
    public static String kubeconfig() {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: e2e
                  cluster:
                    server: %s
                users:
                - name: e2e
                  user:
                    token: e2e
                contexts:
                - name: e2e
                  context:
                    cluster: e2e
                    user: e2e
                    namespace: %s
                current-context: e2e
                """.formatted(URL, PodNetwork.NAMESPACE);
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    private void launch() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        process = new ProcessBuilder("ip", "netns", "exec", PodNetwork.BRIDGE_NS, java, "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"), MockKubeApi.class.getName(),
                PodNetwork.DNS_IP, Integer.toString(PORT))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("kube-api.log").toFile()))
                .start();
        commands = process.getOutputStream();
        answers = new LinkedBlockingQueue<>();
        BlockingQueue<String> q = answers;
        Process p = process;
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    q.add(line);
                }
            } catch (IOException e) {
                // the process is gone; callers time out
            }
            q.add("ERR the API stand-in exited");
        });
        String first = poll(Duration.ofSeconds(60));
        if (!"READY".equals(first)) {
            throw new IOException("the API stand-in did not start: " + first + "\n" + PodNetwork.tail(dir.resolve("kube-api.log")));
        }
    }

    /** Takes the API away (S13): the process is killed by its PID; everything it held is gone. */
    public void stop() {
        if (process != null && process.isAlive()) {
            Exec.killTree(process.toHandle());
        }
        process = null;
    }

    /** Starts it again, empty; the caller brings the StatefulSet and the Pods back. */
    public void restart() throws IOException {
        stop();
        launch();
    }

    public void applyStatefulSet(int replicas) throws IOException {
        call("statefulset " + replicas);
    }

    /** A new Pod object for pod N, as a restarted pod gets one: earlier annotations are gone. */
    public void createPod(int ordinal) throws IOException {
        call("pod " + ordinal);
    }

    public void deletePod(int ordinal) throws IOException {
        call("delete-pod " + ordinal);
    }

    /** Pod N's annotations (empty when the Pod object does not exist). */
    public Map<String, String> annotations(int ordinal) throws IOException {
        JsonNode pod = JSON.readTree(call("get-pod " + ordinal));
        JsonNode a = pod.path("metadata").path("annotations");
        Map<String, String> m = new java.util.TreeMap<>();
        a.properties().forEach(e -> m.put(e.getKey(), e.getValue().asString()));
        return m;
    }

    /**
     * Pod N's entry in the state ConfigMap, or null when it has none or when the entry was written before the Pod
     * object was created (by an earlier pod of that name), as the agent reads it.
     */
    public String publishedState(int ordinal) throws IOException {
        JsonNode entry = JSON.readTree(call("get-state")).path("data").path(PodNetwork.podName(ordinal));
        if (!entry.isString()) {
            return null;
        }
        String json = entry.asString();
        String created = JSON.readTree(call("get-pod " + ordinal)).path("metadata").path("creationTimestamp").asString("");
        String time = JSON.readTree(json).path("time").asString("");
        try {
            if (!created.isEmpty() && !time.isEmpty()
                    && java.time.Instant.parse(time).isBefore(java.time.Instant.parse(created).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))) {
                return null;
            }
        } catch (java.time.format.DateTimeParseException e) {
            // not judged: the agent counts it too
        }
        return json;
    }

    public JsonNode statefulSet() throws IOException {
        return JSON.readTree(call("get-statefulset"));
    }

    private synchronized String call(String command) throws IOException {
        if (!running()) {
            throw new IOException("the API stand-in is not running");
        }
        commands.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
        String answer = poll(Duration.ofSeconds(20));
        if (answer == null || !answer.startsWith("OK")) {
            throw new IOException("API stand-in: " + command + ": " + answer);
        }
        return answer.length() > 3 ? answer.substring(3) : "";
    }

    private String poll(Duration timeout) throws IOException {
        try {
            return answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The bootstrap Lease as the API holds it. */
    public JsonNode lease() throws IOException {
        return JSON.readTree(call("get-lease"));
    }

    /**
     * For {@code window} from now, every publish of pod N's final decision times out (not applied; answered 504 after the
     * agent's request timeout): the API is slow exactly when that pod must make its decision known.
     */
    public void slowDecidedPublishes(int ordinal, Duration window) throws IOException {
        call("slow-decided " + ordinal + " " + window.toSeconds());
    }

    /** How many publishes {@link #slowDecidedPublishes} held since the API stand-in started. */
    public int heldPublishes() throws IOException {
        return Integer.parseInt(call("held").strip());
    }
}
