package dev.galeraagent.bootstrap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The bootstrap mode's settings, as parsed from options and environment by the command. */
public record BootstrapSettings(
        Identity identity,
        int replicas,
        Path datadir,
        Path configDir,
        String configName,
        Optional<Path> extraConfig,
        Optional<Path> secretConfig,
        Optional<Path> tlsDir,
        String clusterName,
        String sstMethod,
        String provider,
        String mariadbd,
        Duration recoverTimeout,
        Duration timeout,
        int statusPort,
        String bindAddress,
        boolean dryRun,
        int quorum,
        boolean quorumTimeoutPassed,
        Optional<Integer> forceBootstrapFrom) {

    public static final String ONE_SHOT_DIR = "galera-once.d";

    public Path configFile() {
        return configDir.resolve(configName);
    }

    public Path oneShotDir() {
        return configDir.resolve(ONE_SHOT_DIR);
    }
}
