package dev.galeraagent.kube;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Prints what {@code agent bootstrap --dry-run} will show of the API, for people and scripts poking at a mock API
 * server: {@code DryRunMain KUBECONFIG NAMESPACE POD}. Exit 5 with one line when the API fails.
 */
public final class DryRunMain {
    private DryRunMain() {
    }

    public static void main(String[] args) {
        try (KubeApi api = KubeApi.connect(Optional.of(Path.of(args[0])), args[1])) {
            System.out.println(api.dryRunSummary(api.statefulSet(args[2], Optional.empty())));
        } catch (KubeApiException e) {
            System.err.println("agent: " + e.getMessage());
            System.exit(e.exitCode().code());
        }
    }
}
