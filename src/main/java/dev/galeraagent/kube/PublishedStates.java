package dev.galeraagent.kube;

import dev.galeraagent.status.PublishedState;
import java.util.Objects;

/** Comparisons of {@link PublishedState} that the adapter needs. */
final class PublishedStates {
    private PublishedStates() {
    }

    static boolean sameIgnoringTime(PublishedState a, PublishedState b) {
        return Objects.equals(withoutTime(a), withoutTime(b));
    }

    private static PublishedState withoutTime(PublishedState s) {
        if (s == null) {
            return null;
        }
        return new PublishedState(s.ordinal(), s.phase(), s.empty(), s.uuid(), s.seqno(), s.seqnoRecovered(),
                s.safeToBootstrap(), s.decision(), s.reasons(), s.forcedFrom(), null, s.agentVersion());
    }
}
