package dev.galeraagent.probe;

/** The three checks Kubernetes makes, with their HTTP path. */
public enum ProbeKind {
    LIVENESS("/live"),
    READINESS("/ready"),
    STARTUP("/startup");

    private final String path;

    ProbeKind(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }
}
