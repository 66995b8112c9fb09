package dev.galeraagent.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.status.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged agent (target/agent, made by {@code ./mvnw package}) installed and run as a pod would. */
class PackagingIT {
    private static final Path AGENT = Path.of("target/agent").toAbsolutePath();

    @TempDir
    Path tmp;

    record Result(int exitCode, String stdout, String stderr) {
    }

    @BeforeAll
    static void packaged() {
        assertThat(AGENT.resolve("bin/agent")).as("run ./mvnw package first").isExecutable();
    }

    /** Runs a command with exactly the given environment (nothing inherited: no PATH, no JAVA_HOME). */
    private Result run(List<String> env, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "-i"));
        cmd.addAll(env);
        cmd.addAll(List.of(command));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(), command);
    }

    /** The modes that have an AOT cache in the package (a mode not built yet has none). */
    private static List<String> cachedModes(Path home) throws IOException {
        try (Stream<Path> caches = Files.list(home.resolve("aot"))) {
            return caches.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".aot"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        }
    }

    private Path installed() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(tmp.resolve("work-dir"));
        Result install = run(AGENT.resolve("bin/agent").toString(), "install", "--to", dir.toString());
        assertThat(install.exitCode()).as(install.stderr()).isZero();
        assertThat(install.stdout()).matches("installed agent " + Version.get() + " into " + dir + ": \\d+ files, \\d+ bytes, \\d+ ms\\n");
        return dir;
    }

    @Test
    void theInstalledAgentRunsWithAnEmptyEnvironmentAndNoJava() throws Exception {
        Path dir = installed();
        Path emptyPath = Files.createDirectories(tmp.resolve("empty-path"));
        assertThat(run(List.of("PATH=" + emptyPath), "/bin/sh", "-c", "command -v java").exitCode()).as("no java on this PATH").isNotZero();

        for (List<String> env : List.of(List.<String>of(), List.of("PATH=" + emptyPath))) {
            Result version = run(env, dir.resolve("agent").toString(), "--version");

            assertThat(version.exitCode()).as(env + ": " + version.stderr()).isZero();
            assertThat(version.stdout()).startsWith("agent " + Version.get() + "\n");
            assertThat(version.stderr()).isEmpty();
        }
    }

    @Test
    void installingTheSameVersionAgainIsANoOp() throws Exception {
        Path dir = installed();

        Result again = run(dir.resolve("agent").toString(), "install", "--to", dir.toString());

        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.stdout()).startsWith("agent " + Version.get() + " is already installed in " + dir);
    }

    @Test
    void everyCacheIsUsableBothPackagedAndInstalled() throws Exception {
        Path dir = installed();
        List<String> modes = cachedModes(AGENT);
        assertThat(modes).as("the install mode always has a cache").contains("install");
        // the copy holds every cache but the install mode's (Installer.NOT_COPIED): install runs from the image only
        assertThat(cachedModes(dir.resolve("agent-home"))).containsExactlyElementsOf(modes.stream().filter(m -> !m.equals("install")).toList());
        for (Path home : List.of(AGENT, dir.resolve("agent-home"))) {
            Path launcher = home.resolve("bin/agent");
            for (String mode : cachedModes(home)) {
                // AOTMode=on: a cache that does not match the runtime, classpath or jars is an error, not a silent slow start
                Result r = run(List.of("AGENT_JAVA_OPTIONS=-XX:AOTMode=on"), launcher.toString(), mode, "--help");
                assertThat(r.exitCode()).as(launcher + " " + mode + " with its AOT cache: " + r.stderr()).isZero();
            }
        }
        Result version = run(List.of("AGENT_JAVA_OPTIONS=-XX:AOTMode=on"), AGENT.resolve("bin/agent").toString(), "--version");
        assertThat(version.exitCode()).as("--version with the install cache: " + version.stderr()).isZero();
    }

    @Test
    void aCacheForAnotherRuntimeFailsLoudlyWithAotModeOn() throws Exception {
        Path dir = installed();
        // as if the runtime had been rebuilt (another JDK) while the caches stayed: its modules file differs
        Path modules = dir.resolve("agent-home/runtime/lib/modules");
        Files.write(modules, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);

        Result r = run(List.of("AGENT_JAVA_OPTIONS=-XX:AOTMode=on"), dir.resolve("agent").toString(), "bootstrap", "--help");

        assertThat(r.exitCode()).as("the cache must be refused").isNotZero();
        assertThat(r.stdout() + r.stderr()).contains("Unable to use AOT cache");
    }

    @Test
    void everyCacheWasTrainedWithTheJarsAndRuntimeItShipsWith() throws Exception {
        // JDK 25.0.3 does not notice a changed jar (JDK-8377932): the build records what it trained with
        Manifest trainedWith = Manifest.parse(Files.readAllBytes(AGENT.resolve("aot/trained-with.sha256")));
        assertThat(trainedWith.entries()).extracting(Manifest.Entry::path).contains("lib/galera-agent.jar", "runtime/lib/modules");
        List<String> jars;
        try (Stream<Path> list = Files.list(AGENT.resolve("lib"))) {
            jars = list.map(p -> "lib/" + p.getFileName()).sorted().toList();
        }
        assertThat(trainedWith.entries()).extracting(Manifest.Entry::path).containsAll(jars);
        for (Manifest.Entry e : trainedWith.entries()) {
            assertThat(Manifest.sha256(AGENT.resolve(e.path()))).as("stale AOT cache: " + e.path() + " changed after training").isEqualTo(e.sha256());
        }
    }

    @Test
    void theLauncherFindsItsHomeThroughASymlink() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("agent"), AGENT.resolve("bin/agent"));

        Result r = run(link.toString(), "--version");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("agent " + Version.get());
    }

    @Test
    void theJlinkedRuntimeHasEveryModuleTheLibrariesNeed() throws Exception {
        List<String> classpath = new ArrayList<>();
        try (Stream<Path> jars = Files.list(AGENT.resolve("lib"))) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> classpath.add(p.toString()));
        }
        classpath.add(Path.of("target/test-classes").toAbsolutePath().toString());

        Result r = run(AGENT.resolve("runtime/bin/java").toString(), "-cp", String.join(":", classpath), RuntimeSmoke.class.getName());

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("runtime smoke: ok\n");
    }

    @Test
    void theManifestListsEveryFileWithItsChecksum() throws Exception {
        Manifest manifest = Manifest.read(AGENT);
        Manifest fresh = Manifest.of(AGENT);
        assertThat(fresh.entries()).isEqualTo(manifest.entries());
        assertThat(manifest.entries()).extracting(Manifest.Entry::path).contains("bin/agent", "lib/galera-agent.jar", "runtime/bin/java", "aot/install.aot");
        // sha256sum understands it too
        Result check = run(List.of(), "/bin/sh", "-c", "cd '" + AGENT + "' && /usr/bin/sha256sum --quiet -c " + Manifest.FILE_NAME);
        assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();
        assertThat(new String(manifest.bytes(), StandardCharsets.UTF_8)).doesNotContain(Manifest.FILE_NAME);
    }

    /** Issue 11: the copy leaves out the install cache (23 of 150 MB), verifies, and runs every mode a pod runs from it. */
    @Test
    void theInstalledCopyHasNoInstallCacheVerifiesAndRunsEveryModeAPodNeedsWithItsCache() throws Exception {
        Path dir = installed();
        Path copy = dir.resolve("agent-home").toRealPath();

        assertThat(copy.resolve("aot/install.aot")).doesNotExist();
        assertThat(AGENT.resolve("aot/install.aot")).as("the install image keeps it").exists();
        Result check = run(List.of(), "/bin/sh", "-c", "cd '" + copy + "' && /usr/bin/sha256sum --quiet --strict -c " + Manifest.FILE_NAME);
        assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();
        assertThat(Manifest.of(copy).bytes()).as("the copy's manifest lists exactly its files").isEqualTo(Manifest.read(copy).bytes());
        // the modes k8s/galera-statefulset.yaml runs from /work-dir/agent, and agent status (kubectl galera status)
        for (String mode : List.of("bootstrap", "prepare-start", "probe", "status")) {
            Result r = run(List.of("AGENT_JAVA_OPTIONS=-XX:AOTMode=on"), dir.resolve("agent").toString(), mode, "--help");
            assertThat(r.exitCode()).as(mode + " from the copy, with its AOT cache: " + r.stderr()).isZero();
        }
        Result version = run(List.of(), dir.resolve("agent").toString(), "--version");
        assertThat(version.exitCode()).as("--version from the copy runs without the install cache: " + version.stderr()).isZero();
        assertThat(version.stderr()).isEmpty();
    }
    /**
     * Issue 11: bootstrap and prepare-start run from caches trained on their real work (src/build/train-aot.sh), so a pod's
     * bootstrap loads the Kubernetes client from its cache and prepare-start loads none of the agent's classes from a jar.
     */
    @Test
    void bootstrapAndPrepareStartInAPodLoadTheirClassesFromCachesTrainedOnTheirRealWork() throws Exception {
        Path dir = installed();
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path conf = Files.createDirectories(tmp.resolve("conf"));
        Path loads = tmp.resolve("class-load.txt");
        List<String> env = List.of("AGENT_JAVA_OPTIONS=-XX:AOTMode=on -Xlog:class+load=info:file=" + loads, "AGENT_DATADIR=" + data,
                "AGENT_CONFIG_DIR=" + conf, "AGENT_STATUS_PORT=0", "KUBECONFIG=" + tmp.resolve("no-such-kubeconfig"),
                "POD_NAME=galera-0", "POD_NAMESPACE=default");

        // no API here: the run fails once it asks for the StatefulSet, after the client is built
        run(env, dir.resolve("agent").toString(), "bootstrap", "--dry-run", "--replicas", "1");
        assertThat(Files.readAllLines(loads)).as("bootstrap's cache holds the Kubernetes client")
                .anyMatch(l -> l.contains(" io.fabric8.kubernetes.client.KubernetesClientBuilder source: shared objects file"));

        Result prepare = run(env, dir.resolve("agent").toString(), "prepare-start");
        assertThat(prepare.exitCode()).as(prepare.stderr()).isZero();
        List<String> agentClasses = Files.readAllLines(loads).stream().filter(l -> l.contains(" dev.galeraagent.")).toList();
        assertThat(agentClasses).as("prepare-start loads its own classes").anyMatch(l -> l.contains("PrepareStart source:"));
        assertThat(agentClasses).as("prepare-start's cache holds every class of the agent it loads")
                .allMatch(l -> l.endsWith("source: shared objects file"));
        assertThat(Files.readString(AGENT.resolve("aot/trained-on.txt")))
                .contains("bootstrap: agent bootstrap (exit 0), against the training cluster")
                .contains("prepare-start: agent prepare-start (exit 0), on the hand-off of the bootstrap training run");
    }
    /** Issue 11: install hashes the whole copy, and only C2 uses the CPU's SHA instructions; the other short-lived modes stay on C1. */
    @Test
    void installRunsWithC2AndTheOtherShortLivedModesWithC1Only() throws Exception {
        List<String> env = List.of("AGENT_JAVA_OPTIONS=-XX:+PrintFlagsFinal");

        Result install = run(env, AGENT.resolve("bin/agent").toString(), "install", "--dry-run", "--to", tmp.toString());
        Result bootstrap = run(env, AGENT.resolve("bin/agent").toString(), "bootstrap", "--help");

        assertThat(install.exitCode()).as(install.stderr()).isZero();
        assertThat(install.stdout()).containsPattern("intx TieredStopAtLevel += 4 ");
        assertThat(bootstrap.exitCode()).as(bootstrap.stderr()).isZero();
        assertThat(bootstrap.stdout()).containsPattern("intx TieredStopAtLevel += 1 ");
    }
}
