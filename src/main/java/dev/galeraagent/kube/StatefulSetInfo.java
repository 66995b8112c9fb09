package dev.galeraagent.kube;

import java.util.Map;
import java.util.Objects;

/**
 * What the agent needs from its StatefulSet.
 *
 * @param namespace the namespace of the StatefulSet and its pods
 * @param name      the StatefulSet's name; pods are {@code <name>-<ordinal>}
 * @param replicas  {@code spec.replicas}
 * @param selector  {@code spec.selector.matchLabels}, used as equality selectors only
 */
public record StatefulSetInfo(String namespace, String name, int replicas, Map<String, String> selector) {
    public StatefulSetInfo {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        selector = Map.copyOf(selector);
    }

    /** The bootstrap Lease's name: {@code <statefulset>-galera-bootstrap}. */
    public String leaseName() {
        return name + "-galera-bootstrap";
    }

    /** The ConfigMap that holds the pods' published states, one key per pod name: {@code <statefulset>-galera-state}. */
    public String stateConfigMapName() {
        return name + "-galera-state";
    }

    /** The pod name of an ordinal. */
    public String podName(int ordinal) {
        return name + "-" + ordinal;
    }
}
