package dev.galeraagent.kube;

import dev.galeraagent.handoff.LeaseRecord;

import dev.galeraagent.log.Log;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The agent's whole use of the Kubernetes API (rules 4 and 6): find the StatefulSet, read the pods'
 * published states (ConfigMap {@code <sts>-galera-state}, one key per pod), publish this pod's, and hand out the
 * bootstrap Lease. It never writes a Pod: a token that may patch Pods may change their images. It decides nothing; the bootstrap
 * planner does. Every failure is a {@link KubeApiException} naming the call.
 *
 * <p>Only calls that fabric8's mock API server answers faithfully are used: get, list with equality label
 * selectors, JSON merge patch that sets a key, create, and update with a resourceVersion.
 */
public final class KubeApi implements AutoCloseable {
    /** How often {@link #awaitChange} looks at first, and at most (it doubles in between). */
    public static final Duration DEFAULT_POLL_MIN = Duration.ofMillis(500);
    public static final Duration DEFAULT_POLL_MAX = Duration.ofSeconds(5);

    private static final Log LOG = Log.of("kube");

    private final KubernetesClient client;
    private final KubeCalls calls;
    private final Clock clock;
    private final Duration pollMin;
    private final Duration pollMax;
    private Map<Integer, String> lastMalformed = Map.of();

    /** Uses {@code client} (closed with this object) for every call in {@code namespace}. */
    public KubeApi(KubernetesClient client, String namespace) {
        this(client, namespace, Clock.systemUTC(), DEFAULT_POLL_MIN, DEFAULT_POLL_MAX);
    }

    public KubeApi(KubernetesClient client, String namespace, Clock clock, Duration pollMin, Duration pollMax) {
        this.client = Objects.requireNonNull(client, "client");
        this.calls = new KubeCalls(Objects.requireNonNull(namespace, "namespace"), String.valueOf(client.getMasterUrl()));
        this.clock = Objects.requireNonNull(clock, "clock");
        if (pollMin.isNegative() || pollMin.isZero() || pollMax.compareTo(pollMin) < 0) {
            throw new IllegalArgumentException("poll intervals must be 0 < min <= max, were " + pollMin + ", " + pollMax);
        }
        this.pollMin = pollMin;
        this.pollMax = pollMax;
    }

    /** A client from the pod's service account, or from {@code kubeconfig}; see {@link KubeClients#connect}. */
    public static KubeApi connect(Optional<Path> kubeconfig, String namespace) {
        return new KubeApi(KubeClients.connect(kubeconfig, KubeClients.DEFAULT_REQUEST_TIMEOUT), namespace);
    }

    /**
     * As {@link #connect}, in {@code namespace} when given, else the namespace the kubeconfig's context (or, in a pod,
     * the service account) names, else {@code default}: what a person running a command from a laptop expects.
     */
    public static KubeApi connectTo(Optional<Path> kubeconfig, Optional<String> namespace) {
        KubernetesClient client = KubeClients.connect(kubeconfig, KubeClients.DEFAULT_REQUEST_TIMEOUT);
        String ns = namespace.filter(n -> !n.isBlank())
                .orElseGet(() -> client.getNamespace() == null || client.getNamespace().isBlank() ? "default" : client.getNamespace());
        return new KubeApi(client, ns);
    }

    public String namespace() {
        return calls.namespace();
    }

    /**
     * This pod's StatefulSet: {@code statefulSetName} when given (one call), else the controller owner of Pod
     * {@code podName} (two calls).
     */
    public StatefulSetInfo statefulSet(String podName, Optional<String> statefulSetName) {
        String name = statefulSetName.filter(s -> !s.isBlank()).orElseGet(() -> ownerOf(podName));
        StatefulSet sts = calls.run("get", "statefulsets", name,
                () -> client.apps().statefulSets().inNamespace(namespace()).withName(name).get());
        if (sts == null) {
            throw new KubeApiException(KubeApiException.Kind.NOT_FOUND,
                    "StatefulSet " + name + " not found in namespace " + namespace(), null);
        }
        if (sts.getSpec() == null || sts.getSpec().getReplicas() == null) {
            throw new KubeApiException(KubeApiException.Kind.FAILED,
                    "StatefulSet " + name + " in namespace " + namespace() + " has no spec.replicas", null);
        }
        Map<String, String> labels = sts.getSpec().getSelector() == null || sts.getSpec().getSelector().getMatchLabels() == null
                ? Map.of()
                : sts.getSpec().getSelector().getMatchLabels();
        return new StatefulSetInfo(namespace(), name, sts.getSpec().getReplicas(), labels);
    }

    private String ownerOf(String podName) {
        Pod pod = getPod(podName);
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences() == null ? List.of() : pod.getMetadata().getOwnerReferences();
        return owners.stream()
                .filter(o -> "StatefulSet".equals(o.getKind()))
                .sorted((a, b) -> Boolean.compare(Boolean.TRUE.equals(b.getController()), Boolean.TRUE.equals(a.getController())))
                .map(OwnerReference::getName)
                .findFirst()
                .orElseThrow(() -> new KubeApiException(KubeApiException.Kind.NOT_FOUND, "pod " + podName
                        + " in namespace " + namespace() + " has no StatefulSet owner: pass --statefulset", null));
    }

    /**
     * Reads the pods {@code <sts>-0 .. <sts>-(replicas-1)} (one list call) and their published states (one get of
     * the ConfigMap {@code <sts>-galera-state}). Pods are listed with the selector's equality labels, then kept only
     * when their name has an ordinal below replicas and their controller, if any, is this StatefulSet (so a
     * selector's set-based expressions need no server support). A state written before its Pod object was created
     * belongs to an earlier pod of that name and counts as not published, as an annotation vanished with its Pod.
     */
    public PodStates readStates(StatefulSetInfo sts) {
        List<Pod> pods = calls.run("list", "pods", null,
                () -> client.pods().inNamespace(namespace()).withLabels(sts.selector()).list().getItems());
        Map<String, String> entries = stateEntries(sts);
        Pattern ordinalName = Pattern.compile(Pattern.quote(sts.name()) + "-(0|[1-9][0-9]{0,8})");
        SortedMap<Integer, PublishedState> published = new TreeMap<>();
        SortedSet<Integer> unpublished = new TreeSet<>();
        SortedMap<Integer, String> malformed = new TreeMap<>();
        SortedSet<Integer> missing = new TreeSet<>();
        SortedSet<Integer> ready = new TreeSet<>();
        for (int i = 0; i < sts.replicas(); i++) {
            missing.add(i);
        }
        for (Pod pod : pods) {
            Matcher m = ordinalName.matcher(pod.getMetadata().getName());
            if (!m.matches() || !ownedBy(pod, sts.name())) {
                continue;
            }
            int ordinal = Integer.parseInt(m.group(1));
            if (ordinal >= sts.replicas()) {
                continue; // being scaled away: not a member the election waits for
            }
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
        ConfigMap map = calls.run("get", "configmaps", name, () -> client.configMaps().inNamespace(namespace()).withName(name).get());
        if (map == null) {
            throw new KubeApiException(KubeApiException.Kind.NOT_FOUND, "ConfigMap " + name + " not found in namespace "
                    + namespace() + ": it holds the pods' published states and the manifest creates it (apply "
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
     * Polls (no watch) until the pods' states differ from {@code previous} in anything but {@code time}, or
     * {@code maxWait} has passed; answers the latest reading either way. The interval starts at the poll minimum
     * and doubles up to the maximum; each call starts again at the minimum.
     *
     * @throws KubeApiException when a poll fails (the API went away, a permission was withdrawn)
     */
    public PodStates awaitChange(PodStates previous, Duration maxWait) throws InterruptedException {
        // elapsed time, not the clock: the clock is for comparing with other hosts' timestamps and may be set
        long deadline = System.nanoTime() + maxWait.toNanos();
        Duration interval = pollMin;
        PodStates latest = previous;
        while (true) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                return latest;
            }
            Thread.sleep(Math.max(1, Math.min(interval.toMillis(), leftMs)));
            latest = readStates(previous.statefulSet());
            if (!latest.sameContent(previous)) {
                return latest;
            }
            interval = interval.multipliedBy(2).compareTo(pollMax) > 0 ? pollMax : interval.multipliedBy(2);
        }
    }

    /**
     * Publishes {@code state} as pod {@code podName}'s entry of the ConfigMap {@code <sts>-galera-state}: a JSON merge
     * patch of that one key, so pods publishing at the same time never conflict and nothing else in the ConfigMap
     * changes. Nothing is written when the entry already says the same apart from {@code time}, unless the entry
     * looks older than the pod (then the new time tells readers it is this pod's; see {@link #readStates}).
     *
     * @return true when it wrote, false when the entry already said this
     */
    public boolean publish(StatefulSetInfo sts, String podName, PublishedState state) {
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
        calls.run("patch", "configmaps", map.getMetadata().getName(), () -> client.configMaps().inNamespace(namespace()).resource(map)
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

    private Pod getPod(String podName) {
        Pod pod = calls.run("get", "pods", podName, () -> client.pods().inNamespace(namespace()).withName(podName).get());
        if (pod == null) {
            throw new KubeApiException(KubeApiException.Kind.NOT_FOUND, "pod " + podName + " not found in namespace " + namespace(), null);
        }
        return pod;
    }

    /** The StatefulSet's bootstrap Lease, {@code <statefulset>-galera-bootstrap}. */
    /** The election's view of the API for pod {@code ordinal} of {@code sts}. */
    public ElectionApi election(StatefulSetInfo sts, int ordinal) {
        KubeApi api = this;
        return new ElectionApi() {
            @Override
            public PodStates readStates() {
                return api.readStates(sts);
            }

            @Override
            public void publish(PublishedState own) {
                api.publish(sts, sts.podName(ordinal), own);
            }

            @Override
            public LeaseOutcome tryAcquireLease(String holder, String clusterUuid, long seqno, Duration term) {
                return api.lease(sts).tryAcquire(holder, clusterUuid, seqno, term);
            }

            @Override
            public boolean releaseLease(String holder) {
                return api.lease(sts).release(holder);
            }

            @Override
            public Integer openBootstrap() {
                String pod = api.lease(sts).current().map(LeaseRecord::openBootstrap).orElse(null);
                String prefix = sts.name() + "-";
                if (pod == null || !pod.startsWith(prefix) || !pod.substring(prefix.length()).matches("0|[1-9][0-9]{0,8}")) {
                    return null;
                }
                return Integer.valueOf(pod.substring(prefix.length()));
            }

            @Override
            public String leaseName() {
                return sts.leaseName();
            }

            @Override
            public String namespace() {
                return api.namespace();
            }

            @Override
            public String summary() {
                return api.dryRunSummary(sts);
            }
        };
    }

    public BootstrapLease lease(StatefulSetInfo sts) {
        return new BootstrapLease(client, calls, sts.leaseName(), clock);
    }

    /** A bootstrap Lease by its name: for the sidecar, which reads the name from the bootstrap hand-off. */
    public BootstrapLease lease(String leaseName) {
        return new BootstrapLease(client, calls, Objects.requireNonNull(leaseName, "leaseName"), clock);
    }

    /**
     * What Kubernetes says about the pods {@code <sts>-0 .. <sts>-(replicas-1)} (phase, IP, Ready condition,
     * restarts), by ordinal, in one list call kept like {@link #readStates}; a pod that does not exist is absent.
     */
    public SortedMap<Integer, PodInfo> pods(StatefulSetInfo sts) {
        List<Pod> pods = calls.run("list", "pods", null,
                () -> client.pods().inNamespace(namespace()).withLabels(sts.selector()).list().getItems());
        Pattern ordinalName = Pattern.compile(Pattern.quote(sts.name()) + "-(0|[1-9][0-9]{0,8})");
        SortedMap<Integer, PodInfo> result = new TreeMap<>();
        for (Pod pod : pods) {
            Matcher m = ordinalName.matcher(pod.getMetadata().getName());
            if (!m.matches() || !ownedBy(pod, sts.name())) {
                continue;
            }
            int ordinal = Integer.parseInt(m.group(1));
            if (ordinal >= sts.replicas()) {
                continue;
            }
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

    /**
     * Records Events on Pod {@code podName} of StatefulSet {@code statefulSet}; see {@link KubeEvents}. Uses this
     * object's client: close this object only after the last Event.
     */
    public EventSink events(String podName, String statefulSet) {
        return new KubeEvents(client, calls, Objects.requireNonNull(podName, "podName"), Objects.requireNonNull(statefulSet, "statefulSet"), clock);
    }

    /**
     * The Events the agent recorded on the StatefulSet's pods ({@code list events} with the label
     * {@value KubeEvents#STATEFULSET_LABEL}), oldest first. The cluster keeps Events for its {@code --event-ttl}
     * (one hour by default).
     */
    public List<AgentEvent> agentEvents(StatefulSetInfo sts) {
        List<Event> events = calls.run("list", "events", null,
                () -> client.v1().events().inNamespace(namespace()).withLabel(KubeEvents.STATEFULSET_LABEL, sts.name()).list().getItems());
        List<AgentEvent> result = new ArrayList<>();
        for (Event e : events) {
            if (e.getInvolvedObject() == null || e.getInvolvedObject().getName() == null) {
                continue;
            }
            result.add(new AgentEvent(e.getInvolvedObject().getName(), e.getReason(), e.getType(), e.getMessage(),
                    firstTime(e.getLastTimestamp(), e.getFirstTimestamp(), e.getMetadata().getCreationTimestamp())));
        }
        result.sort(Comparator.comparing(AgentEvent::time, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(AgentEvent::pod));
        return result;
    }

    private static Instant firstTime(String... times) {
        for (String t : times) {
            if (t != null && !t.isBlank()) {
                try {
                    return OffsetDateTime.parse(t).toInstant();
                } catch (DateTimeParseException e) {
                    // another writer's format: try the next field
                }
            }
        }
        return null;
    }

    /** For {@code --dry-run}: the pods' published states and the Lease, as lines a person reads. */
    public String dryRunSummary(StatefulSetInfo sts) {
        return describe(readStates(sts), lease(sts).current(), clock.instant());
    }

    /** Renders a reading as a table; pure, so the format is tested without a server. */
    public static String describe(PodStates states, Optional<LeaseRecord> lease, Instant now) {
        StatefulSetInfo sts = states.statefulSet();
        List<String> lines = new ArrayList<>();
        lines.add("StatefulSet " + sts.name() + " in namespace " + sts.namespace() + ": " + sts.replicas()
                + " replicas, " + states.published().size() + " published");
        lines.add(String.format("%-24s %-10s %-5s %-36s %10s %-4s %-9s %s", "POD", "PHASE", "EMPTY", "UUID", "SEQNO",
                "SAFE", "RECOVERED", "DECISION"));
        for (int i = 0; i < sts.replicas(); i++) {
            String pod = sts.podName(i);
            PublishedState s = states.published().get(i);
            if (s != null) {
                lines.add(String.format("%-24s %-10s %-5s %-36s %10d %-4s %-9s %s", pod, s.phase(), s.empty() ? "yes" : "no",
                        s.uuid() == null ? "-" : s.uuid(), s.seqno(), s.safeToBootstrap() ? "yes" : "no",
                        s.seqnoRecovered() ? "yes" : "no",
                        (s.decision() == null ? "-" : s.decision()) + (s.forcedFrom() == null ? "" : " (forced from " + s.forcedFrom() + ")")
                                + (s.time() == null ? "" : " at " + s.time())));
            } else if (states.malformed().containsKey(i)) {
                lines.add(String.format("%-24s malformed state: %s", pod, states.malformed().get(i)));
            } else if (states.unpublished().contains(i)) {
                lines.add(String.format("%-24s (nothing published yet)", pod));
            } else {
                lines.add(String.format("%-24s (no such pod)", pod));
            }
        }
        if (!states.notPublished().isEmpty()) {
            lines.add("not published: " + states.notPublished().stream().map(sts::podName).toList());
        }
        lines.add("Lease " + sts.leaseName() + ": " + lease.map(l -> describe(l, now)).orElse("not created"));
        return String.join("\n", lines);
    }

    private static String describe(LeaseRecord lease, Instant now) {
        String position = " (uuid " + (lease.clusterUuid() == null ? "-" : lease.clusterUuid()) + ", seqno "
                + (lease.seqno() == null ? "-" : lease.seqno()) + ")";
        if (lease.holder() == null) {
            return "free" + position;
        }
        return (lease.heldAt(now) ? "held by " : "expired, last held by ") + lease.holder() + position
                + " until " + lease.expiresAt();
    }

    @Override
    public void close() {
        client.close();
    }
}
