package dev.galeraagent.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The mock API server as the kube tests use it, in one place: a fresh server (CRUD mode, on {@code address}) and a
 * kubeconfig for namespace {@code namespace} before each test, closed and removed after it, even when the test fails.
 * Register with {@code @RegisterExtension}; its set-up runs before the test's own {@code @BeforeEach}, its tear-down after
 * the test's {@code @AfterEach}, so a test may still close its clients there.
 */
final class MockKubeServer implements BeforeEachCallback, AfterEachCallback {
    private final String address;
    private final String namespace;
    private MockKube mock;
    private Path dir;
    private Path kubeconfig;

    MockKubeServer(String address, String namespace) {
        this.address = address;
        this.namespace = namespace;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("mock-kube");
        mock = MockKube.start(address, 0);
        kubeconfig = mock.writeKubeconfig(dir, namespace);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (mock != null) {
                mock.close();
            }
        } finally {
            deleteTree(dir);
        }
    }

    MockKube mock() {
        return mock;
    }

    /** A kubeconfig naming the server and the namespace. */
    Path kubeconfig() {
        return kubeconfig;
    }

    private static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
