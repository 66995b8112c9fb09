package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.probe.Observation.Answered;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The same probe against the official MariaDB image, where Docker runs (skipped here: no engine).
 * The image's server runs without Galera, so the probe must say so; the user and password come from the container.
 */
@Testcontainers(disabledWithoutDocker = true)
class ProbeMariaDbContainerIT {
    @Container
    static final MariaDBContainer<?> MARIADB = new MariaDBContainer<>(DockerImageName.parse("mariadb:10.11.19"))
            .withUsername("probe")
            .withPassword("pr0be-secret");

    private static ProbeService service(String password) {
        MariaDbAccess access = new MariaDbAccess(MARIADB.getHost(), MARIADB.getMappedPort(3306), "probe", password, Duration.ofSeconds(1));
        return new ProbeService(new MariaDbStatusReader(access), new NodeFiles(null, null),
                new ProbePolicy(false, Duration.ofSeconds(60), "probe", access.target()), Duration.ZERO, Duration.ofSeconds(1), "test", null, null);
    }

    @Test
    void theOfficialImageAnswersAndIsNotReadyBecauseGaleraIsNotEnabled() {
        try (ProbeService s = service("pr0be-secret")) {
            assertThat(s.snapshot().observation()).isInstanceOf(Answered.class);
            Health h = s.health();
            assertThat(h.live().ok()).isTrue();
            assertThat(h.startup().ok()).isTrue();
            assertThat(h.ready().ok()).isFalse();
            assertThat(h.ready().reason()).startsWith("not ready: Galera is not enabled");
        }
    }

    @Test
    void aWrongPasswordIsReportedAsDeniedAccess() {
        try (ProbeService s = service("wrong")) {
            Health h = s.health();
            assertThat(h.ready().ok()).isFalse();
            assertThat(h.ready().reason()).contains("denied access to user 'probe'");
            assertThat(h.live().ok()).isTrue();
        }
    }
}
