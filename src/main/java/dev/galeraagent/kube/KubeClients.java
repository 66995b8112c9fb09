package dev.galeraagent.kube;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Builds the agent's fabric8 client: short timeouts and almost no retries, so a dead API fails in seconds. */
final class KubeClients {
    /** Per request; the bootstrap loop retries at its own pace and says why it waits. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private KubeClients() {
    }

    /**
     * A client from {@code kubeconfig} when given, else fabric8's auto-configuration: the pod's service account
     * in a cluster, otherwise {@code KUBECONFIG} / {@code ~/.kube/config} / {@code KUBERNETES_MASTER}.
     * Nothing is contacted yet.
     */
    public static KubernetesClient connect(Optional<Path> kubeconfig, Duration requestTimeout) {
        return new KubernetesClientBuilder().withConfig(config(kubeconfig, requestTimeout)).build();
    }

    /** A path as an error message may quote it: control characters (a newline in a hostile value) shown as '?'. */
    private static String shown(Path path) {
        return path.toString().replaceAll("\\p{Cntrl}", "?");
    }

    static Config config(Optional<Path> kubeconfig, Duration requestTimeout) {
        Config base;
        if (kubeconfig.isPresent()) {
            Path path = kubeconfig.get();
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new AgentException(ExitCode.ENVIRONMENT, "cannot read kubeconfig " + shown(path) + ": no such readable file");
            }
            try {
                base = Config.fromKubeconfig(path.toFile());
            } catch (RuntimeException e) { // fabric8's own, or the YAML parser's
                // the parsers quote the text they choke on, and a kubeconfig holds tokens and keys: never show their messages,
                // and keep the exception (whose messages quote it) out of a --verbose stack trace
                throw new AgentException(ExitCode.ENVIRONMENT, "cannot use kubeconfig " + shown(path) + ": not a valid kubeconfig ("
                        + e.getClass().getSimpleName() + "; its content is not shown: it may hold credentials)");
            }
        } else {
            base = Config.autoConfigure(null);
        }
        int timeoutMs = Math.toIntExact(Math.max(1, requestTimeout.toMillis()));
        // set in place, not copied: the Config stays the one fabric8 auto-configured and refreshes (a rotated
        // service account token matters to the long-running sidecar)
        base.setConnectionTimeout(Math.min(timeoutMs, 3_000));
        base.setRequestTimeout(timeoutMs);
        // fabric8's default (10 retries, exponential from 100 ms) would hide a dead API for a minute
        base.setRequestRetryBackoffLimit(1);
        base.setRequestRetryBackoffInterval(200);
        base.setWatchReconnectLimit(0);
        return base;
    }
}
