package dev.galeraagent.probe;

import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the probe reads from the node's volumes: state-transfer markers and grastate.dat in the data
 * directory, and the bootstrap hand-off in the config directory. Every read tolerates absence and
 * garbage: a probe must answer even when a file is missing, half-written or unreadable.
 */
public final class NodeFiles {
    /** Written by the bootstrap into the config dir when this node must bootstrap (architecture "Rule 10"). */
    public static final String BOOTSTRAP_REQUEST = "bootstrap-request.json";
    /** The request renamed by the sidecar once it bootstrapped the node. */
    public static final String BOOTSTRAP_DONE = "bootstrap-done.json";

    /** Loaded on first use: Jackson is several hundred classes, and the kubelet's probes never need it. */
    private static final class Json {
        static final JsonMapper MAPPER = JsonMapper.builder().build();
    }

    private final Path dataDir;
    private final Path configDir;

    public NodeFiles(Path dataDir, Path configDir) {
        this.dataDir = dataDir;
        this.configDir = configDir;
    }

    /** True when the SST scripts' markers show a state transfer in progress on this node. */
    public boolean stateTransferInProgress() {
        return dataDir != null
                && (Files.exists(dataDir.resolve("sst_in_progress")) || Files.exists(dataDir.resolve("wsrep_sst.pid")));
    }

    /** grastate.dat as people read it in /status; null when absent, unreadable or not understood. */
    public NodeStatus.Grastate grastate() {
        if (dataDir == null) {
            return null;
        }
        try {
            return parseGrastate(Files.readString(dataDir.resolve("grastate.dat"), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // Only for display: the bootstrap's strict parser (galera package) decides; this one just shows.
    static NodeStatus.Grastate parseGrastate(String text) {
        String uuid = null;
        Long seqno = null;
        boolean safe = false;
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (line.startsWith("#") || colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "uuid" -> uuid = value;
                case "seqno" -> seqno = Long.parseLong(value);
                case "safe_to_bootstrap" -> safe = "1".equals(value);
                default -> { }
            }
        }
        return uuid == null || seqno == null ? null : new NodeStatus.Grastate(uuid, seqno, safe);
    }

    /**
     * The last bootstrap decision handed to this sidecar: bootstrap-done.json, else bootstrap-request.json;
     * null when neither is there or readable. Field names are taken loosely (the hand-off may carry a plan
     * and a position, or a published state), so a newer bootstrap does not blank /status.
     */
    public PublishedState lastDecision() {
        if (configDir == null) {
            return null;
        }
        for (String name : List.of(BOOTSTRAP_DONE, BOOTSTRAP_REQUEST)) {
            Path file = configDir.resolve(name);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            try {
                return decisionFrom(Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8)),
                        name.equals(BOOTSTRAP_DONE) ? "bootstrapped" : "bootstrap-requested");
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    static PublishedState decisionFrom(JsonNode n, String defaultPhase) {
        if (n == null || !n.isObject()) {
            return null;
        }
        JsonNode position = n.path("position");
        String uuid = text(n, "uuid", text(position, "uuid", null));
        long seqno = n.has("seqno") ? n.path("seqno").asLong(-1) : position.path("seqno").asLong(-1);
        List<String> reasons = new ArrayList<>();
        n.path("reasons").forEach(r -> reasons.add(r.asString()));
        return new PublishedState(
                n.path("ordinal").asInt(-1),
                text(n, "phase", defaultPhase),
                n.path("empty").asBoolean(false),
                uuid,
                seqno,
                n.path("seqno_recovered").asBoolean(false),
                n.path("safe_to_bootstrap").asBoolean(false),
                text(n, "decision", text(n, "plan", null)),
                reasons,
                n.has("forced_from") && n.path("forced_from").isNumber() ? n.path("forced_from").asInt() : null,
                text(n, "time", null),
                text(n, "agent_version", null));
    }

    private static String text(JsonNode n, String field, String fallback) {
        JsonNode v = n.path(field);
        return v.isValueNode() && !v.isNull() ? v.asString() : fallback;
    }
}
