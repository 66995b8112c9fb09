package dev.galeraagent.handoff;

import dev.galeraagent.log.Log;

/** Logs a problem once, not at every run while it lasts; a success in between lets it be said again. */
final class OnceWarnings {
    private final Log log;
    private String last;

    OnceWarnings(Log log) {
        this.log = log;
    }

    void warn(String message) {
        if (!message.equals(last)) {
            log.warn(message);
            last = message;
        }
    }

    void clear() {
        last = null;
    }
}
