package dev.galeraagent.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.testing.Hostile;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A peer's {@code /status} answer and a published state are read from the network and from annotations
 * anyone with access can set: StatusJson turns any text into the document or an IllegalArgumentException
 * with a bounded one-line message, quickly, whatever the nesting or the numbers.
 */
class StatusJsonPropertyTest {
    static final String PUBLISHED = "{\"ordinal\":1,\"phase\":\"waiting\",\"seqno_known\":true,\"uuid\":\"6b2f1a4e-0000-11ef-8000-000000000001\","
            + "\"seqno\":42,\"safe_to_bootstrap\":false,\"force\":false,\"plan\":\"WAIT\",\"reasons\":[\"a\",\"b\"],\"time\":\"2026-12-01T10:00:00Z\"}";
    static final String STATUS = "{\"agent_version\":\"1\",\"pod\":\"galera-1\",\"ordinal\":1,\"wsrep_cluster_status\":\"Primary\","
            + "\"wsrep_local_state_comment\":\"Synced\",\"wsrep_cluster_state_uuid\":\"6b2f1a4e-0000-11ef-8000-000000000001\","
            + "\"wsrep_last_committed\":42,\"wsrep_cluster_size\":3,\"ready\":true,\"live\":true,\"last_decision\":" + PUBLISHED + "}";

    @Provide
    Arbitrary<String> documents() {
        return Arbitraries.oneOf(
                Hostile.text(4096),
                Hostile.mutationsOf(STATUS),
                Hostile.mutationsOf(PUBLISHED),
                Hostile.number().map(n -> STATUS.replace("42", n)),
                Hostile.number().map(n -> STATUS.replace(":3,", ":" + n + ",")),
                Arbitraries.integers().between(1, 100_000).map(n -> "[".repeat(n) + "]".repeat(n)),
                Arbitraries.integers().between(1, 100_000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)),
                Arbitraries.integers().between(1, 2_000_000).map(n -> "{\"pod\":\"" + "x".repeat(n) + "\"}"),
                Arbitraries.of("null", "", " ", "[]", "\"\"", "0", "{}", "{\"ordinal\":null}", "{\"reasons\":null}", "{\"last_decision\":[]}"));
    }

    @Property(tries = 400)
    void anyTextIsADocumentOrAOneLineRefusal(@ForAll("documents") String json) {
        for (Class<?> type : List.of(NodeStatus.class, PublishedState.class)) {
            long started = System.nanoTime();
            try {
                assertThat(StatusJson.read(json, type)).isNotNull();
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).startsWith("not a valid " + type.getSimpleName() + " document").doesNotContain("\n").hasSizeLessThan(2000);
            }
            assertThat((System.nanoTime() - started) / 1_000_000).as("ms for %d characters", json.length()).isLessThan(2000);
        }
    }
}
