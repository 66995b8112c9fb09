package dev.galeraagent.probe;

/** The three Kubernetes verdicts for one observation of a node. */
public record Health(Verdict live, Verdict ready, Verdict startup) {

    /** The verdict a probe kind asks for. */
    public Verdict of(ProbeKind kind) {
        return switch (kind) {
            case LIVENESS -> live;
            case READINESS -> ready;
            case STARTUP -> startup;
        };
    }
}
