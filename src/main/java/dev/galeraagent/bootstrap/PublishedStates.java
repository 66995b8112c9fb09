package dev.galeraagent.bootstrap;

import dev.galeraagent.status.Phase;
import dev.galeraagent.status.PublishedState;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Builds what this pod publishes about itself (its published state, and {@code last_decision} in /status). */
public final class PublishedStates {
    private PublishedStates() {
    }

    /** Phases a running {@code agent bootstrap} publishes before it has decided to start mysqld. */
    static final Set<Phase> ELECTION_PHASES = EnumSet.of(Phase.INSPECTING, Phase.WAITING, Phase.REFUSED);

    /**
     * True when the state is fit for the election as it stands: its pod's {@code agent bootstrap} is still running, so
     * the seqno is what the data directory holds now. After a pod decided, its mysqld ran and went on committing: the
     * state it published then names an older seqno than its data, so the election takes it as a lower bound only
     * (found by e2e scenario S9).
     */
    public static boolean current(PublishedState s) {
        return Phase.of(s.phase()).filter(ELECTION_PHASES::contains).isPresent();
    }

    /** {@code plan} is empty before the first decision; {@code run} identifies this agent bootstrap run. */
    public static PublishedState of(int ordinal, LocalState local, Optional<Plan> plan, Optional<ForcedBootstrap> forced, Instant now,
                                    String version, String run, String podUid) {
        String phase = plan.map(p -> switch (p) {
            case Plan.Wait w -> Phase.WAITING;
            case Plan.Refuse r -> Phase.REFUSED;
            case Plan.NewCluster n -> Phase.DECIDED;
            case Plan.BootstrapFromHere b -> Phase.DECIDED;
            case Plan.Join j -> Phase.DECIDED;
        }).orElse(Phase.INSPECTING).wire();
        List<String> reasons = plan.map(Plan::reasons).orElse(List.of());
        String decision = plan.map(Plan::name).orElse(null);
        Integer forcedFrom = forced.map(ForcedBootstrap::ordinal).orElse(null);
        return switch (local) {
            case LocalState.Empty e -> new PublishedState(ordinal, phase, true, null, -1, false, false, decision, reasons,
                    forcedFrom, now.toString(), version, run, podUid, e.kind() == LocalState.NoHistory.CUT_OFF_SST);
            case LocalState.State s -> new PublishedState(ordinal, phase, false, s.position().uuid().toString(), s.position().seqno(), s.seqnoRecovered(),
                    s.safeToBootstrap(), decision, reasons, forcedFrom, now.toString(), version, run, podUid, false);
        };
    }
}
