package dev.galeraagent.kube;

/**
 * The Kubernetes Events the agent records on its own Pod: one per decision, refusal, override, Lease take,
 * release and loss, and bootstrap hand-off. {@code reason} is the Event's {@code reason} field, which people
 * filter on ({@code kubectl get events --field-selector reason=BootstrapRefused}); renaming one breaks them.
 */
public enum EventReason {
    BOOTSTRAP_DECISION("BootstrapDecision", false),
    BOOTSTRAP_WAITING("BootstrapWaiting", false),
    BOOTSTRAP_REFUSED("BootstrapRefused", true),
    BOOTSTRAP_OVERRIDE("BootstrapOverride", true),
    LEASE_TAKEN("LeaseTaken", false),
    LEASE_RELEASED("LeaseReleased", false),
    LEASE_LOST("LeaseLost", true),
    HAND_OFF_COMPLETE("HandOffComplete", false);

    private final String reason;
    private final boolean warning;

    EventReason(String reason, boolean warning) {
        this.reason = reason;
        this.warning = warning;
    }

    /** The Event's {@code reason}. */
    public String reason() {
        return reason;
    }

    /** The Event's {@code type}: {@code Warning} for what a person should look at, else {@code Normal}. */
    public String type() {
        return warning ? "Warning" : "Normal";
    }

    /** True for the reasons that carry a bootstrap decision (what {@code agent status} lists as history). */
    public boolean decision() {
        return this == BOOTSTRAP_DECISION || this == BOOTSTRAP_WAITING || this == BOOTSTRAP_REFUSED || this == BOOTSTRAP_OVERRIDE;
    }
}
