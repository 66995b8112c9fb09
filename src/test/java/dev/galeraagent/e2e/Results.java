package dev.galeraagent.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-scenario figures, kept in {@code target/e2e-results.md} as one Markdown table: a scenario
 * run again replaces its row, others stay, so runs of single test classes add up to one table.
 */
public final class Results {
    public static final Path FILE = Path.of("target", "e2e-results.md");
    private static final String HEADER = """
            # End-to-end results

            Written by the e2e tests (`dev.galeraagent.e2e`); times in seconds from the scenario's start,
            measured on this machine. Rows written: rows whose INSERT was acknowledged to the writer;
            rows lost: acknowledged rows missing on any pod afterwards.

            | scenario | steps | time to Primary | time to all Synced | decision | rows written | rows lost | note |
            |---|---|---|---|---|---|---|---|
            """;

    /** One scenario's figures. {@code toPrimary} / {@code toAllSynced} are null where they do not apply. */
    public record Row(String scenario, String steps, Duration toPrimary, Duration toAllSynced, String decision,
                      long rowsWritten, long rowsLost, String note) {
        String render() {
            return "| " + cell(scenario) + " | " + cell(steps) + " | " + secs(toPrimary) + " | " + secs(toAllSynced) + " | "
                    + cell(decision) + " | " + rowsWritten + " | " + rowsLost + " | " + cell(note) + " |";
        }
    }

    private Results() {}

    public static synchronized void record(Row row) throws IOException {
        Map<String, String> rows = new TreeMap<>();
        if (Files.exists(FILE)) {
            for (String line : Files.readAllLines(FILE)) {
                if (line.startsWith("| ") && !line.startsWith("| scenario ")) {
                    rows.put(line.substring(2, line.indexOf(" |", 2)), line);
                }
            }
        }
        rows.put(cell(row.scenario()), row.render());
        Files.createDirectories(FILE.getParent());
        Files.writeString(FILE, HEADER + String.join("\n", rows.values()) + "\n");
        System.out.println("[e2e results] " + row.render());
    }

    static String secs(Duration d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "/").replace("\n", " ");
    }
}
