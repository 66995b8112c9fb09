package dev.galeraagent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds k8s/galera-statefulset.yaml to the code and the contracts: it parses into fabric8's typed
 * model with no unknown field, its commands are ones the agent accepts, its paths are mounted, its
 * probes point at the sidecar, its Role is exactly the agent's permissions.
 */
class ManifestTest {
    static final Path MANIFEST = Manifest.projectRoot().resolve("k8s/galera-statefulset.yaml");
    static final String MARIADB_CONFIG_DIR = "/etc/mysql/conf.d";
    static final String DATADIR = "/var/lib/mysql";
    static final String AGENT_LAUNCHER = "agent";
    static final int MARIADB_UID = 999;
    /** The keys of the Secret galera-credentials, which the manifest mounts but does not ship (docs/guide.md, overlays/example). */
    static final List<String> CREDENTIAL_KEYS = List.of("root-password", "probe-password", "sst.cnf");

    /**
     * The agent's Kubernetes API use (issue 4, rules 4-6): no more, no less; {@code group/resource/name:verb}
     * where the Role names the object.
     */
    static final Set<String> AGENT_PERMISSIONS = Set.of(
            "/pods:get", "/pods:list",
            "/configmaps/galera-galera-state:get", "/configmaps/galera-galera-state:patch",
            "apps/statefulsets/galera:get",
            "coordination.k8s.io/leases/galera-galera-bootstrap:get", "coordination.k8s.io/leases/galera-galera-bootstrap:update",
            "/events:create");

    static Manifest manifest;
    static StatefulSet sts;
    static PodSpec pod;

    @BeforeAll
    static void load() throws IOException {
        manifest = Manifest.load(MANIFEST);
        sts = manifest.one(StatefulSet.class, "galera");
        pod = sts.getSpec().getTemplate().getSpec();
    }

    static Container container(String name) {
        return Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream())
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    static List<Container> allContainers() {
        return Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList();
    }

    static Map<String, EnvVar> env(Container c) {
        Map<String, EnvVar> byName = new java.util.LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            assertThat(byName.put(e.getName(), e)).as("%s sets %s twice", c.getName(), e.getName()).isNull();
        }
        return byName;
    }

    static String envValue(Container c, String name) {
        EnvVar e = env(c).get(name);
        assertThat(e).as("%s must set %s", c.getName(), name).isNotNull();
        return e.getValue();
    }

    /** The mount of {@code c} under which {@code path} lies, if any. */
    static Optional<VolumeMount> mountFor(Container c, String path) {
        return c.getVolumeMounts().stream()
                .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/"))
                .max(java.util.Comparator.comparingInt(m -> m.getMountPath().length()));
    }

    static Volume volume(String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** Asserts that {@code file} exists in container {@code c}: it lies on a Secret/ConfigMap mount with that key. */
    static void assertFileProvided(Container c, String file) {
        VolumeMount m = mountFor(c, file).orElseThrow(() -> new AssertionError(c.getName() + ": nothing is mounted at " + file));
        String relative = file.substring(m.getMountPath().length() + 1);
        Volume v = volume(m.getName());
        List<String> keys;
        if (v.getSecret() != null) {
            assertThat(v.getSecret().getSecretName()).isEqualTo("galera-credentials");
            keys = itemPaths(v.getSecret().getItems(), Set.copyOf(CREDENTIAL_KEYS));
        } else if (v.getConfigMap() != null) {
            keys = itemPaths(v.getConfigMap().getItems(), manifest.one(ConfigMap.class, v.getConfigMap().getName()).getData().keySet());
        } else {
            throw new AssertionError(c.getName() + ": " + file + " is on volume " + v.getName() + ", which is neither a Secret nor a ConfigMap");
        }
        assertThat(keys).as("%s: %s must be a file of volume %s", c.getName(), file, v.getName()).contains(relative);
    }

    private static List<String> itemPaths(List<io.fabric8.kubernetes.api.model.KeyToPath> items, Set<String> allKeys) {
        if (items == null || items.isEmpty()) {
            return List.copyOf(allKeys);
        }
        for (var item : items) {
            assertThat(allKeys).as("item key %s must exist in the object", item.getKey()).contains(item.getKey());
        }
        return items.stream().map(io.fabric8.kubernetes.api.model.KeyToPath::getPath).toList();
    }

    // ---- parsing ----

    @Test
    void manifestParsesIntoTypedObjectsWithNoUnknownField() {
        assertThat(manifest.objects()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "ServiceAccount/galera-agent", "Role/galera-agent", "RoleBinding/galera-agent",
                "ConfigMap/galera-galera-state", "Lease/galera-galera-bootstrap",
                "ConfigMap/galera-extra-config", "ConfigMap/galera-initdb", "Service/galera", "Service/galera-client",
                "NetworkPolicy/galera", "PodDisruptionBudget/galera", "StatefulSet/galera");
    }

    @Test
    void unknownFieldCheckCatchesAMisspeltField() {
        String doc = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  containers:
                    - name: c
                      image: busybox:1.36
                      securityContex:
                        runAsNonRoot: true
                """;
        assertThatThrownBy(() -> Manifest.parse(Path.of("typo.yaml"), doc))
                .hasMessageContaining("spec.containers[0].securityContex");
    }

    @Test
    void unknownKindIsRejected() {
        String doc = """
                apiVersion: example.com/v1
                kind: Gadget
                metadata:
                  name: g
                """;
        assertThatThrownBy(() -> Manifest.parse(Path.of("gadget.yaml"), doc)).hasMessageContaining("not a typed Kubernetes object");
    }

    // ---- volumes ----

    @Test
    void everyVolumeMountNamesAVolumeAndEveryVolumeIsMounted() {
        Set<String> volumes = new TreeSet<>();
        pod.getVolumes().forEach(v -> volumes.add(v.getName()));
        sts.getSpec().getVolumeClaimTemplates().forEach(t -> volumes.add(t.getMetadata().getName()));
        Set<String> mounted = new TreeSet<>();
        for (Container c : allContainers()) {
            for (VolumeMount m : c.getVolumeMounts()) {
                assertThat(volumes).as("%s mounts %s at %s", c.getName(), m.getName(), m.getMountPath()).contains(m.getName());
                mounted.add(m.getName());
            }
        }
        assertThat(mounted).as("volumes nobody mounts").isEqualTo(volumes);
    }

    @Test
    void dataDirIsAVolumeClaimTemplateMountedAtTheSamePathWhereverItIsUsed() {
        assertThat(sts.getSpec().getVolumeClaimTemplates()).extracting(t -> t.getMetadata().getName()).containsExactly("data");
        for (String name : List.of("bootstrap", "mariadb", "probe")) {
            assertThat(mountFor(container(name), DATADIR)).as(name).get().extracting(VolumeMount::getName).isEqualTo("data");
        }
        assertThat(mountFor(container("mariadb"), DATADIR).orElseThrow().getMountPath()).isEqualTo(DATADIR);
    }

    @Test
    void workDirAndConfigDirAreEmptyDirsAndTheConfigDirIsWhereTheOfficialImageLooks() {
        assertThat(volume("work-dir").getEmptyDir()).isNotNull();
        assertThat(volume("config").getEmptyDir()).isNotNull();
        for (String name : List.of("bootstrap", "mariadb", "probe")) {
            VolumeMount m = mountFor(container(name), MARIADB_CONFIG_DIR).orElseThrow(() -> new AssertionError(name + " lacks the config dir"));
            assertThat(m.getName()).isEqualTo("config");
            assertThat(m.getMountPath()).isEqualTo(MARIADB_CONFIG_DIR);
        }
        assertThat(mountFor(container("mariadb"), MARIADB_CONFIG_DIR).orElseThrow().getReadOnly())
                .as("prepare-start removes a spent one-shot file").isNotEqualTo(Boolean.TRUE);
        assertThat(mountFor(container("bootstrap"), MARIADB_CONFIG_DIR).orElseThrow().getReadOnly()).as("bootstrap writes galera.cnf").isNotEqualTo(Boolean.TRUE);
    }

    @Test
    void credentialsAreSecretFilesOnTheInMemorySecretVolumeReadableOnlyByTheMysqlGroup() {
        for (String name : List.of("credentials", "bootstrap-credentials", "probe-credentials")) {
            Volume credentials = volume(name);
            assertThat(credentials.getSecret()).as("%s comes from a Secret volume (tmpfs)", name).isNotNull();
            assertThat(credentials.getSecret().getDefaultMode()).as("%s: 0440", name).isEqualTo(0440);
        }
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).extracting(Volume::getName)
                .containsExactlyInAnyOrder("credentials", "bootstrap-credentials", "probe-credentials");
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo((long) MARIADB_UID);
        for (Container c : allContainers()) {
            for (EnvVar e : c.getEnv()) {
                assertThat(e.getValueFrom() == null || e.getValueFrom().getSecretKeyRef() == null)
                        .as("%s: secret %s must be a file, not an environment variable", c.getName(), e.getName()).isTrue();
            }
        }
    }

    /** The Secret's keys that {@code c} can read: the items of every Secret volume it mounts. */
    static Set<String> secretKeysMounted(Container c) {
        Set<String> keys = new TreeSet<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Optional<Volume> volume = pod.getVolumes().stream().filter(v -> v.getName().equals(m.getName())).findFirst();
            if (volume.isEmpty()) {
                continue; // a volume claim template: no Secret
            }
            Volume v = volume.get();
            if (v.getSecret() != null) {
                assertThat(v.getSecret().getItems()).as("%s: a Secret volume lists its keys, or it would mount them all", v.getName()).isNotEmpty();
                v.getSecret().getItems().forEach(i -> keys.add(i.getKey()));
            }
        }
        return keys;
    }

    /**
     * mariadb: root-password (the entrypoint), probe-password and sst.cnf (galera-initdb), sst.cnf (galera.cnf !includes it);
     * bootstrap: sst.cnf (mariadbd --wsrep-recover reads galera.cnf's !include); probe: its password; install: nothing.
     */
    @Test
    void eachContainerMountsOnlyTheSecretKeysItReads() {
        assertThat(secretKeysMounted(container("mariadb"))).containsExactly("probe-password", "root-password", "sst.cnf");
        assertThat(secretKeysMounted(container("bootstrap"))).containsExactly("sst.cnf");
        assertThat(secretKeysMounted(container("probe"))).containsExactly("probe-password");
        assertThat(secretKeysMounted(container("install"))).isEmpty();
        assertFileProvided(container("bootstrap"), envValue(container("bootstrap"), "AGENT_SECRET_CONFIG"));
        assertFileProvided(container("probe"), envValue(container("probe"), "AGENT_PASSWORD_FILE"));
        assertFileProvided(container("mariadb"), envValue(container("mariadb"), "MARIADB_ROOT_PASSWORD_FILE"));
    }

    @Test
    void theManifestShipsNoSecretAndTheGuideCreatesTheOneItMounts() throws IOException {
        assertThat(manifest.all(Secret.class)).as("no example passwords to delete by hand: overlays/example has them").isEmpty();
        assertThat(volume("credentials").getSecret().getItems()).extracting(io.fabric8.kubernetes.api.model.KeyToPath::getKey)
                .containsExactlyInAnyOrderElementsOf(CREDENTIAL_KEYS);
        String guide = Files.readString(Manifest.projectRoot().resolve("docs/guide.md"));
        assertThat(guide).contains("create secret generic galera-credentials");
        for (String key : CREDENTIAL_KEYS) {
            assertThat(guide).contains("--from-" + (key.endsWith(".cnf") ? "file=" : "literal=") + key + "=");
        }
    }

    // ---- commands ----

    @Test
    void installWritesTheLauncherWhereTheOtherContainersRunIt() {
        Container install = container("install");
        List<String> cmd = install.getCommand();
        int to = cmd.indexOf("--to");
        assertThat(to).as("install names its target with --to").isPositive();
        String target = cmd.get(to + 1);
        assertThat(mountFor(install, target)).get().extracting(VolumeMount::getName, VolumeMount::getMountPath)
                .containsExactly("work-dir", target);
        for (String name : List.of("bootstrap", "probe")) {
            Container c = container(name);
            String program = c.getCommand().getFirst();
            VolumeMount workDir = mountFor(c, program).orElseThrow(() -> new AssertionError(name + ": " + program + " is not on a mounted volume"));
            assertThat(workDir.getName()).isEqualTo("work-dir");
            assertThat(program).as("%s runs the launcher that install writes into DIR", name).isEqualTo(workDir.getMountPath() + "/" + AGENT_LAUNCHER);
            assertThat(workDir.getReadOnly()).as("%s only runs the agent", name).isTrue();
        }
    }

    /** The mariadb container runs prepare-start before every start of mariadbd, then the image's own entrypoint with its output. */
    @Test
    void theMariadbContainerPreparesEveryStartThenExecsTheImagesEntrypointWithTheArgumentsItPrinted() {
        Container mariadb = container("mariadb");
        assertThat(mariadb.getArgs()).as("args").isNullOrEmpty();
        List<String> cmd = mariadb.getCommand();
        assertThat(cmd).hasSize(3);
        assertThat(cmd.subList(0, 2)).containsExactly("/bin/sh", "-c");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("args=\\$\\((\\S+) ([^)]*)\\) && exec docker-entrypoint\\.sh mariadbd \\$args")
                .matcher(cmd.get(2));
        assertThat(m.matches()).as("script: " + cmd.get(2)).isTrue();
        String program = m.group(1);
        VolumeMount workDir = mountFor(mariadb, program).orElseThrow(() -> new AssertionError(program + " is not on a mounted volume"));
        assertThat(workDir.getName()).isEqualTo("work-dir");
        assertThat(workDir.getReadOnly()).as("mariadb only runs the agent").isTrue();
        assertThat(program).isEqualTo(workDir.getMountPath() + "/" + AGENT_LAUNCHER);
        List<String> args = List.of(m.group(2).split(" "));
        assertThat(AgentCli.implemented(AgentCli.commandPath(args))).as("agent " + m.group(2)).isPresent();
        assertThat(AgentCli.check(args)).isEqualTo(AgentCli.Source.PICOCLI);
        assertThat(envValue(mariadb, "AGENT_DATADIR")).isEqualTo(DATADIR);
        assertThat(envValue(mariadb, "AGENT_CONFIG_DIR")).isEqualTo(MARIADB_CONFIG_DIR);
        Set<String> known = new TreeSet<>(AgentCli.contract(AgentCli.commandPath(args)).envTwins());
        assertThat(env(mariadb).keySet().stream().filter(k -> k.startsWith("AGENT_")).toList()).as("agent variables").isSubsetOf(known);
    }

    @Test
    void installCommandIsTheInstallImagesEntrypoint() throws IOException {
        assertThat(container("install").getCommand()).isEqualTo(Dockerfile.load("docker/install/Dockerfile").entrypoint());
    }

    /** Each agent container's command, checked by the real picocli parser: every mode is on main, so none may fall back to the docs. */
    @Test
    void everyAgentCommandIsOneTheRealCliAccepts() {
        for (String name : List.of("install", "bootstrap", "probe")) {
            List<String> args = agentArgs(container(name));
            assertThat(AgentCli.implemented(AgentCli.commandPath(args))).as("agent " + String.join(" ", args)).isPresent();
            assertThat(AgentCli.check(args)).isEqualTo(AgentCli.Source.PICOCLI);
        }
    }

    @Test
    void aWrongOptionInACommandIsCaught() {
        assertThatThrownBy(() -> AgentCli.check(List.of("bootstrap", "--data-dir", "/var/lib/mysql"))).hasMessageContaining("--data-dir");
        assertThatThrownBy(() -> AgentCli.check(List.of("probe", "listen"))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> AgentCli.check(List.of("install", "--to"))).hasMessageContaining("--to");
    }

    /** The agent arguments of a container, without the program: install runs the image's launcher, the others /work-dir/agent. */
    static List<String> agentArgs(Container c) {
        List<String> cmd = new ArrayList<>(c.getCommand());
        if (c.getArgs() != null) {
            cmd.addAll(c.getArgs());
        }
        assertThat(cmd.getFirst()).as("%s runs the agent", c.getName()).endsWith("/" + AGENT_LAUNCHER);
        return cmd.subList(1, cmd.size());
    }

    // ---- environment ----

    /** Env vars of each agent container that the agent reads: each must be a known env twin (no typos). */
    @Test
    void everyEnvironmentVariableOfAnAgentContainerIsOneTheAgentReads() {
        for (String name : List.of("install", "bootstrap", "probe")) {
            Container c = container(name);
            AgentCli.Contract contract = AgentCli.contract(AgentCli.commandPath(agentArgs(c)));
            Set<String> known = new TreeSet<>(contract.envTwins());
            assertThat(known).as("%s: env twins of agent %s (from %s)", name, contract.path(), contract.source())
                    .containsAll(env(c).keySet());
        }
    }

    /** Placeholder values for the Downward API variables, as the kubelet would fill them in. */
    static final Map<String, String> DOWNWARD_API_EXAMPLE = Map.of(
            "metadata.name", "galera-1", "metadata.namespace", "databases", "status.podIP", "10.244.1.7");

    @Test
    void everyEnvironmentValueParsesAsItsOption() {
        for (String name : List.of("install", "bootstrap", "probe")) {
            Container c = container(name);
            List<String> args = agentArgs(c);
            assertThat(AgentCli.implemented(AgentCli.commandPath(args))).as("agent " + String.join(" ", args)).isPresent();
            Map<String, String> values = new java.util.LinkedHashMap<>();
            for (EnvVar e : c.getEnv()) {
                values.put(e.getName(), e.getValueFrom() != null
                        ? DOWNWARD_API_EXAMPLE.get(e.getValueFrom().getFieldRef().getFieldPath())
                        : e.getValue());
            }
            AgentCli.checkValues(args, values);
        }
    }

    /** What the agent cannot know by itself in a pod: it must be provided, and point at a mounted file. */
    @Test
    void everyEnvironmentVariableTheAgentNeedsInAPodIsProvided() {
        Container bootstrap = container("bootstrap");
        assertThat(env(bootstrap)).containsKeys("POD_NAME", "POD_NAMESPACE", "POD_IP", "AGENT_SERVICE", "AGENT_DATADIR",
                "AGENT_CONFIG_DIR", "AGENT_SECRET_CONFIG", "AGENT_EXTRA_CONFIG");
        assertThat(env(bootstrap).get("POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env(bootstrap).get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        assertThat(env(bootstrap).get("POD_IP").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        for (String name : List.of("bootstrap", "probe")) {
            Container c = container(name);
            assertThat(envValue(c, "AGENT_DATADIR")).isEqualTo(DATADIR);
            assertThat(envValue(c, "AGENT_CONFIG_DIR")).isEqualTo(MARIADB_CONFIG_DIR);
            assertThat(mountFor(c, DATADIR)).isPresent();
        }
        assertThat(envValue(bootstrap, "AGENT_SERVICE")).isEqualTo(headless().getMetadata().getName());
        assertThat(sts.getSpec().getServiceName()).isEqualTo(headless().getMetadata().getName());

        // galera.cnf !includes these two files: they must exist at the same path for bootstrap and for mysqld
        for (String file : List.of(envValue(bootstrap, "AGENT_SECRET_CONFIG"), envValue(bootstrap, "AGENT_EXTRA_CONFIG"))) {
            assertFileProvided(bootstrap, file);
            assertFileProvided(container("mariadb"), file);
        }
        Container probe = container("probe");
        assertThat(env(probe)).containsKeys("AGENT_PASSWORD_FILE", "AGENT_USER", "AGENT_HOST", "AGENT_LISTEN");
        assertThat(env(probe)).doesNotContainKey("AGENT_PASSWORD");
        assertFileProvided(probe, envValue(probe, "AGENT_PASSWORD_FILE"));
        assertFileProvided(container("mariadb"), envValue(container("mariadb"), "MARIADB_ROOT_PASSWORD_FILE"));
    }

    @Test
    void theInitScriptCreatesTheUserTheProbeLogsInAsAndReadsTheSecretWhereItIsMounted() {
        ConfigMap initdb = manifest.one(ConfigMap.class, "galera-initdb");
        assertThat(initdb.getData()).hasSize(1);
        String script = initdb.getData().values().iterator().next();
        Matcher user = Pattern.compile("(?m)^galera_agent_probe_user=(\\w+)$").matcher(script);
        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).isEqualTo(envValue(container("probe"), "AGENT_USER"));
        Matcher dir = Pattern.compile("(?m)^galera_agent_secrets=(\\S+)$").matcher(script);
        assertThat(dir.find()).isTrue();
        Container mariadb = container("mariadb");
        for (String key : List.of("probe-password", "sst.cnf")) {
            assertThat(script).contains("$galera_agent_secrets/" + key);
            assertFileProvided(mariadb, dir.group(1) + "/" + key);
        }
        assertThat(mountFor(mariadb, "/docker-entrypoint-initdb.d/x")).get().extracting(VolumeMount::getName).isEqualTo("initdb");
        assertThat(volume("initdb").getConfigMap().getDefaultMode() & 0111).as("sourced, so not executable").isZero();
        assertThat(envValue(container("probe"), "AGENT_HOST")).as("the script creates probe@127.0.0.1").isEqualTo("127.0.0.1");
    }

    // ---- probes and ports ----

    @Test
    void mariadbProbesAskTheSidecarOnItsDocumentedPortAndPaths() {
        AgentCli.ProbeEndpoints documented = AgentCli.documentedProbeEndpoints();
        Container mariadb = container("mariadb");
        assertHttpGet(mariadb.getStartupProbe(), documented.startup(), documented.port());
        assertHttpGet(mariadb.getLivenessProbe(), documented.live(), documented.port());
        assertHttpGet(mariadb.getReadinessProbe(), documented.ready(), documented.port());

        Container probe = container("probe");
        String listen = envValue(probe, "AGENT_LISTEN");
        assertThat(listen).isEqualTo("0.0.0.0:" + documented.port());
        assertThat(probe.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("agent:" + documented.port());
        assertThat(envValue(container("bootstrap"), "AGENT_STATUS_PORT")).as("peers' /status port").isEqualTo(String.valueOf(documented.port()));
    }

    @Test
    void startupProbeIsGenerousSoLivenessNeedsNoInitialDelay() {
        Probe startup = container("mariadb").getStartupProbe();
        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).as("seconds before the kubelet gives up starting").isGreaterThanOrEqualTo(1800);
        assertThat(container("mariadb").getLivenessProbe().getInitialDelaySeconds()).isNull();
    }

    private static void assertHttpGet(Probe probe, String path, int port) {
        assertThat(probe).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("httpGet probe for %s", path).isNotNull();
        assertThat(get.getPath()).isEqualTo(path);
        assertThat(get.getPort().getIntVal()).as("numeric: a port name would be looked up in the mariadb container's own ports").isEqualTo(port);
    }

    static Service headless() {
        return manifest.one(Service.class, "galera");
    }

    @Test
    void headlessServicePublishesNotReadyPodsOnEveryGaleraPortAndTheAgentPort() {
        Service svc = headless();
        assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(svc.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(svc.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactlyInAnyOrder("mysql:3306", "galera:4567", "ist:4568", "sst:4444", "agent:" + AgentCli.documentedProbeEndpoints().port());
        assertServicePortsResolve(svc);
        assertServicePortsResolve(manifest.one(Service.class, "galera-client"));
        assertThat(manifest.one(Service.class, "galera-client").getSpec().getPublishNotReadyAddresses()).as("clients only reach ready nodes").isNotEqualTo(Boolean.TRUE);
    }

    private static void assertServicePortsResolve(Service svc) {
        Map<String, Integer> podPorts = new java.util.HashMap<>();
        pod.getContainers().forEach(c -> c.getPorts().forEach(p -> assertThat(podPorts.put(p.getName(), p.getContainerPort())).as("port name %s used twice", p.getName()).isNull()));
        for (ServicePort p : svc.getSpec().getPorts()) {
            String target = p.getTargetPort().getStrVal();
            assertThat(podPorts).as("%s: targetPort %s", svc.getMetadata().getName(), target).containsKey(target);
            assertThat(podPorts.get(target)).isEqualTo(p.getPort());
        }
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(svc.getSpec().getSelector());
    }

    // ---- StatefulSet shape, security, availability ----

    @Test
    void statefulSetStartsThreePodsInParallelWithTheDocumentedContainers() {
        assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
        assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("install", "bootstrap");
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("mariadb", "probe");
        assertThat(sts.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.copyOf(sts.getSpec().getSelector().getMatchLabels()));
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void bootstrapMariadbAndProbeRunOneImageSoRecoveryUsesTheServersOwnVersion() throws IOException {
        String image = container("mariadb").getImage();
        assertThat(container("bootstrap").getImage()).isEqualTo(image);
        assertThat(container("probe").getImage()).isEqualTo(image);
        assertThat(Dockerfile.load("docker/bootstrap/Dockerfile").finalBase()).as("docker/bootstrap is the same image").isEqualTo(image);
    }

    @Test
    void everyImageIsPinnedToAVersion() {
        for (Container c : allContainers()) {
            assertThat(Dockerfile.isPinned(c.getImage())).as("%s image %s", c.getName(), c.getImage()).isTrue();
        }
    }

    @Test
    void podRunsAsNonRootWithRuntimeDefaultSeccompAndFsGroup() {
        var sc = pod.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getRunAsUser()).isEqualTo((long) MARIADB_UID);
        assertThat(sc.getFsGroup()).isEqualTo((long) MARIADB_UID);
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void everyContainerDropsAllCapabilitiesAndTheAgentContainersHaveAReadOnlyRoot() {
        for (Container c : allContainers()) {
            var sc = c.getSecurityContext();
            assertThat(sc).as(c.getName()).isNotNull();
            assertThat(sc.getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
            assertThat(sc.getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
            assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
            assertThat(sc.getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
        }
        for (String name : List.of("install", "bootstrap", "probe")) {
            assertThat(container(name).getSecurityContext().getReadOnlyRootFilesystem()).as(name).isTrue();
            assertThat(mountFor(container(name), "/tmp")).as("%s has a writable /tmp", name).isPresent();
        }
    }

    @Test
    void everyContainerHasCpuAndMemoryRequestsAndAMemoryLimit() {
        for (Container c : allContainers()) {
            Map<String, Quantity> requests = c.getResources().getRequests();
            Map<String, Quantity> limits = c.getResources().getLimits();
            assertThat(requests).as(c.getName()).containsKeys("cpu", "memory");
            assertThat(limits).as(c.getName()).containsKeys("cpu", "memory");
            assertThat(Quantity.getAmountInBytes(limits.get("memory"))).as(c.getName())
                    .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(requests.get("memory")));
        }
    }

    @Test
    void podsSpreadAcrossNodesAndLeaveGaleraCleanlyOnShutdown() {
        var terms = pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        assertThat(terms).hasSize(1);
        assertThat(terms.getFirst().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(terms.getFirst().getLabelSelector().getMatchLabels());
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(120L);
    }

    @Test
    void disruptionBudgetAllowsOneNodeDownAtATime() {
        PodDisruptionBudget pdb = manifest.one(PodDisruptionBudget.class, "galera");
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getMinAvailable()).isNull();
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void extraConfigMapIsMountedAndPassedToBootstrap() {
        ConfigMap extra = manifest.one(ConfigMap.class, "galera-extra-config");
        assertThat(volume("extra-config").getConfigMap().getName()).isEqualTo(extra.getMetadata().getName());
        assertThat(extra.getData().get("extra.cnf")).startsWith("[mariadb]");
        assertThat(extra.getData().get("extra.cnf")).as("Galera settings belong to the agent").doesNotContain("wsrep");
    }

    // ---- RBAC ----

    static Set<String> grants(Role role) {
        Set<String> grants = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        assertThat(List.of(group, resource, verb)).as("wildcards").doesNotContain("*");
                        if (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()) {
                            grants.add(group + "/" + resource + ":" + verb);
                        } else {
                            rule.getResourceNames().forEach(n -> grants.add(group + "/" + resource + "/" + n + ":" + verb));
                        }
                    }
                }
            }
        }
        return grants;
    }

    @Test
    void roleGrantsExactlyWhatTheAgentCalls() {
        Role role = manifest.one(Role.class, "galera-agent");
        assertThat(grants(role)).isEqualTo(new TreeSet<>(AGENT_PERMISSIONS));
        RoleBinding binding = manifest.one(RoleBinding.class, "galera-agent");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).extracting(s -> s.getKind() + "/" + s.getName()).containsExactly("ServiceAccount/galera-agent");
        assertThat(pod.getServiceAccountName()).isEqualTo(manifest.one(ServiceAccount.class, "galera-agent").getMetadata().getName());
    }

    /**
     * RBAC enforces resourceNames for get, update and patch of one object, never for list or create: every rule the
     * agent can have by name names the objects this file creates, and nothing may write a Pod (a Pod patch can
     * change its image).
     */
    @Test
    void roleNamesEveryObjectItCanAndNeverWritesAPod() {
        Role role = manifest.one(Role.class, "galera-agent");
        String name = sts.getMetadata().getName();
        Map<String, String> named = Map.of("configmaps", name + "-galera-state", "leases", name + "-galera-bootstrap", "statefulsets", name);
        for (PolicyRule rule : role.getRules()) {
            for (String resource : rule.getResources()) {
                if (resource.equals("pods")) {
                    assertThat(rule.getVerbs()).as("pods: read only").containsOnly("get", "list");
                } else if (resource.equals("events")) {
                    // an Event's name is made when it is created, and create is never checked by name
                    assertThat(rule.getVerbs()).as("events: create only").containsOnly("create");
                } else {
                    assertThat(rule.getResourceNames()).as(resource).containsExactly(named.get(resource));
                    assertThat(rule.getVerbs()).as("%s: only verbs RBAC checks by name", resource).doesNotContain("create", "list", "watch",
                            "deletecollection");
                }
            }
        }
        assertThat(manifest.one(ConfigMap.class, name + "-galera-state").getData()).as("no state before a pod publishes").isNullOrEmpty();
        Lease lease = manifest.one(Lease.class, name + "-galera-bootstrap");
        assertThat(lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null).as("the Lease starts free").isTrue();
    }

    /** Service links would inject {@code <SERVICE>_PORT=tcp://...}: for a Service named agent-status, AGENT_STATUS_PORT. */
    @Test
    void serviceLinksAreOffSoNoServiceCanInjectAnAgentVariable() {
        assertThat(pod.getEnableServiceLinks()).isFalse();
    }

    @Test
    void onlyTheContainersThatCallTheApiSeeTheServiceAccountToken() {
        assertThat(pod.getAutomountServiceAccountToken()).as("no token in every container").isFalse();
        String standardPath = "/var/run/secrets/kubernetes.io/serviceaccount";
        var sources = volume("kube-api-access").getProjected().getSources();
        assertThat(sources.stream().filter(src -> src.getServiceAccountToken() != null).map(src -> src.getServiceAccountToken().getPath()))
                .containsExactly("token");
        assertThat(sources.stream().filter(src -> src.getConfigMap() != null).map(src -> src.getConfigMap().getName()))
                .containsExactly("kube-root-ca.crt");
        assertThat(sources.stream().filter(src -> src.getDownwardAPI() != null).flatMap(src -> src.getDownwardAPI().getItems().stream())
                .map(i -> i.getPath() + "=" + i.getFieldRef().getFieldPath())).containsExactly("namespace=metadata.namespace");
        for (Container c : allContainers()) {
            Optional<VolumeMount> token = mountFor(c, standardPath + "/token");
            if (List.of("bootstrap", "probe").contains(c.getName())) {
                assertThat(token).as(c.getName()).get().extracting(VolumeMount::getName, VolumeMount::getMountPath, VolumeMount::getReadOnly)
                        .containsExactly("kube-api-access", standardPath, true);
            } else {
                assertThat(token).as("%s must not see the token", c.getName()).isEmpty();
            }
        }
    }

    // ---- network ----

    /** "port/protocol" of every port of {@code rule}. */
    private static Set<String> ports(NetworkPolicyIngressRule rule) {
        Set<String> ports = new TreeSet<>();
        rule.getPorts().forEach(p -> ports.add(p.getPort().getIntVal() + "/" + p.getProtocol()));
        return ports;
    }

    @Test
    void networkPolicyOpensSqlToClientsGaleraAndStatusToThePeersAndMetricsToPrometheusOnly() {
        NetworkPolicy policy = manifest.one(NetworkPolicy.class, "galera");
        Map<String, String> selector = sts.getSpec().getSelector().getMatchLabels();
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEqualTo(selector);
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();
        assertThat(rules).hasSize(3);

        assertThat(rules.get(0).getFrom()).as("3306 from any client").isNullOrEmpty();
        assertThat(ports(rules.get(0))).containsExactly("3306/TCP");

        assertThat(rules.get(1).getFrom()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector()).as("this namespace only").isNull();
            assertThat(peer.getIpBlock()).isNull();
            assertThat(peer.getPodSelector().getMatchLabels()).as("the StatefulSet's own pods").isEqualTo(selector);
        });
        assertThat(ports(rules.get(1))).containsExactlyInAnyOrder("4567/TCP", "4568/TCP", "4444/TCP", "9800/TCP");

        NetworkPolicyPeer prometheus = rules.get(2).getFrom().getFirst();
        assertThat(rules.get(2).getFrom()).hasSize(1);
        assertThat(prometheus.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app.kubernetes.io/name", "prometheus"));
        assertThat(ports(rules.get(2))).containsExactly("9800/TCP");

        // every port a container listens on is in the policy, or Galera or the agent would be cut off
        Set<Integer> open = new TreeSet<>();
        rules.forEach(r -> r.getPorts().forEach(p -> open.add(p.getPort().getIntVal())));
        Set<Integer> listening = new TreeSet<>();
        pod.getContainers().forEach(c -> c.getPorts().forEach(p -> listening.add(p.getContainerPort())));
        assertThat(open).isEqualTo(listening);
        assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("prometheus.io/port", "9800");
    }
}
