package dev.galeraagent.bootstrap;

import dev.galeraagent.discovery.PodIdentity;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.handoff.HandOff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The bootstrap mode's settings, as parsed from options and environment by the command.
 *
 * @param replicas         the StatefulSet's replicas (from the API, else {@code --replicas})
 * @param quorum           how many pods' states (this one included) suffice once {@code recoveryTimeout} has passed
 * @param recoveryTimeout  how long the full-crash election waits for every pod before a quorum is enough
 * @param forced           a person's {@code --force-bootstrap-from}, bound to the position they saw
 * @param podUid           the Pod's uid from the Downward API ({@code POD_UID}), published with the state
 */
public record BootstrapSettings(
        PodIdentity identity,
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
        Duration recoveryTimeout,
        Optional<ForcedBootstrap> forced,
        Optional<String> podUid) {

    public BootstrapSettings {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(forced, "forced");
        Objects.requireNonNull(podUid, "podUid");
    }

    public Path configFile() {
        return configDir.resolve(configName);
    }

    /**
     * galera.cnf's settings for this pod, reached at {@code nodeAddress}.
     *
     * @throws AgentException (usage) when a setting cannot go into the file
     */
    public GaleraConfig galeraConfig(String nodeAddress) {
        try {
            return new GaleraConfig(clusterName, identity.podName(), nodeAddress, bindAddress,
                    identity.peerFqdns(replicas), 4567, 4568, 4444, provider, sstMethod, "128M",
                    identity.ordinal() + 1, extraConfig.map(Path::toString), secretConfig.map(Path::toString), tlsDir.map(Path::toString),
                    oneShotDir().toString());
        } catch (InvalidFieldException e) {
            throw new AgentException(ExitCode.USAGE, "cannot write " + configName + ": " + e.getMessage());
        }
    }

    public Path oneShotDir() {
        return configDir.resolve(HandOff.ONE_SHOT_DIR);
    }
}
