package dev.galeraagent.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * The StatefulSet {@code galera} with {@code podManagementPolicy: Parallel} on one machine: pods
 * in network namespaces ({@link PodNetwork}), each run by its own kubelet ({@link Pod}) with the
 * given {@link PodSteps}. The operations are the things that happen to a StatefulSet in real life:
 * start, container crash and restart, pod restart, graceful stop, full crash, partition, scaling.
 * {@link #close()} ends every process by PID and deletes every namespace, also after a failure.
 */
public final class Cluster implements AutoCloseable {
    /** Pods' volumes and logs; the logs stay after a run for a look, until the next run of the same name. */
    public static final Path ROOT = Path.of("/tmp/gae-e2e");
    public static final String APP_USER = "app";
    public static final String APP_PASSWORD = "apppass";
    /** The writers' table in database lab: a name of its own, so that a person's first CREATE TABLE t in the demo works. */
    public static final String APP_TABLE = "agent_demo_writes";

    private final Path dir;
    private final PodSteps steps;
    private final Instant created = Instant.now();
    private final Map<Integer, Pod> pods = new TreeMap<>();
    private PodNetwork net;
    private KubeApi kube;
    private int replicas;

    private Cluster(Path dir, PodSteps steps) {
        this.dir = dir;
        this.steps = steps;
    }

    /** Creates the network and {@code replicas} stopped pods (empty PVCs); nothing runs yet. */
    public static Cluster create(String name, int replicas, PodSteps steps) throws IOException {
        PodNetwork.removeLeftovers();
        Path dir = ROOT.resolve(name);
        PodNetwork.deleteTree(dir);
        Files.createDirectories(dir);
        Exec.ok("chmod", "755", ROOT.toString(), dir.toString());
        Cluster c = new Cluster(dir, steps);
        try {
            c.net = PodNetwork.create(dir.resolve("net"));
            for (int i = 0; i < replicas; i++) {
                c.addPod(i);
            }
            c.replicas = replicas;
            Files.writeString(c.kubeconfig(), KubeApi.kubeconfig());
            if (steps.needsKubeApi()) {
                c.kube = KubeApi.start(dir.resolve("kube"));
                c.kube.applyStatefulSet(replicas);
            }
            steps.prepare(c);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.event("cluster " + name + " created: " + replicas + " pods, steps " + steps.name());
        return c;
    }

    public Path dir() {
        return dir;
    }

    public PodSteps steps() {
        return steps;
    }

    public PodNetwork network() {
        return net;
    }

    /** The Kubernetes API stand-in, or null when the steps do not use it. */
    public KubeApi kubeApi() {
        return kube;
    }

    /** A kubeconfig for the pods, pointing at the API stand-in. */
    public Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    /** Starts the API stand-in again, empty, and gives it back the StatefulSet and a Pod object per running pod. */
    public void restartKubeApi() throws IOException {
        event("Kubernetes API stand-in restarted");
        kube.restart();
        kube.applyStatefulSet(replicas);
        for (int i : ordinals()) {
            if (pod(i).phase() != Pod.Phase.STOPPED) {
                kube.createPod(i);
            }
        }
    }

    /** Takes the API stand-in away (its process killed by PID) until {@link #restartKubeApi()}. */
    public void stopKubeApi() {
        event("Kubernetes API stand-in stopped");
        kube.stop();
    }

    public int replicas() {
        return replicas;
    }

    /** The pods the StatefulSet has now (ordinals 0..replicas-1). */
    public List<Integer> ordinals() {
        return IntStream.range(0, replicas).boxed().toList();
    }

    public Pod pod(int i) {
        Pod p = pods.get(i);
        if (p == null) {
            throw new IllegalArgumentException("no pod " + i);
        }
        return p;
    }

    /** Starts every pod at once, as {@code podManagementPolicy: Parallel} does. */
    public void startAll() throws IOException {
        event("start all " + replicas + " pods (Parallel)");
        for (int i : ordinals()) {
            startPodObject(i);
        }
    }

    /** Starts a stopped pod: a fresh config volume, the init containers, then the containers. */
    public void startPod(int i) throws IOException {
        startPodObject(i);
    }

    /** Pod restart: every process killed, the emptyDirs wiped, the whole sequence again on the same data. */
    public void podRestart(int i) throws IOException {
        event("pod restart " + PodNetwork.podName(i));
        pod(i).stop(false);
        startPodObject(i);
    }

    /** Container restart: only mariadbd again, with the config already in the config volume. */
    public void containerRestart(int i) {
        pod(i).restartMariadb();
    }

    /** kill -9 of pod i's mariadbd, which stays down until {@link #containerRestart(int)}. */
    public void kill9(int i) {
        pod(i).kill9Mariadb();
    }

    /** Every process of pod i killed at once (a node crash); the pod stays down until started. */
    public void crashPod(int i) {
        pod(i).stop(false);
    }

    /** Every pod crashes at once (power loss). */
    public void kill9All() {
        event("kill -9 of every pod");
        ordinals().parallelStream().forEach(this::crashPod);
    }

    /** SIGTERM to every container of pod i; waits until they are gone. */
    public void gracefulStop(int i) {
        pod(i).stop(true);
    }

    public void partition(int i) throws IOException {
        event("partition " + PodNetwork.podName(i));
        net.partition(i);
    }

    public void heal(int i) throws IOException {
        event("heal " + PodNetwork.podName(i));
        net.heal(i);
    }

    /**
     * Scales the StatefulSet: new pods start at once (Parallel); removed pods, highest ordinal
     * first, stop gracefully and their names leave DNS. Their data (the PVC) stays on disk.
     */
    public void scaleTo(int n) throws IOException {
        if (n < 1 || n > PodNetwork.MAX_PODS) {
            throw new IllegalArgumentException("replicas must be 1.." + PodNetwork.MAX_PODS + ": " + n);
        }
        event("scale " + replicas + " -> " + n);
        if (n > replicas) {
            for (int i = replicas; i < n; i++) {
                addPod(i);
            }
            int from = replicas;
            replicas = n;
            if (kube != null && kube.running()) {
                kube.applyStatefulSet(n);
            }
            for (int i = from; i < n; i++) {
                startPodObject(i);
            }
        } else {
            for (int i = replicas - 1; i >= n; i--) {
                pod(i).stop(true);
                net.removePod(i);
                if (kube != null && kube.running()) {
                    kube.deletePod(i);
                }
            }
            replicas = n;
            if (kube != null && kube.running()) {
                kube.applyStatefulSet(n);
            }
        }
    }

    /**
     * Brings the cluster back to all pods running and Synced after whatever a scenario left:
     * partitions healed, stopped pods started, held-down mariadb containers restarted.
     */
    public void restoreAll(Duration timeout) throws IOException {
        boolean changed = false;
        for (int i : ordinals()) {
            Pod p = pod(i);
            String veth = "gae-veth" + i;
            if (Exec.run("ip", "-n", PodNetwork.BRIDGE_NS, "link", "show", veth).output().contains("state DOWN")) {
                heal(i);
                changed = true;
            }
            if (p.phase() == Pod.Phase.STOPPED) {
                startPodObject(i);
                changed = true;
            } else if (p.phase() == Pod.Phase.RUNNING && !p.mariadbRunning()) {
                p.restartMariadb();
                changed = true;
            }
        }
        if (changed) {
            event("restored every pod after the previous scenario");
        }
        waitAllSynced(timeout);
    }

    public WsrepStatus status(int i) {
        return pod(i).status();
    }

    public Map<Integer, WsrepStatus> statuses() {
        Map<Integer, WsrepStatus> m = new LinkedHashMap<>();
        for (int i : ordinals()) {
            m.put(i, status(i));
        }
        return m;
    }

    /** Waits until some pod is in a Primary component; returns how long that took from the call. */
    public Duration waitPrimary(Duration timeout) {
        return await("a Primary component", timeout, s -> s.values().stream().anyMatch(w -> w != null && w.primary()));
    }

    /** Waits until every pod is Primary, ready and Synced in one component of all the pods. */
    public Duration waitAllSynced(Duration timeout) {
        return waitSynced(ordinals(), ordinals().size(), timeout);
    }

    /** Waits until each of {@code which} is Synced in a Primary component of {@code size} nodes. */
    public Duration waitSynced(Collection<Integer> which, int size, Duration timeout) {
        return await(which + " Synced with cluster size " + size, timeout, s -> which.stream().allMatch(i -> {
            WsrepStatus w = s.get(i);
            return w != null && w.synced() && w.clusterSize() == size;
        }));
    }

    /** Polls every pod's status until {@code done} holds; fails with every pod's state and logs. */
    public Duration await(String what, Duration timeout, Predicate<Map<Integer, WsrepStatus>> done) {
        Instant t0 = Instant.now();
        Instant deadline = t0.plus(timeout);
        Map<Integer, WsrepStatus> last = Map.of();
        while (Instant.now().isBefore(deadline)) {
            last = statuses();
            if (done.test(last)) {
                Duration took = Duration.between(t0, Instant.now());
                event(what + " after " + Pod.seconds(took) + " s");
                return took;
            }
            PodNetwork.sleep(250);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; statuses " + last
                + "\n" + diagnostics());
    }

    /** The application's user and table, created through a Primary pod. */
    public void createAppSchema() throws IOException {
        int i = ordinals().stream().filter(o -> {
            WsrepStatus s = status(o);
            return s != null && s.synced();
        }).findFirst().orElseThrow(() -> new IOException("no Synced pod to create the schema on"));
        pod(i).sqlOk("CREATE USER IF NOT EXISTS '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "';"
                + "CREATE DATABASE IF NOT EXISTS lab; GRANT ALL ON lab.* TO '" + APP_USER + "'@'%';"
                + "CREATE TABLE IF NOT EXISTS lab." + APP_TABLE + " (w INT NOT NULL, s INT NOT NULL, node VARCHAR(64) NOT NULL,"
                + " ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (w, s)) ENGINE=InnoDB");
    }

    /** Every pod's phase, status, init runs and the tail of each container's log. */
    public String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (Pod p : pods.values()) {
            b.append(p.diagnostics());
        }
        return b.toString();
    }

    /** A line on stdout with the time since the cluster was created: what happened, as it happens. */
    public void event(String msg) {
        Duration t = Duration.between(created, Instant.now());
        System.out.printf("[e2e %7.1fs] %s%n", t.toMillis() / 1000.0, msg);
    }

    /** A pod (re)starts as a new Pod object, so earlier annotations are gone, as in Kubernetes. */
    private void startPodObject(int i) throws IOException {
        if (kube != null && kube.running()) {
            kube.createPod(i);
        }
        pod(i).start(steps);
    }

    private void addPod(int i) throws IOException {
        net.addPod(i);
        if (!pods.containsKey(i)) {
            pods.put(i, new Pod(i, dir.resolve("pod-" + i), () -> replicas, this::event));
        }
    }

    @Override
    public void close() {
        List<Pod> all = new ArrayList<>(pods.values());
        all.parallelStream().forEach(p -> p.stop(false));
        if (kube != null) {
            kube.close();
        }
        if (net != null) {
            net.close();
        }
        // the PVCs go (a few hundred MiB per cluster), and so do the work dirs (agent install's copy of the
        // agent, about 100 MiB per pod, made again at each start); logs and configs stay, for a look
        for (Pod p : all) {
            for (Path d : List.of(p.dataDir(), p.workDir())) {
                try {
                    PodNetwork.deleteTree(d);
                } catch (IOException e) {
                    System.err.println("[e2e] could not delete " + d + ": " + e.getMessage());
                }
            }
        }
        event("cluster closed");
    }
}
