package dev.galeraagent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.testing.LocalMariaDb;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The two images: what they are built from, what they contain, and what they run. */
class DockerfileTest {
    /** Where issue 2's packaging puts the launcher inside target/agent/. */
    static final String LAUNCHER_IN_PACKAGE = "bin/agent";

    @Test
    void installImageIsBuiltWithTheMavenWrapperOnTemurin25AndShipsOnlyThePackagedAgent() throws IOException {
        Dockerfile d = Dockerfile.load("docker/install/Dockerfile");
        List<Dockerfile.Stage> stages = d.stages();
        assertThat(stages).hasSize(2);
        assertThat(stages.getFirst().image()).startsWith("eclipse-temurin:25.").contains("-jdk");
        assertThat(d.all("RUN")).anySatisfy(run -> assertThat(run.arguments()).contains("./mvnw").contains(" package"));
        List<Dockerfile.Instruction> copies = d.finalStage().stream().filter(i -> i.keyword().equals("COPY")).toList();
        assertThat(copies).as("the final stage copies only the packaged agent").hasSize(1);
        assertThat(copies.getFirst().arguments()).startsWith("--from=" + stages.getFirst().name() + " ").contains("/target/agent/ ");
        assertThat(d.finalStage()).extracting(Dockerfile.Instruction::keyword).doesNotContain("RUN", "ADD");
    }

    @Test
    void installImageEntrypointIsAValidAgentInstallCommandRunningThePackagedLauncher() throws IOException {
        Dockerfile d = Dockerfile.load("docker/install/Dockerfile");
        List<String> entrypoint = d.entrypoint();
        String copy = d.finalStage().stream().filter(i -> i.keyword().equals("COPY")).findFirst().orElseThrow().arguments();
        String destination = copy.substring(copy.lastIndexOf(' ') + 1);
        assertThat(entrypoint.getFirst()).isEqualTo(destination + LAUNCHER_IN_PACKAGE);
        List<String> args = entrypoint.subList(1, entrypoint.size());
        assertThat(args).containsExactly("install", "--to", "/work-dir");
        AgentCli.check(args);
    }

    @Test
    void installImageRunsAsANonRootUser() throws IOException {
        List<Dockerfile.Instruction> users = Dockerfile.load("docker/install/Dockerfile").finalStage().stream()
                .filter(i -> i.keyword().equals("USER")).toList();
        assertThat(users).isNotEmpty();
        String user = users.getLast().arguments().split(":")[0];
        assertThat(user).isNotIn("0", "root");
        assertThat(user).as("numeric, so that runAsNonRoot can verify it").matches("\\d+");
    }

    @Test
    void bootstrapImageIsTheOfficialMariaDbImageWithNothingAddedAndItsOwnEntrypoint() throws IOException {
        Dockerfile d = Dockerfile.load("docker/bootstrap/Dockerfile");
        assertThat(d.stages()).hasSize(1);
        assertThat(d.finalBase()).startsWith("mariadb:10.11.");
        assertThat(d.instructions()).extracting(Dockerfile.Instruction::keyword)
                .as("nothing installed, and the official entrypoint kept for the mariadb container")
                .doesNotContain("RUN", "ADD", "COPY", "ENTRYPOINT", "CMD", "USER");
    }

    /**
     * Every test runs Debian 12's mariadbd (and scripts/test-images.sh builds the MariaDB stand-in from
     * it): the image the manifest pins must be of that series, not one nobody tested. The patch
     * release may differ once Debian ships a newer one; the series may not.
     */
    @Test
    void bootstrapImageIsOfTheMariaDbSeriesTheTestsRun() throws Exception {
        assumeTrue(LocalMariaDb.installed(), "Debian's mariadb-server is not installed");
        Process p = new ProcessBuilder(LocalMariaDb.MARIADBD.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        Matcher version = Pattern.compile("Ver (\\d+\\.\\d+)\\.\\d+-MariaDB").matcher(out);
        assertThat(version.find()).as(out).isTrue();
        assertThat(Dockerfile.load("docker/bootstrap/Dockerfile").finalBase()).startsWith("mariadb:" + version.group(1) + ".");
    }

    @Test
    void everyBaseImageIsPinnedToAVersion() throws IOException {
        for (String file : List.of("docker/install/Dockerfile", "docker/bootstrap/Dockerfile")) {
            for (String image : Dockerfile.load(file).baseImages()) {
                assertThat(Dockerfile.isPinned(image)).as("%s: FROM %s", file, image).isTrue();
            }
        }
    }

    @Test
    void pinningRuleRejectsLatestBareMajorsAndUntaggedImages() {
        assertThat(Dockerfile.isPinned("mariadb")).isFalse();
        assertThat(Dockerfile.isPinned("mariadb:latest")).isFalse();
        assertThat(Dockerfile.isPinned("mariadb:11.4")).isFalse();
        assertThat(Dockerfile.isPinned("eclipse-temurin:25-jdk")).isFalse();
        assertThat(Dockerfile.isPinned("debian:12-slim")).isFalse();
        assertThat(Dockerfile.isPinned("localhost:5000/mariadb")).isFalse();
        assertThat(Dockerfile.isPinned("mariadb:11.4.10")).isTrue();
        assertThat(Dockerfile.isPinned("debian:12.12-slim")).isTrue();
        assertThat(Dockerfile.isPinned("localhost:5000/galera-agent/install:0.1.0")).isTrue();
        assertThat(Dockerfile.isPinned("mariadb@sha256:" + "0".repeat(64))).isTrue();
    }

    @Test
    void dockerignoreKeepsBuildOutputAndGitOutButSendsTheSources() throws IOException {
        List<String> ignored = Files.readAllLines(Manifest.projectRoot().resolve(".dockerignore"), StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains("target", ".git");
        assertThat(ignored).doesNotContain("src", "pom.xml", "mvnw", ".mvn", "*");
    }
}
