package dev.galeraagent.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.galeraagent.position.Position;
import java.util.List;
import java.util.Optional;

/**
 * What a pod publishes about itself for the bootstrap election (rule 4): as the JSON value of
 * the {@value #ANNOTATION} annotation on its own Pod, and as {@code last_decision} in {@code /status}.
 * This record is the one definition of that contract; {@link StatusJson} reads and writes it.
 *
 * @param ordinal           the pod's ordinal in its StatefulSet
 * @param phase             where the agent is: {@code inspecting}, {@code waiting}, {@code decided}, {@code refused}
 * @param empty             true when the data directory holds no Galera state at all
 * @param uuid              cluster state uuid from grastate.dat or the recovered position; null when empty
 * @param seqno             last committed seqno; -1 when unknown
 * @param seqnoRecovered    true when the seqno came from {@code mariadbd --wsrep-recover}
 * @param safeToBootstrap   grastate.dat's {@code safe_to_bootstrap}
 * @param decision          the last plan's name ({@code NEW_CLUSTER}, {@code JOIN}, ...), null before the first
 * @param reasons           the last plan's reasons, as a person reads them
 * @param forcedFrom        the ordinal a person forced with {@code --force-bootstrap-from}, else null
 * @param time              when this was published, ISO-8601 UTC
 * @param agentVersion      the agent's version
 * @param run               a random id of the {@code agent bootstrap} run that published it: a new run is a new id
 * @param podUid            the Pod's uid ({@code POD_UID} from the Downward API), so a state left by a deleted Pod
 *                          is never taken for its successor's; null when not given
 * @param cutOff            true when the data directory holds a cut-off state transfer ({@code empty} is then true
 *                          too): the cluster had data this pod never received whole
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PublishedState(
        @JsonProperty("ordinal") int ordinal,
        @JsonProperty("phase") String phase,
        @JsonProperty("empty") boolean empty,
        @JsonProperty("uuid") String uuid,
        @JsonProperty("seqno") long seqno,
        @JsonProperty("seqno_recovered") boolean seqnoRecovered,
        @JsonProperty("safe_to_bootstrap") boolean safeToBootstrap,
        @JsonProperty("decision") String decision,
        @JsonProperty("reasons") List<String> reasons,
        @JsonProperty("forced_from") Integer forcedFrom,
        @JsonProperty("time") String time,
        @JsonProperty("agent_version") String agentVersion,
        @JsonProperty("run") String run,
        @JsonProperty("pod_uid") String podUid,
        @JsonProperty("cut_off") boolean cutOff) {

    /** The Pod annotation that carries this state as JSON. */
    public static final String ANNOTATION = "galera-agent.io/state";

    public PublishedState {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }

    /** A state without a run, a Pod uid or a cut-off transfer (as an older agent publishes it). */
    public PublishedState(int ordinal, String phase, boolean empty, String uuid, long seqno, boolean seqnoRecovered, boolean safeToBootstrap,
                          String decision, List<String> reasons, Integer forcedFrom, String time, String agentVersion) {
        this(ordinal, phase, empty, uuid, seqno, seqnoRecovered, safeToBootstrap, decision, reasons, forcedFrom, time, agentVersion, null, null, false);
    }

    /**
     * The position this state claims, parsed by {@link Position} alone: empty for no history, and for a uuid or seqno that
     * is not a valid one. Another pod wrote it, so it is judged, never trusted; the raw fields stay as written, for the
     * wire and for showing a hand-edited value as it stands.
     */
    @JsonIgnore
    public Optional<Position> position() {
        return empty ? Optional.empty() : Position.tryParse(uuid, Math.max(seqno, Position.UNKNOWN_SEQNO));
    }

    /** Equal in every field but {@code time}: re-stamping the same state is not a change worth publishing. */
    public boolean sameIgnoringTime(PublishedState other) {
        return other != null && withoutTime().equals(other.withoutTime());
    }

    private PublishedState withoutTime() {
        return new PublishedState(ordinal, phase, empty, uuid, seqno, seqnoRecovered, safeToBootstrap, decision, reasons, forcedFrom, null,
                agentVersion, run, podUid, cutOff);
    }
}
