package dev.galeraagent.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a pod's start went, read back from its log directory after a scenario: the harness's container start lines
 * ({@code === <instant> start <container>}), the agent's own log lines (millisecond timestamps, the bootstrap's summary
 * line with its phases) and mariadbd's error log (whole seconds: its Primary and Synced are known to within one second).
 * Everything is relative to {@code t0}, the scenario's outage or start, and taken from the pod's first start after it.
 */
record Timeline(String pod, Instant t0, Map<Milestone, Instant> at, Map<String, Duration> bootstrapPhases, String decision) {
    static final Path FILE = Path.of("target", "e2e-timeline.md");

    /** The moments read, in the order a pod goes through them. */
    enum Milestone {
        /** the install init container starts: the pod's start as the kubelet sees it */
        POD_START,
        /** the install container exited and the bootstrap container starts */
        BOOTSTRAP_START,
        /** {@code agent bootstrap} begins its run: its JVM, picocli and the API connection are behind it */
        AGENT_RUN,
        /** the summary line: the decision made and the config written */
        CONFIG_WRITTEN,
        /** the bootstrap container exited and the mariadb container starts */
        MARIADB_START,
        /** {@code agent prepare-start} printed its line: mariadbd is exec'd right after */
        MARIADBD_EXEC,
        /** mariadbd's first "primary = yes" component (error log, whole seconds) */
        PRIMARY,
        /** mariadbd's "Synchronized with group" or "-> SYNCED" (error log, whole seconds) */
        SYNCED
    }

    private static final Pattern CONTAINER_START = Pattern.compile("^=== (\\S+) start (\\S+)$");
    private static final Pattern AGENT_LINE = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) ");
    private static final Pattern ERROR_LOG_LINE = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d +\\d?\\d:\\d\\d:\\d\\d) ");
    private static final Pattern SUMMARY = Pattern.compile("bootstrap summary: decision=(\\S+) total=([0-9.]+)s(.*)$");
    private static final Pattern PHASE = Pattern.compile(" (\\w+)=([0-9.]+)s");
    private static final DateTimeFormatter ERROR_LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd H:mm:ss");

    /** Reads the pod's logs; a milestone its logs do not show is left out. */
    static Timeline of(Pod pod, Instant t0) throws IOException {
        return read(pod.name(), pod.logDir(), t0);
    }

    static Timeline read(String pod, Path logDir, Instant t0) throws IOException {
        Map<Milestone, Instant> at = new LinkedHashMap<>();
        Instant podStart = containerStart(logDir, "install", t0);
        if (podStart == null) {
            return new Timeline(pod, t0, at, Map.of(), null);
        }
        at.put(Milestone.POD_START, podStart);
        Instant bootstrap = containerStart(logDir, "bootstrap", podStart);
        put(at, Milestone.BOOTSTRAP_START, bootstrap);
        Map<String, Duration> phases = new LinkedHashMap<>();
        String decision = null;
        if (bootstrap != null) {
            for (String line : lines(logDir.resolve("bootstrap.log"))) {
                Matcher time = AGENT_LINE.matcher(line);
                Matcher m = SUMMARY.matcher(line);
                if (!time.find() || !m.find()) {
                    continue;
                }
                Instant written = Instant.parse(time.group(1));
                if (written.isBefore(bootstrap)) {
                    continue;
                }
                decision = m.group(1);
                at.put(Milestone.AGENT_RUN, written.minus(seconds(m.group(2))));
                at.put(Milestone.CONFIG_WRITTEN, written);
                Matcher p = PHASE.matcher(m.group(3));
                while (p.find()) {
                    phases.put(p.group(1), seconds(p.group(2)));
                }
                if (!"WAIT".equals(decision) && !"NONE".equals(decision)) {
                    break; // a run that gave up is retried by the kubelet: the run that decided is the one to read
                }
            }
        }
        Instant mariadb = containerStart(logDir, "mariadb", bootstrap == null ? podStart : bootstrap);
        put(at, Milestone.MARIADB_START, mariadb);
        if (mariadb != null) {
            Instant exec = firstAgentLine(logDir.resolve("mariadb.log"), mariadb, l -> l.contains("[prepare-start]"));
            put(at, Milestone.MARIADBD_EXEC, exec);
            putPrimaryAndSynced(at, logDir, exec != null ? exec : mariadb);
        }
        return new Timeline(pod, t0, at, phases, decision);
    }

    /** Seconds from {@code from} to {@code to}, or null when either is unknown. */
    Duration between(Milestone from, Milestone to) {
        Instant a = at.get(from);
        Instant b = at.get(to);
        return a == null || b == null ? null : Duration.between(a, b);
    }

    Duration since(Milestone m) {
        Instant i = at.get(m);
        return i == null ? null : Duration.between(t0, i);
    }

    Duration phase(String... names) {
        Duration d = null;
        for (String n : names) {
            Duration p = bootstrapPhases.get(n);
            if (p != null) {
                d = d == null ? p : d.plus(p);
            }
        }
        return d;
    }

    static final String HEADER = "| pod | decision | pod start | install | bootstrap JVM + API | identity + DNS | recover | election"
            + " | Lease | publish | config | to mariadb start | prepare-start | mariadbd to Primary | Primary to Synced | Primary at | Synced at |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

    /** One table row: durations of each phase, then Primary and Synced as times since t0, in seconds. */
    String row() {
        return "| " + pod + " | " + (decision == null ? "-" : decision) + " | " + secs(since(Milestone.POD_START))
                + " | " + secs(between(Milestone.POD_START, Milestone.BOOTSTRAP_START))
                + " | " + secs(between(Milestone.BOOTSTRAP_START, Milestone.AGENT_RUN))
                + " | " + secs(phase("identity", "dns")) + " | " + secs(phase("recover")) + " | " + secs(phase("election"))
                + " | " + secs(phase("lease")) + " | " + secs(phase("publish")) + " | " + secs(phase("config"))
                + " | " + secs(between(Milestone.CONFIG_WRITTEN, Milestone.MARIADB_START))
                + " | " + secs(between(Milestone.MARIADB_START, Milestone.MARIADBD_EXEC))
                + " | " + secs(between(Milestone.MARIADBD_EXEC, Milestone.PRIMARY))
                + " | " + secs(between(Milestone.PRIMARY, Milestone.SYNCED))
                + " | " + secs(since(Milestone.PRIMARY)) + " | " + secs(since(Milestone.SYNCED)) + " |";
    }

    /**
     * Writes every pod's row under the scenario's heading in {@link #FILE}; a scenario run again replaces its section,
     * others stay, as {@link Results} does for its table.
     */
    static synchronized List<Timeline> record(String scenario, Cluster c, Instant t0) throws IOException {
        List<Timeline> all = new ArrayList<>();
        StringBuilder section = new StringBuilder("## " + scenario + "\n\n" + HEADER);
        for (int i : c.ordinals()) {
            Timeline t = of(c.pod(i), t0);
            all.add(t);
            section.append(t.row()).append('\n');
        }
        Map<String, String> sections = new LinkedHashMap<>();
        if (Files.exists(FILE)) {
            String text = Files.readString(FILE);
            for (String s : text.split("(?m)^(?=## )")) {
                if (s.startsWith("## ")) {
                    sections.put(s.substring(3, s.indexOf('\n')), s.strip() + "\n");
                }
            }
        }
        sections.put(scenario, section.toString());
        Files.createDirectories(FILE.getParent());
        Files.writeString(FILE, "# Where the time goes, pod by pod\n\nWritten by the e2e tests (`Timeline`); seconds, durations of each phase"
                + " except the last two columns (since the outage or the scenario's start). mariadbd's error log has whole seconds:"
                + " its two columns are known to within 1 s.\n\n" + String.join("\n", sections.values()));
        c.event("timeline " + scenario + ":\n" + section);
        return all;
    }

    private static void put(Map<Milestone, Instant> at, Milestone m, Instant i) {
        if (i != null) {
            at.put(m, i);
        }
    }

    private static Instant containerStart(Path logDir, String container, Instant notBefore) throws IOException {
        for (String line : lines(logDir.resolve(container + ".log"))) {
            Matcher m = CONTAINER_START.matcher(line);
            if (m.matches() && m.group(2).equals(container)) {
                Instant i = Instant.parse(m.group(1));
                if (!i.isBefore(notBefore)) {
                    return i;
                }
            }
        }
        return null;
    }

    private static Instant firstAgentLine(Path log, Instant notBefore, Predicate<String> what) throws IOException {
        for (String line : lines(log)) {
            Matcher m = AGENT_LINE.matcher(line);
            if (m.find() && what.test(line)) {
                Instant i = Instant.parse(m.group(1));
                if (!i.isBefore(notBefore)) {
                    return i;
                }
            }
        }
        return null;
    }

    /**
     * mariadbd writes its local time in whole seconds; the harness runs it in UTC. A line in {@code notBefore}'s own second counts.
     * Before 10:00 the hour has one digit, padded with a space ({@code 2026-12-02  1:44:59}).
     */
    private static Instant firstErrorLogLine(Path log, Instant notBefore, Predicate<String> what) throws IOException {
        Instant floor = notBefore.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        for (String line : lines(log)) {
            Matcher m = ERROR_LOG_LINE.matcher(line);
            if (m.find() && what.test(line)) {
                Instant i = LocalDateTime.parse(m.group(1).replaceAll(" +", " "), ERROR_LOG_TIME).toInstant(ZoneOffset.UTC);
                if (!i.isBefore(floor)) {
                    return i;
                }
            }
        }
        return null;
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.of();
    }

    private static Duration seconds(String s) {
        return Duration.ofNanos(Math.round(Double.parseDouble(s) * 1e9));
    }

    static String secs(Duration d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    /**
     * For pods without the agent ({@link PlainSteps}): only the mariadb container's first start after {@code t0} and
     * mariadbd's Primary and Synced after it, to set against the agent's own mariadbd phases.
     */
    static Timeline ofMariadb(Pod pod, Instant t0) throws IOException {
        Map<Milestone, Instant> at = new LinkedHashMap<>();
        Instant mariadb = containerStart(pod.logDir(), "mariadb", t0);
        put(at, Milestone.MARIADB_START, mariadb);
        if (mariadb != null) {
            putPrimaryAndSynced(at, pod.logDir(), mariadb);
        }
        return new Timeline(pod.name(), t0, at, Map.of(), null);
    }

    /** mariadbd's first Primary component and its first Synced state from {@code from} on, from its error log. */
    private static void putPrimaryAndSynced(Map<Milestone, Instant> at, Path logDir, Instant from) throws IOException {
        Path errorLog = logDir.resolve("error.log");
        put(at, Milestone.PRIMARY, firstErrorLogLine(errorLog, from, l -> l.contains("New COMPONENT: primary = yes")));
        put(at, Milestone.SYNCED, firstErrorLogLine(errorLog, from, l -> l.contains("Synchronized with group") || l.contains("-> SYNCED")));
    }
}
