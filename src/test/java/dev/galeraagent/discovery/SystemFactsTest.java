package dev.galeraagent.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemFactsTest {

    @Test
    void hostnameIsTheKernelsWithoutItsNewline() throws Exception {
        String kernel = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        assertThat(SystemFacts.hostname()).isEqualTo(kernel.strip()).doesNotContain("\n");
    }

    @Test
    void resolvConfIsReadOrNullWhenMissing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("resolv.conf");
        Files.writeString(file, "search default.svc.cluster.local\n");
        assertThat(SystemFacts.resolvConf(file)).isEqualTo("search default.svc.cluster.local\n");
        assertThat(SystemFacts.resolvConf(dir.resolve("missing"))).isNull();
        assertThat(SystemFacts.resolvConf(dir)).as("a directory").isNull();
    }
}
