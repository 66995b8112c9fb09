package dev.galeraagent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.testing.Hostile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/** A kubeconfig given with --kubeconfig: a client configuration, or an ENVIRONMENT error on one line that never quotes the file. */
class KubeconfigPropertyTest {
    static final String VALID = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {token: s3cr3t-token}
            contexts:
            - name: x
              context: {cluster: c, user: u, namespace: ns}
            current-context: x
            """;

    private Path dir;

    @BeforeProperty
    void makeDir() throws Exception {
        dir = Files.createTempDirectory("kubeconfig-property");
    }

    @AfterProperty
    void removeDir() throws Exception {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Provide
    Arbitrary<String> kubeconfigs() {
        return Arbitraries.oneOf(Hostile.text(4096), Hostile.mutationsOf(VALID),
                // YAML's own bombs: aliases that multiply, deep nesting
                Arbitraries.integers().between(1, 9).map(n -> "a: &a [x,x,x,x,x,x,x,x,x]\n" + "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n".repeat(n)),
                Arbitraries.integers().between(1, 20_000).map(n -> "[".repeat(n) + "]".repeat(n)));
    }

    @Property(tries = 150)
    void anyFileIsAConfigOrAnEnvironmentErrorThatDoesNotQuoteIt(@ForAll("kubeconfigs") String content) throws Exception {
        Path file = Files.write(dir.resolve("config"), content.getBytes(StandardCharsets.UTF_8));
        long started = System.nanoTime();
        try {
            assertThat(KubeClients.config(Optional.of(file), Duration.ofSeconds(5))).isNotNull();
        } catch (AgentException e) {
            assertThat(e.exitCode()).isEqualTo(ExitCode.ENVIRONMENT);
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("s3cr3t");
        }
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms for %d characters", content.length()).isLessThan(5000);
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.oneOf(Hostile.text(300), Arbitraries.of("", "/", "/dev/zero", "/proc/self/mem", "/nonexistent", ".", "\u0000", "a\u0000b"));
    }

    @Property(tries = 200)
    void anyPathIsReadOrAnEnvironmentErrorOnOneLine(@ForAll("paths") String path) {
        Path p;
        try {
            p = Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            return; // picocli and the commands turn such a string into a usage error before it gets here (BootstrapCommandTest)
        }
        try {
            KubeClients.config(Optional.of(p), Duration.ofSeconds(5));
        } catch (AgentException e) {
            assertThat(e.exitCode()).isEqualTo(ExitCode.ENVIRONMENT);
            assertThat(e.getMessage()).doesNotContain("\n");
        }
    }
}
