package dev.galeraagent.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What an end-to-end test needs from the machine; without it the tests are skipped, not failed. */
public final class E2e {
    private static final List<String> TOOLS = List.of("/usr/sbin/ip", "/usr/sbin/dnsmasq", "/usr/sbin/mariadbd",
            "/usr/bin/mariadb", "/usr/bin/mariadb-install-db", "/usr/bin/unshare", "/usr/bin/rsync");
    private static final Path GALERA = Path.of("/usr/lib/galera/libgalera_smm.so");

    private E2e() {}

    /** Skips the calling test unless it runs as root with ip, dnsmasq, mariadbd, rsync and Galera installed. */
    public static void assumeAvailable() {
        String missing = missing();
        assumeTrue(missing == null, missing);
    }

    /** What this machine lacks for the end-to-end harness, in one line, or null. */
    public static String missing() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the end-to-end harness needs root (network namespaces)";
        }
        for (String tool : TOOLS) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing: run scripts/install-deps.sh";
            }
        }
        return Files.isReadable(GALERA) ? null : GALERA + " is missing: run scripts/install-deps.sh";
    }
}
