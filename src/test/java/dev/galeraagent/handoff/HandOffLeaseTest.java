package dev.galeraagent.handoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HandOffLeaseTest {
    static String handOffWith(String leaseJson) {
        String json = new HandOff("NEW_CLUSTER", "galera-0", 0, null, "/c/galera-once.d/bootstrap.cnf", List.of("r"), "t", "v").toJson();
        return leaseJson == null ? json : json.substring(0, json.length() - 1) + ",\"lease\":" + leaseJson + "}";
    }

    @Test
    void theDocumentedShapeIsRead() {
        assertThat(HandOffLease.in(handOffWith("{\"namespace\":\"db\",\"name\":\"galera-galera-bootstrap\",\"holder\":\"galera-0\","
                + "\"duration_seconds\":45}")))
                .contains(new HandOffLease("db", "galera-galera-bootstrap", "galera-0", Duration.ofSeconds(45)));
    }

    @Test
    void aHandOffWithoutLeaseHasNone() {
        assertThat(HandOffLease.in(handOffWith(null))).isEmpty();
        assertThat(HandOffLease.in(handOffWith("null"))).isEmpty();
    }

    @Test
    void onlyTheNameIsRequired() {
        assertThat(HandOffLease.in(handOffWith("{\"name\":\"l\",\"namespace\":\"\",\"extra\":1}")))
                .isEqualTo(Optional.of(new HandOffLease(null, "l", null, HandOffLease.DEFAULT_TERM)));
    }

    @Test
    void anUnusableLeaseIsAnErrorNamingTheField() {
        assertThatThrownBy(() -> HandOffLease.in(handOffWith("{\"holder\":\"galera-0\"}"))).hasMessageContaining("no \"name\"");
        assertThatThrownBy(() -> HandOffLease.in(handOffWith("\"galera\""))).hasMessageContaining("not an object");
        for (String bad : List.of("0", "-5", "1.5", "\"60\"", "99999999999")) {
            assertThatThrownBy(() -> HandOffLease.in(handOffWith("{\"name\":\"l\",\"duration_seconds\":" + bad + "}")))
                    .as(bad).hasMessageContaining("duration_seconds");
        }
        assertThatThrownBy(() -> HandOffLease.in("{\"lease\": ")).hasMessageContaining("not JSON");
    }

    @Test
    void theHandOffItselfStillParsesWithALeaseInIt() {
        assertThat(HandOff.parse(handOffWith("{\"name\":\"l\"}")).plan()).isEqualTo("NEW_CLUSTER");
    }
}
