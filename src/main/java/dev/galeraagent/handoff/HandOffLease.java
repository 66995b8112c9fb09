package dev.galeraagent.handoff;

import java.time.Duration;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bootstrap Lease a hand-off names, which the sidecar renews until the node is Primary and then releases
 * (docs/architecture.md, "Rule 10" and "Lease"). Read leniently from the hand-off's optional {@code "lease"}
 * object, so the sidecar works with a hand-off written with or without it:
 * {@code "lease": {"namespace": "db", "name": "galera-galera-bootstrap", "holder": "galera-1", "duration_seconds": 60}}.
 *
 * @param namespace the Lease's namespace; null: the pod's own ({@code POD_NAMESPACE})
 * @param name      the Lease's name
 * @param holder    the holder identity the bootstrap took it as; null: the pod's name
 * @param duration  the term to renew it by
 */
public record HandOffLease(String namespace, String name, String holder, Duration duration) {
    /**
     * How long the bootstrap takes the Lease for, and the term the sidecar renews by when the hand-off names none. Long
     * enough to cover mariadbd's and the sidecar's start until its first renewal (docs/architecture.md, "Lease").
     */
    public static final Duration DEFAULT_TERM = Duration.ofSeconds(60);

    /** Loaded on first use: a node without a hand-off never needs Jackson in the sidecar. */
    private static final class Json {
        static final JsonMapper MAPPER = JsonMapper.builder().build();
    }

    /**
     * The Lease in a hand-off document: empty when the document has no {@code "lease"} (or it is null).
     *
     * @throws IllegalArgumentException when {@code "lease"} is there but unusable (no name, a bad duration)
     */
    public static Optional<HandOffLease> in(String handOffJson) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(handOffJson);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the hand-off is not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode lease = root == null ? null : root.get("lease");
        if (lease == null || lease.isNull() || lease.isMissingNode()) {
            return Optional.empty();
        }
        if (!lease.isObject()) {
            throw new IllegalArgumentException("the hand-off's \"lease\" is not an object");
        }
        String name = text(lease, "name");
        if (name == null) {
            throw new IllegalArgumentException("the hand-off's \"lease\" has no \"name\"");
        }
        Duration duration = DEFAULT_TERM;
        JsonNode seconds = lease.get("duration_seconds");
        if (seconds != null && !seconds.isNull()) {
            if (!seconds.canConvertToInt() || !seconds.isIntegralNumber() || seconds.asInt() < 1) {
                throw new IllegalArgumentException("the hand-off's lease \"duration_seconds\" must be a whole number of at least 1, was " + seconds);
            }
            duration = Duration.ofSeconds(seconds.asInt());
        }
        return Optional.of(new HandOffLease(text(lease, "namespace"), name, text(lease, "holder"), duration));
    }

    /** Adds this Lease, in the shape {@link #in} reads, to the hand-off document {@code handOffJson}. */
    public String addTo(String handOffJson) {
        JsonNode root = Json.MAPPER.readTree(handOffJson);
        if (!(root instanceof ObjectNode doc)) {
            throw new IllegalArgumentException("the hand-off is not a JSON object");
        }
        ObjectNode lease = doc.putObject("lease");
        if (namespace != null) {
            lease.put("namespace", namespace);
        }
        lease.put("name", name);
        if (holder != null) {
            lease.put("holder", holder);
        }
        lease.put("duration_seconds", duration.toSeconds());
        return Json.MAPPER.writeValueAsString(doc);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isString() || v.asString().isBlank() ? null : v.asString();
    }
}
