package dev.galeraagent.kube;

import dev.galeraagent.log.Log;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * {@link EventSink} through the API: a core/v1 Event on this pod per call ({@code POST .../events}, RBAC
 * {@code create events}). Never throws. A failure is logged as a warning (once per distinct message); a forbidden
 * or unreachable API is said once and no Event is tried again in this process, so a Role without
 * {@code create events} costs one line, not one failed call per decision.
 *
 * <p>Each Event is labelled {@value #STATEFULSET_LABEL}={@code <statefulset>}, so that {@code agent status} finds a
 * StatefulSet's Events in one list call. The involved object carries the Pod's uid when it could be read (one
 * {@code get pods}, once): {@code kubectl describe pod} only shows Events whose uid matches.
 */
final class KubeEvents implements EventSink {
    /** The label on every Event the agent records: the StatefulSet's name. */
    public static final String STATEFULSET_LABEL = "galera-agent.io/statefulset";
    /** {@code source.component} and {@code reportingComponent} of the agent's Events. */
    public static final String COMPONENT = "galera-agent";
    /** The API server rejects longer notes from events.k8s.io clients; core/v1 accepts more, kubectl shows less. */
    static final int MAX_MESSAGE = 1024;

    private static final Log LOG = Log.of("events");

    private final KubernetesClient client;
    private final KubeCalls calls;
    private final String pod;
    private final String statefulSet;
    private final Clock clock;
    private String uid;
    private boolean uidTried;
    private boolean off;
    private long lastStamp;
    private String lastWarning;

    KubeEvents(KubernetesClient client, KubeCalls calls, String pod, String statefulSet, Clock clock) {
        this.client = client;
        this.calls = calls;
        this.pod = pod;
        this.statefulSet = statefulSet;
        this.clock = clock;
    }

    @Override
    public synchronized void record(EventReason reason, String message) {
        if (off) {
            LOG.debug("not recorded (no API access): " + reason.reason() + " " + message);
            return;
        }
        try {
            create(reason, message);
        } catch (KubeApiException e) {
            if (e.noApiAccess()) {
                off = true;
                LOG.warn("cannot record Event " + reason.reason() + " on pod " + pod + ": " + e.getMessage()
                        + "; no more Events are recorded by this process (the agent goes on without them)");
            } else {
                warnOnce("cannot record Event " + reason.reason() + " on pod " + pod + ": " + e.getMessage() + " (the agent goes on)");
            }
        } catch (RuntimeException e) {
            // a bug in the model or the client must not stop a bootstrap or the sidecar either
            warnOnce("cannot record Event " + reason.reason() + " on pod " + pod + ": " + e + " (the agent goes on)");
        }
    }

    private void create(EventReason reason, String message) {
        Instant now = clock.instant();
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(pod + "." + Long.toHexString(stamp(now)))
                .withNamespace(calls.namespace())
                .withLabels(Map.of(STATEFULSET_LABEL, statefulSet))
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("v1").withKind("Pod").withName(pod).withNamespace(calls.namespace()).withUid(uid())
                .endInvolvedObject()
                .withReason(reason.reason())
                .withType(reason.type())
                .withMessage(text)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withReportingInstance(pod)
                .withFirstTimestamp(time)
                .withLastTimestamp(time)
                .withCount(1)
                .build();
        calls.run("create", "events", null, () -> client.v1().events().inNamespace(calls.namespace()).resource(event).create());
        LOG.debug("recorded Event " + reason.reason() + " on pod " + pod + ": " + text);
    }

    /** Nanoseconds since the epoch, strictly increasing in this process: the Event names never collide. */
    private long stamp(Instant now) {
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        lastStamp = Math.max(nanos, lastStamp + 1);
        return lastStamp;
    }

    private String uid() {
        if (!uidTried) {
            uidTried = true;
            try {
                Pod p = calls.run("get", "pods", pod, () -> client.pods().inNamespace(calls.namespace()).withName(pod).get());
                uid = p == null ? null : p.getMetadata().getUid();
            } catch (KubeApiException e) {
                if (e.noApiAccess()) {
                    throw e; // the create would fail the same way: one failed call is enough
                }
                LOG.debug("no uid for pod " + pod + " (its Events will not show in kubectl describe): " + e.getMessage());
            }
        }
        return uid;
    }

    private void warnOnce(String warning) {
        if (!warning.equals(lastWarning)) {
            LOG.warn(warning);
            lastWarning = warning;
        }
    }
}
