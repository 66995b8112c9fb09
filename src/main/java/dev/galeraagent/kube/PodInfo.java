package dev.galeraagent.kube;

/**
 * What Kubernetes itself says about one of the StatefulSet's pods, for {@code agent status}.
 *
 * @param phase    {@code status.phase}: Pending, Running, Succeeded, Failed, Unknown; null before the kubelet reported
 * @param ip       {@code status.podIP}; null before the pod has one
 * @param ready    the kubelet's {@code Ready} condition; null when it has none yet
 * @param restarts the restarts of all its containers, init containers included
 * @param deleting true once the pod has a {@code deletionTimestamp}
 */
public record PodInfo(int ordinal, String name, String phase, String ip, Boolean ready, int restarts, boolean deleting) {
}
