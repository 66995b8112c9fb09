package dev.galeraagent.kube;

import dev.galeraagent.position.Position;
import dev.galeraagent.handoff.LeaseRecord;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.PublishedState;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

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
    private static final Log LOG = Log.of("kube");

    private final KubernetesClient client;
    private final KubeCalls calls;
    private final Clock clock;
    private final MemberStates states;

    /** Uses {@code client} (closed with this object) for every call in {@code namespace}. */
    public KubeApi(KubernetesClient client, String namespace) {
        this(client, namespace, Clock.systemUTC());
    }

    /** @param clock the time Leases are taken, renewed and judged by */
    public KubeApi(KubernetesClient client, String namespace, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.calls = new KubeCalls(Objects.requireNonNull(namespace, "namespace"), String.valueOf(client.getMasterUrl()));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.states = new MemberStates(client, calls);
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
        Pod pod = states.getPod(podName);
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
     * Reads the pods {@code <sts>-0 .. <sts>-(replicas-1)} and their published states; see {@link MemberStates#readStates}.
     */
    public PodStates readStates(StatefulSetInfo sts) {
        return states.readStates(sts);
    }

    /** Publishes {@code state} as pod {@code podName}'s entry; see {@link MemberStates#publish}. True when it wrote. */
    public boolean publish(StatefulSetInfo sts, String podName, PublishedState state) {
        return states.publish(sts, podName, state);
    }

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
            public LeaseOutcome tryAcquireLease(String holder, Optional<Position> from, Duration term) {
                return api.lease(sts).tryAcquire(holder, from, term);
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
        return states.pods(sts);
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
