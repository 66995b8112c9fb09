package dev.galeraagent.bootstrap;

import dev.galeraagent.status.PublishedState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Builds what this pod publishes about itself (Pod annotation, and {@code last_decision} in /status). */
public final class PublishedStates {
    private PublishedStates() {
    }

    /** Phases a running {@code agent bootstrap} publishes before it has decided to start mysqld. */
    static final java.util.Set<String> ELECTION_PHASES = java.util.Set.of("inspecting", "waiting", "refused");

    /**
     * True when the state is fit for the election: its pod's {@code agent bootstrap} is still running, so
     * the seqno is what the data directory holds now. After a pod decided, its mysqld ran and went on
     * committing: the annotation a crashed pod's Pod object still carries from that run names an older
     * seqno than its data, and electing from it could pick a pod with less data (found by e2e scenario S9).
     */
    public static boolean current(PublishedState s) {
        return ELECTION_PHASES.contains(s.phase());
    }

    /** {@code plan} is empty before the first decision. */
    public static PublishedState of(int ordinal, LocalState local, Optional<Plan> plan, Optional<Integer> forcedFrom, Instant now, String version) {
        String phase = plan.map(p -> switch (p) {
            case Plan.Wait w -> "waiting";
            case Plan.Refuse r -> "refused";
            default -> "decided";
        }).orElse("inspecting");
        List<String> reasons = plan.map(Plan::reasons).orElse(List.of());
        String decision = plan.map(Plan::name).orElse(null);
        return switch (local) {
            case LocalState.Empty e -> new PublishedState(ordinal, phase, true, null, -1, false, false, decision, reasons,
                    forcedFrom.orElse(null), now.toString(), version);
            case LocalState.State s -> new PublishedState(ordinal, phase, false, s.uuid().toString(), s.seqno(), s.seqnoRecovered(),
                    s.safeToBootstrap(), decision, reasons, forcedFrom.orElse(null), now.toString(), version);
        };
    }
}
