package dev.galeraagent.e2e;

import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pod template of {@code k8s/galera-statefulset.yaml}, run by the harness: init container
 * {@code install} ({@code agent install --to WORKDIR} from the built package), init container
 * {@code bootstrap} ({@code WORKDIR/agent bootstrap}, writing the config volume), the
 * {@code mariadb} container ({@code WORKDIR/agent prepare-start} before every start, then the image's
 * entry point with the image's my.cnf, which includes the config volume, and the arguments it printed) and the {@code probe} sidecar ({@code WORKDIR/agent probe serve}), with the
 * manifest's HTTP probes. Environment as in the manifest, with this machine's paths.
 */
public final class AgentSteps implements PodSteps {
    /** What {@code ./mvnw package} builds: the agent's runtime and launcher. */
    public static final Path PACKAGE = Path.of("target", "agent").toAbsolutePath();
    public static final int STATUS_PORT = 9800;
    static final String PROBE_PASSWORD = "probe-pass";

    private final boolean kubeApi;
    private final int probeSpeedUp;
    private final Map<Integer, Map<String, String>> extraEnv = new ConcurrentHashMap<>();
    private final Map<Integer, Map<String, String>> sidecarEnv = new ConcurrentHashMap<>();
    private final Map<String, String> everySidecarEnv = new ConcurrentHashMap<>();
    private final Map<Integer, Duration> mariadbDelay = new ConcurrentHashMap<>();
    private Path secrets;
    private Path kubeconfig;

    /**
     * @param kubeApi     whether the pods get API access (false: {@code AGENT_NO_KUBE_API=true})
     * @param probeSpeedUp the manifest's probe periods divided by this, so scenarios about probes take less time
     */
    public AgentSteps(boolean kubeApi, int probeSpeedUp) {
        this.kubeApi = kubeApi;
        this.probeSpeedUp = probeSpeedUp;
    }

    public AgentSteps() {
        this(true, 5);
    }

    /** True when the agent package is built; the agent's e2e tests assume it. */
    public static boolean built() {
        return Files.isExecutable(PACKAGE.resolve("bin/agent"));
    }

    @Override
    public String name() {
        return "agent";
    }

    @Override
    public boolean needsKubeApi() {
        return kubeApi;
    }

    /** Extra environment for pod {@code ordinal}'s bootstrap from its next start on (an override flag, say). */
    public void setEnv(int ordinal, String name, String value) {
        extraEnv.computeIfAbsent(ordinal, k -> new ConcurrentHashMap<>()).put(name, value);
    }

    public void clearEnv(int ordinal) {
        extraEnv.remove(ordinal);
    }

    @Override
    public void prepare(Cluster cluster) throws IOException {
        secrets = cluster.dir().resolve("secret");
        Files.createDirectories(secrets);
        Files.writeString(secrets.resolve("probe-password"), PROBE_PASSWORD);
        kubeconfig = cluster.kubeconfig();
    }

    @Override
    public List<Container> initContainers(Pod pod) {
        Map<String, String> env = new HashMap<>();
        env.put("AGENT_SERVICE", PodNetwork.SERVICE);
        env.put("AGENT_DATADIR", pod.dataDir().toString());
        env.put("AGENT_CONFIG_DIR", pod.configDir().toString());
        env.put("AGENT_STATUS_PORT", Integer.toString(STATUS_PORT));
        // rsync: faster here, and needs no SST user
        env.put("AGENT_SST_METHOD", "rsync");
        env.put("AGENT_MARIADBD", "/usr/sbin/mariadbd");
        if (kubeApi) {
            env.put("KUBECONFIG", kubeconfig.toString());
        } else {
            env.put("AGENT_NO_KUBE_API", "true");
            env.put("AGENT_REPLICAS", Integer.toString(pod.replicas()));
        }
        env.putAll(extraEnv.getOrDefault(pod.ordinal(), Map.of()));
        return List.of(
                new Container("install", List.of(PACKAGE.resolve("bin/agent").toString(), "install", "--to", pod.workDir().toString())),
                new Container("bootstrap", List.of(pod.workDir().resolve("agent").toString(), "bootstrap"), env));
    }

    @Override
    public Container mariadb(Pod pod) {
        // the manifest's initdb script: the probe's user
        String initSql = "CREATE USER 'probe'@'%' IDENTIFIED BY '" + PROBE_PASSWORD + "';\nGRANT USAGE ON *.* TO 'probe'@'%';";
        // the manifest's command: prepare-start before every start of mariadbd, its output as extra arguments
        String preamble = "args=$(" + pod.workDir().resolve("agent") + " prepare-start) || exit $?\n"
                + "# shellcheck disable=SC2086\nset -- \"$@\" $args";
        Duration delay = mariadbDelay.get(pod.ordinal());
        if (delay != null) {
            // a slow container start (an image pull, a slow volume): the init containers are done, mariadbd is not there yet
            preamble = "echo \"entry: slow start, sleeping " + delay.toSeconds() + " s\"; sleep " + delay.toSeconds() + "\n" + preamble;
        }
        return new Container("mariadb", pod.mariadbEntry(preamble), Map.of("INIT_SQL", initSql,
                "AGENT_DATADIR", pod.dataDir().toString(), "AGENT_CONFIG_DIR", pod.configDir().toString(),
                "AGENT_MARIADBD", "/usr/sbin/mariadbd", "AGENT_DEFAULTS_FILE", pod.imageConfig().toString()));
    }

    @Override
    public List<Container> sidecars(Pod pod) {
        Map<String, String> env = new HashMap<>();
        env.put("AGENT_LISTEN", "0.0.0.0:" + STATUS_PORT);
        env.put("AGENT_HOST", "127.0.0.1");
        env.put("AGENT_PORT", "3306");
        env.put("AGENT_USER", "probe");
        env.put("AGENT_PASSWORD_FILE", secrets.resolve("probe-password").toString());
        env.put("AGENT_DATADIR", pod.dataDir().toString());
        env.put("AGENT_CONFIG_DIR", pod.configDir().toString());
        // the sidecar renews and releases the bootstrap Lease named in the hand-off
        if (kubeApi) {
            env.put("KUBECONFIG", kubeconfig.toString());
        } else {
            env.put("AGENT_NO_KUBE_API", "true");
        }
        env.putAll(everySidecarEnv);
        env.putAll(sidecarEnv.getOrDefault(pod.ordinal(), Map.of()));
        return List.of(new Container("probe", List.of(pod.workDir().resolve("agent").toString(), "probe", "serve"), env));
    }

    @Override
    public Probes probes(Pod pod) {
        return new Probes(
                new Probes.Check("/startup", STATUS_PORT, period(10), 360),
                new Probes.Check("/live", STATUS_PORT, period(10), 6),
                new Probes.Check("/ready", STATUS_PORT, period(5), 2));
    }

    private Duration period(int manifestSeconds) {
        return Duration.ofMillis(manifestSeconds * 1000L / probeSpeedUp);
    }

    /** What pod {@code ordinal} published in the state ConfigMap, or null when nothing (of this Pod object) is there. */
    public static PublishedState published(Cluster c, int ordinal) throws IOException {
        String json = c.kubeApi().publishedState(ordinal);
        return json == null ? null : StatusJson.read(json, PublishedState.class);
    }

    /** The bootstrap init container's output over all its runs (what {@code kubectl logs -c bootstrap} shows). */
    public static String bootstrapLog(Pod pod) throws IOException {
        Path log = pod.logDir().resolve("bootstrap.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Extra environment for pod {@code ordinal}'s {@code probe} sidecar from its next start on. */
    public void setSidecarEnv(int ordinal, String name, String value) {
        sidecarEnv.computeIfAbsent(ordinal, k -> new ConcurrentHashMap<>()).put(name, value);
    }

    public void clearSidecarEnv(int ordinal) {
        sidecarEnv.remove(ordinal);
    }

    /** Pod {@code ordinal}'s mariadb container waits {@code delay} before {@code prepare-start} and mariadbd, from its next start on. */
    public void setMariadbStartDelay(int ordinal, Duration delay) {
        mariadbDelay.put(ordinal, delay);
    }

    public void clearMariadbStartDelay(int ordinal) {
        mariadbDelay.remove(ordinal);
    }

    /** The probe user's password file every sidecar reads (the manifest's probe Secret). */
    public Path probePasswordFile() {
        return secrets.resolve("probe-password");
    }

    /** Extra environment for every pod's probe sidecar from its next start on (a shorter probe bound, say). */
    public AgentSteps sidecarEnv(String name, String value) {
        everySidecarEnv.put(name, value);
        return this;
    }
}
