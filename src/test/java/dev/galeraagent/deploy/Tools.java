package dev.galeraagent.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Command-line tools that some deploy tests run (promtool, kubectl). scripts/install-deps.sh installs them;
 * scripts/test.sh (and so CI) then sets GALERA_AGENT_DEPS_INSTALLED=1, and a missing tool fails the test. Run
 * on their own, without it, the tests skip and say what to install.
 */
final class Tools {
    private Tools() {
    }

    /** {@code name} from {@code override} (an environment variable naming a binary) or from PATH. */
    static Path required(String name, String override, String debianPackage) {
        Optional<Path> found = Optional.ofNullable(System.getenv(override)).filter(s -> !s.isBlank()).map(Path::of)
                .or(() -> onPath(name));
        if (found.isPresent()) {
            return found.get();
        }
        String why = name + " is not installed: scripts/install-deps.sh installs it (Debian package " + debianPackage + ")";
        if ("1".equals(System.getenv("GALERA_AGENT_DEPS_INSTALLED"))) {
            throw new AssertionError(why + ", and it ran");
        }
        assumeTrue(false, why);
        return null;
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
