package dev.galeraagent.e2e;

import java.io.IOException;
import java.util.List;

/**
 * What the StatefulSet's pod template runs: init containers in order, each to completion, then
 * the {@code mariadb} container and the sidecars side by side. The plain steps prove the harness
 * with a hand-written config; the agent's steps run {@code agent install}, {@code agent bootstrap},
 * mariadbd and {@code agent probe serve}.
 */
public interface PodSteps {
    /** A name for reports (the "steps" column of the results). */
    String name();

    /** Whether the pods need the Kubernetes API stand-in ({@link KubeApi}); it costs a JVM. */
    default boolean needsKubeApi() {
        return false;
    }

    /** Runs once for the cluster before any pod starts (for example, building what the pods use). */
    default void prepare(Cluster cluster) throws IOException {}

    List<Container> initContainers(Pod pod);

    Container mariadb(Pod pod);

    default List<Container> sidecars(Pod pod) {
        return List.of();
    }

    /** The mariadb container's probes, or null for none (the kubelet then never restarts it for health). */
    default Probes probes(Pod pod) {
        return null;
    }
}
