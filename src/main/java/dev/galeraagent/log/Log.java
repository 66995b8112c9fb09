package dev.galeraagent.log;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent's log: one line per event on stderr, {@code 2026-11-26T10:00:00.123Z LEVEL [mode] message}, or with
 * {@link Format#JSON} one JSON object per line ({@code time}, {@code level}, {@code logger}, {@code message}) for log
 * collectors that parse fields. Logs say what was decided and why; they never carry secrets.
 */
public final class Log {
    /** How each line is written. */
    public enum Format { PLAIN, JSON }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static volatile boolean debug;
    private static volatile Format format = Format.PLAIN;
    private static volatile PrintStream out = System.err;

    private final String name;

    private Log(String name) {
        this.name = name;
    }

    public static Log of(String name) {
        return new Log(name);
    }

    public static void setDebug(boolean on) {
        debug = on;
    }

    public static void setFormat(Format f) {
        format = f;
    }

    /** Redirects every logger (tests capture the log this way). */
    public static void setOutput(PrintStream stream) {
        out = stream;
    }

    public void info(String msg) {
        emit("INFO ", msg);
    }

    public void warn(String msg) {
        emit("WARN ", msg);
    }

    public void error(String msg) {
        emit("ERROR", msg);
    }

    /** An error the code did not expect: the line, then the stack trace, so a bug can be found from the log alone. */
    public void error(String msg, Throwable cause) {
        PrintStream o = out;
        synchronized (o) {
            emit("ERROR", msg + ": " + cause);
            cause.printStackTrace(o);
        }
    }

    public void debug(String msg) {
        if (debug) {
            emit("DEBUG", msg);
        }
    }

    private void emit(String level, String msg) {
        String time = TIME.format(Instant.now());
        switch (format) {
            case PLAIN -> out.println(time + " " + level + " [" + name + "] " + msg);
            case JSON -> {
                Map<String, String> line = new LinkedHashMap<>();
                line.put("time", time);
                line.put("level", level.strip());
                line.put("logger", name);
                // a message with a newline (a multi-line reason) stays on one line: JSON escapes it
                line.put("message", msg);
                out.println(JSON.writeValueAsString(line));
            }
        }
    }
}
