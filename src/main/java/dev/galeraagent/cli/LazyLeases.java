package dev.galeraagent.cli;

import dev.galeraagent.handoff.HandOffTask;
import dev.galeraagent.kube.BootstrapLease;
import dev.galeraagent.kube.EventReason;
import dev.galeraagent.kube.EventSink;
import dev.galeraagent.kube.KubeApi;
import dev.galeraagent.log.Log;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens the Kubernetes client only when a hand-off names a Lease: a node without one never loads fabric8,
 * which would cost the long-running sidecar memory for nothing.
 */
final class LazyLeases implements HandOffTask.LeaseOpener, EventSink, AutoCloseable {
    private final Optional<Path> kubeconfig;
    private final ProbeCommand.Who who;
    private KubeApi api;
    private EventSink events;

    LazyLeases(Optional<Path> kubeconfig, ProbeCommand.Who who) {
        this.kubeconfig = kubeconfig;
        this.who = who;
    }

    @Override
    public synchronized BootstrapLease open(String namespace, String name) {
        return api(namespace).lease(name);
    }

    private KubeApi api(String namespace) {
        if (api != null && !api.namespace().equals(namespace)) {
            close();
        }
        if (api == null) {
            api = KubeApi.connect(kubeconfig, namespace);
        }
        return api;
    }

    /** Events go on this pod, in its namespace; a pod outside a StatefulSet (a laptop, a test) records none. */
    @Override
    public synchronized void record(EventReason reason, String message) {
        if (who.ordinal() == null) {
            return;
        }
        try {
            if (events == null || api == null || !api.namespace().equals(who.namespace())) {
                String statefulSet = who.pod().substring(0, who.pod().lastIndexOf('-'));
                events = api(who.namespace()).events(who.pod(), statefulSet);
            }
            events.record(reason, message);
        } catch (RuntimeException e) { // no client (an unreadable kubeconfig): an Event is never worth stopping for
            Log.of("events").warn("cannot record Event " + reason.reason() + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (api != null) {
            api.close();
            api = null;
        }
        events = null;
    }
}
