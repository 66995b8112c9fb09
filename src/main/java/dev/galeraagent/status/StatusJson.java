package dev.galeraagent.status;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Reads and writes the agent's JSON contracts ({@link NodeStatus}, {@link PublishedState}). */
public final class StatusJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .build();

    private StatusJson() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * Parses JSON into the given contract type, never null; a malformed document (the JSON {@code null} included:
     * an annotation or a file anyone can set to it) is an IllegalArgumentException naming the type.
     */
    public static <T> T read(String json, Class<T> type) {
        T value;
        try {
            value = MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + " document: " + e.getOriginalMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + " document: empty (null)");
        }
        return value;
    }
}
