package dev.galeraagent.kube;

import dev.galeraagent.log.Log;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The StatefulSet's member pods and the state ConfigMap {@code <sts>-galera-state} (one key per pod, rule 4): read the
 * members and every one's published state, publish this pod's. {@link KubeApi}'s part for the election's inputs and
 * {@code agent status}'s pod list; the Lease is {@link BootstrapLease}.
 */
final class MemberStates {
    private static final Log LOG = Log.of("kube");

    private final KubernetesClient client;
    private final KubeCalls calls;
    private Map<Integer, String> lastMalformed = Map.of();

    MemberStates(KubernetesClient client, KubeCalls calls) {
        this.client = client;
        this.calls = calls;
    }

    /**
     * Reads the pods {@code <sts>-0 .. <sts>-(replicas-1)} (one list call) and their published states (one get of
     * the ConfigMap {@code <sts>-galera-state}). Pods are listed with the selector's equality labels, then kept only
     * when their name has an ordinal below replicas and their controller, if any, is this StatefulSet (so a
     * selector's set-based expressions need no server support). A state written before its Pod object was created
     * belongs to an earlier pod of that name and counts as not published, as an annotation vanished with its Pod.
     */
    PodStates readStates(StatefulSetInfo sts) {
        SortedMap<Integer, Pod> members = members(sts);
        Map<String, String> entries = stateEntries(sts);
        SortedMap<Integer, PublishedState> published = new TreeMap<>();
        SortedSet<Integer> unpublished = new TreeSet<>();
        SortedMap<Integer, String> malformed = new TreeMap<>();
        SortedSet<Integer> missing = new TreeSet<>();
        SortedSet<Integer> ready = new TreeSet<>();
        for (int i = 0; i < sts.replicas(); i++) {
            missing.add(i);
        }
        for (Map.Entry<Integer, Pod> member : members.entrySet()) {
            int ordinal = member.getKey();
            Pod pod = member.getValue();
            missing.remove(ordinal);
            if (isReady(pod)) {
                ready.add(ordinal);
            }
            String json = entries.get(pod.getMetadata().getName());
            if (json == null) {
                unpublished.add(ordinal);
                continue;
            }
            try {
                PublishedState state = StatusJson.read(json, PublishedState.class);
                if (state.ordinal() != ordinal) {
                    malformed.put(ordinal, "the entry says ordinal " + state.ordinal() + " but the pod is " + pod.getMetadata().getName());
                } else if (fromEarlierPod(state, pod)) {
                    unpublished.add(ordinal);
                } else {
                    published.put(ordinal, state);
                }
            } catch (IllegalArgumentException e) {
                malformed.put(ordinal, e.getMessage().replace('\n', ' '));
            }
        }
        warnOnce(sts, malformed);
        return new PodStates(sts, published, unpublished, malformed, missing, ready);
    }

    /**
     * The pods {@code <sts>-0 .. <sts>-(replicas-1)} by ordinal, in one list call: listed with the selector's equality
     * labels, then kept only when their name has an ordinal below replicas (a higher one is being scaled away: not a member
     * the election waits for) and their controller, if any, is this StatefulSet.
     */
    SortedMap<Integer, Pod> members(StatefulSetInfo sts) {
        List<Pod> pods = calls.run("list", "pods", null,
                () -> client.pods().inNamespace(calls.namespace()).withLabels(sts.selector()).list().getItems());
        Pattern ordinalName = Pattern.compile(Pattern.quote(sts.name()) + "-(0|[1-9][0-9]{0,8})");
        SortedMap<Integer, Pod> members = new TreeMap<>();
        for (Pod pod : pods) {
            Matcher m = ordinalName.matcher(pod.getMetadata().getName());
            if (m.matches() && ownedBy(pod, sts.name()) && Integer.parseInt(m.group(1)) < sts.replicas()) {
                members.put(Integer.parseInt(m.group(1)), pod);
            }
        }
        return members;
    }

    /** What Kubernetes says about each member pod (phase, IP, Ready condition, restarts), by ordinal. */
    SortedMap<Integer, PodInfo> pods(StatefulSetInfo sts) {
        SortedMap<Integer, PodInfo> result = new TreeMap<>();
        for (Map.Entry<Integer, Pod> member : members(sts).entrySet()) {
            int ordinal = member.getKey();
            Pod pod = member.getValue();
            PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
            Boolean ready = status.getConditions() == null ? null : status.getConditions().stream()
                    .filter(c -> "Ready".equals(c.getType())).findFirst().map(c -> "True".equals(c.getStatus())).orElse(null);
            int restarts = Stream.concat(
                            status.getInitContainerStatuses() == null ? Stream.empty() : status.getInitContainerStatuses().stream(),
                            status.getContainerStatuses() == null ? Stream.empty() : status.getContainerStatuses().stream())
                    .mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
            result.put(ordinal, new PodInfo(ordinal, pod.getMetadata().getName(), status.getPhase(),
                    status.getPodIP() == null || status.getPodIP().isBlank() ? null : status.getPodIP(), ready, restarts,
                    pod.getMetadata().getDeletionTimestamp() != null));
        }
        return result;
    }

    /** The kubelet's verdict: the readiness probe (Synced in a Primary component) passed, and the Pod is not being deleted. */
    private static boolean isReady(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return false;
        }
        return pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The state ConfigMap's entries; a missing ConfigMap is a deployment error that names the manifest. */
    private Map<String, String> stateEntries(StatefulSetInfo sts) {
        ConfigMap map = stateMap(sts);
        return map.getData() == null ? Map.of() : map.getData();
    }

    private ConfigMap stateMap(StatefulSetInfo sts) {
        String name = sts.stateConfigMapName();
        ConfigMap map = calls.run("get", "configmaps", name, () -> client.configMaps().inNamespace(calls.namespace()).withName(name).get());
        if (map == null) {
            throw new KubeApiException(KubeApiException.Kind.NOT_FOUND, "ConfigMap " + name + " not found in namespace "
                    + calls.namespace() + ": it holds the pods' published states and the manifest creates it (apply "
                    + KubeCalls.RBAC_FILE + ")", null);
        }
        return map;
    }

    /**
     * True when {@code state} was published before {@code pod} was created (the API server's clock, whole seconds):
     * an earlier pod of that name wrote it. A state without a readable time cannot be judged and counts.
     */
    private static boolean fromEarlierPod(PublishedState state, Pod pod) {
        String created = pod.getMetadata().getCreationTimestamp();
        Optional<Instant> published = publishedAt(state);
        if (published.isEmpty() || created == null) {
            return false;
        }
        try {
            return published.get().isBefore(Instant.parse(created).truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static Optional<Instant> publishedAt(PublishedState state) {
        try {
            return state.time() == null ? Optional.empty() : Optional.of(Instant.parse(state.time()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A poll every few seconds must not repeat the same warning: say it when it changes. */
    private synchronized void warnOnce(StatefulSetInfo sts, SortedMap<Integer, String> malformed) {
        malformed.forEach((ordinal, why) -> {
            if (!why.equals(lastMalformed.get(ordinal))) {
                LOG.warn("pod " + sts.podName(ordinal) + " has a malformed entry in ConfigMap " + sts.stateConfigMapName()
                        + ", counted as not published: " + why);
            }
        });
        lastMalformed = Map.copyOf(malformed);
    }

    private static boolean ownedBy(Pod pod, String statefulSet) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return true;
        }
        return owners.stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()))
                .allMatch(o -> "StatefulSet".equals(o.getKind()) && statefulSet.equals(o.getName()));
    }

    /**
     * Publishes {@code state} as pod {@code podName}'s entry of the ConfigMap {@code <sts>-galera-state}: a JSON merge
     * patch of that one key, so pods publishing at the same time never conflict and nothing else in the ConfigMap
     * changes. Nothing is written when the entry already says the same apart from {@code time}, unless the entry
     * looks older than the pod (then the new time tells readers it is this pod's; see {@link #readStates}).
     *
     * @return true when it wrote, false when the entry already said this
     */
    boolean publish(StatefulSetInfo sts, String podName, PublishedState state) {
        String json = StatusJson.write(state);
        ConfigMap map = stateMap(sts);
        String current = map.getData() == null ? null : map.getData().get(podName);
        if (current != null && unchanged(current, state)) {
            PublishedState written = StatusJson.read(current, PublishedState.class);
            // only a dated entry can look older than its pod: the pod is read just for that
            if (publishedAt(written).isEmpty() || !fromEarlierPod(written, getPod(podName))) {
                return false;
            }
        }
        String patch = StatusJson.write(Map.of("data", Map.of(podName, json)));
        // through resource(map): withName(..).patch(..) would GET the ConfigMap once more first
        calls.run("patch", "configmaps", map.getMetadata().getName(), () -> client.configMaps().inNamespace(calls.namespace()).resource(map)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch));
        LOG.debug("published the state of " + podName + " in ConfigMap " + map.getMetadata().getName() + ": " + json);
        return true;
    }

    private static boolean unchanged(String currentJson, PublishedState state) {
        try {
            return StatusJson.read(currentJson, PublishedState.class).sameIgnoringTime(state);
        } catch (IllegalArgumentException e) {
            return false; // malformed: overwrite it
        }
    }

    Pod getPod(String podName) {
        Pod pod = calls.run("get", "pods", podName, () -> client.pods().inNamespace(calls.namespace()).withName(podName).get());
        if (pod == null) {
            throw new KubeApiException(KubeApiException.Kind.NOT_FOUND, "pod " + podName + " not found in namespace " + calls.namespace(), null);
        }
        return pod;
    }
}
