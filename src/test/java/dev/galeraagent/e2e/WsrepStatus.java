package dev.galeraagent.e2e;

import java.util.HashMap;
import java.util.Map;

/** The wsrep status variables the scenarios look at, as read over a pod's socket; null fields: not reported. */
public record WsrepStatus(String clusterStatus, String state, int clusterSize, boolean ready, boolean connected,
                          String stateUuid, long lastCommitted, long confId) {
    /** Variable names for {@code SHOW GLOBAL STATUS WHERE Variable_name IN (...)}. */
    static final String VARIABLES = "'wsrep_cluster_status','wsrep_local_state_comment','wsrep_cluster_size','wsrep_ready',"
            + "'wsrep_connected','wsrep_cluster_state_uuid','wsrep_last_committed','wsrep_cluster_conf_id'";

    /** Parses the client's tab-separated {@code name value} lines. */
    static WsrepStatus parse(String output) {
        Map<String, String> v = new HashMap<>();
        for (String line : output.split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                v.put(line.substring(0, tab).toLowerCase(java.util.Locale.ROOT), line.substring(tab + 1).strip());
            }
        }
        return new WsrepStatus(v.get("wsrep_cluster_status"), v.get("wsrep_local_state_comment"),
                (int) number(v.get("wsrep_cluster_size")), "ON".equals(v.get("wsrep_ready")),
                "ON".equals(v.get("wsrep_connected")), v.get("wsrep_cluster_state_uuid"),
                number(v.get("wsrep_last_committed")), number(v.get("wsrep_cluster_conf_id")));
    }

    public boolean primary() {
        return "Primary".equals(clusterStatus);
    }

    /** What readiness means in the design: Primary, ready, connected and Synced. */
    public boolean synced() {
        return primary() && ready && connected && "Synced".equals(state);
    }

    private static long number(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return clusterStatus + "/" + state + " size=" + clusterSize + " ready=" + (ready ? "ON" : "OFF")
                + " connected=" + (connected ? "ON" : "OFF") + " seqno=" + lastCommitted + " conf=" + confId;
    }
}
