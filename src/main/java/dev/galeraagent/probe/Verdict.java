package dev.galeraagent.probe;

import java.util.Objects;

/** One probe's answer: healthy or not, and one line saying why. */
public record Verdict(boolean ok, String reason) {
    public Verdict {
        Objects.requireNonNull(reason, "reason");
        if (reason.contains("\n") || reason.contains("\r")) {
            throw new IllegalArgumentException("a reason is one line: " + reason);
        }
    }

    static Verdict ok(String reason) {
        return new Verdict(true, reason);
    }

    static Verdict no(String reason) {
        return new Verdict(false, reason);
    }
}
