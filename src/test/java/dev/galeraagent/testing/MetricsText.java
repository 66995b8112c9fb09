package dev.galeraagent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus text exposition as the agent writes it, read back for tests: the metric families it
 * declares, and its samples. The alert-rule fixtures are captures of real scrapes
 * ({@code src/test/resources/monitoring/}); the tests that capture them check that a fresh scrape still
 * declares the same families, so the rules are never tested against metrics the agent no longer writes.
 */
public record MetricsText(String text) {
    private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    /** One sample line: the metric name, its labels as written ({@code {a="b"}} or empty), its value. */
    public record Sample(String name, String labels, String value) {
    }

    public static Path fixture(String name) {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().resolve("src/test/resources/monitoring").resolve(name);
    }

    public static MetricsText read(Path file) throws IOException {
        return new MetricsText(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** The families declared by {@code # TYPE} lines, as {@code name type}. */
    public Set<String> families() {
        Set<String> found = new TreeSet<>();
        Matcher m = TYPE.matcher(text);
        while (m.find()) {
            found.add(m.group(1) + " " + m.group(2));
        }
        return found;
    }

    public List<Sample> samples() {
        List<Sample> found = new ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            found.add(new Sample(m.group(1), m.group(2) == null ? "" : m.group(2), m.group(3)));
        }
        return found;
    }

    /** Writes a fresh capture next to the build's output, to refresh the fixture from when the families change. */
    public Path saveCapture(String name) throws IOException {
        Path out = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().resolve("target/monitoring").resolve(name);
        Files.createDirectories(out.getParent());
        Files.writeString(out, text, StandardCharsets.UTF_8);
        return out;
    }
}
