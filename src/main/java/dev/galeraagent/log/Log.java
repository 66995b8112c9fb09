package dev.galeraagent.log;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The agent's log: one line per event on stderr, {@code 2026-11-26T10:00:00.123Z LEVEL [mode] message}.
 * Logs say what was decided and why; they never carry secrets.
 */
public final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static volatile boolean debug;
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
        out.println(TIME.format(Instant.now()) + " " + level + " [" + name + "] " + msg);
    }
}
