package dev.galeraagent.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The JSON document that {@code agent probe serve} answers on {@code GET /status}, and that
 * {@code agent bootstrap} reads from its peers. This record is the one definition of that contract;
 * {@link StatusJson} reads and writes it. Unknown fields are ignored when reading, so newer agents may
 * add fields; renaming or removing one is a breaking change.
 *
 * <p>wsrep fields are null when mysqld could not be asked (down, no Galera); {@code error} then says why.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeStatus(
        @JsonProperty("agent_version") String agentVersion,
        @JsonProperty("pod") String pod,
        @JsonProperty("ordinal") Integer ordinal,
        @JsonProperty("wsrep_cluster_status") String wsrepClusterStatus,
        @JsonProperty("wsrep_local_state_comment") String wsrepLocalStateComment,
        @JsonProperty("wsrep_cluster_state_uuid") String wsrepClusterStateUuid,
        @JsonProperty("wsrep_last_committed") Long wsrepLastCommitted,
        @JsonProperty("wsrep_cluster_size") Integer wsrepClusterSize,
        @JsonProperty("wsrep_ready") Boolean wsrepReady,
        @JsonProperty("wsrep_connected") Boolean wsrepConnected,
        @JsonProperty("ready") boolean ready,
        @JsonProperty("live") boolean live,
        @JsonProperty("reason") String reason,
        @JsonProperty("grastate") Grastate grastate,
        @JsonProperty("last_decision") PublishedState lastDecision,
        @JsonProperty("error") String error) {

    /** True when this node is a member of a live Primary component: what rule 1 looks for. */
    public boolean inPrimaryComponent() {
        return "Primary".equals(wsrepClusterStatus) && Boolean.TRUE.equals(wsrepConnected);
    }

    /** The node's grastate.dat as seen on its data directory, for people reading /status. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Grastate(
            @JsonProperty("uuid") String uuid,
            @JsonProperty("seqno") long seqno,
            @JsonProperty("safe_to_bootstrap") boolean safeToBootstrap) {
    }
}
