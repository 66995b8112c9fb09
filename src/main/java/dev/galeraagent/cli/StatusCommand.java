package dev.galeraagent.cli;

import dev.galeraagent.discovery.PeerStatus;
import dev.galeraagent.discovery.PeerStatusClient;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.kube.KubeApi;
import dev.galeraagent.kube.KubeApiException;
import dev.galeraagent.kube.PodInfo;
import dev.galeraagent.kube.PodStates;
import dev.galeraagent.kube.StatefulSetInfo;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.StatusJson;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code agent status}: the cluster at a glance, from a pod or from a laptop; also {@code kubectl galera status}. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        versionProvider = AgentCommand.VersionProvider.class,
        description = {
            "Shows every pod of the StatefulSet (Kubernetes phase, the agent's phase, Galera state, cluster uuid, seqno, last "
                + "decision and its reasons, ready and live), who holds the bootstrap Lease and since when, whether the pods share "
                + "one history, the agent's recent Events, and what, if anything, a person must do.",
            "Reads the Kubernetes API and each pod's sidecar (GET /status); changes nothing. As a kubectl plugin: kubectl galera status.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:nothing to do", " 1:a person must act (see 'To do')", " 2:bad usage",
            " 5:the Kubernetes API failed (unreachable, forbidden, no such StatefulSet)"})
public final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Reach the API with this kubeconfig. Default: in a pod its service account, else KUBECONFIG or ~/.kube/config.")
    Path kubeconfig;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", defaultValue = "${env:POD_NAMESPACE:-}",
            description = "The StatefulSet's namespace. Default: the kubeconfig context's, else default. (env: POD_NAMESPACE)")
    String namespace;

    @Option(names = "--statefulset", paramLabel = "NAME", defaultValue = "${env:AGENT_STATEFULSET:-}",
            description = "The StatefulSet. Default: in a pod (POD_NAME set) its own, else galera. (env: AGENT_STATEFULSET)")
    String statefulSet;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "${env:AGENT_OUTPUT:-table}",
            description = "table or json. Default: ${DEFAULT-VALUE}. (env: AGENT_OUTPUT)")
    String output;

    @Option(names = "--status-port", paramLabel = "PORT", defaultValue = "${env:AGENT_STATUS_PORT:-9800}",
            description = "The sidecars' port. Default: ${DEFAULT-VALUE}. (env: AGENT_STATUS_PORT)")
    int statusPort;

    @Option(names = "--no-sidecars", defaultValue = "${env:AGENT_NO_SIDECARS:-false}",
            description = "Do not ask the pods' sidecars (from outside the cluster their addresses are usually unreachable: "
                    + "that costs --status-timeout). (env: AGENT_NO_SIDECARS)")
    boolean noSidecars;

    @Option(names = "--status-timeout", paramLabel = "DURATION", defaultValue = "${env:AGENT_STATUS_TIMEOUT:-1s}", converter = DurationConverter.class,
            description = "How long to wait for the sidecars' /status, all asked at once. Default: ${DEFAULT-VALUE}. (env: AGENT_STATUS_TIMEOUT)")
    Duration statusTimeout;

    @Option(names = "--lease-warn-after", paramLabel = "DURATION", defaultValue = "${env:AGENT_LEASE_WARN_AFTER:-10m}", converter = DurationConverter.class,
            description = "A bootstrap Lease held longer than this is something to look at. Default: ${DEFAULT-VALUE}. (env: AGENT_LEASE_WARN_AFTER)")
    Duration leaseWarnAfter;

    @Override
    public Integer call() {
        Log.setDebug(common.verbose);
        if (!output.equals("table") && !output.equals("json")) {
            throw new AgentException(ExitCode.USAGE, "--output must be table or json, was '" + output + "'");
        }
        if (statusPort < 1 || statusPort > 65535) {
            throw new AgentException(ExitCode.USAGE, "--status-port must be 1-65535, was " + statusPort);
        }
        if (statusTimeout.isZero() || statusTimeout.isNegative() || leaseWarnAfter.isNegative()) {
            throw new AgentException(ExitCode.USAGE, "--status-timeout must be positive and --lease-warn-after not negative");
        }
        try (KubeApi api = KubeApi.connectTo(Optional.ofNullable(kubeconfig), Optional.of(namespace))) {
            StatefulSetInfo sts = statefulSet(api);
            PodStates states = api.readStates(sts);
            SortedMap<Integer, PodInfo> pods = api.pods(sts);
            var lease = api.lease(sts).current();
            ClusterView.History history;
            try {
                history = new ClusterView.History.Read(api.agentEvents(sts));
            } catch (KubeApiException e) {
                history = new ClusterView.History.Unreadable(e.kind() == KubeApiException.Kind.FORBIDDEN
                        ? "not allowed to list events (the agent's Role only creates them): run it as a user who may, e.g. kubectl galera status"
                        : e.getMessage());
            }
            Map<Integer, PeerStatus> sidecars = noSidecars ? Map.of() : sidecars(pods);
            ClusterView.Summary summary = ClusterView.summarize(new ClusterView.Inputs(sts, states, pods, sidecars, lease, history,
                    Clock.systemUTC().instant(), leaseWarnAfter));
            PrintWriter out = spec.commandLine().getOut();
            out.print(output.equals("json") ? StatusJson.write(summary) + "\n" : ClusterTable.render(summary));
            out.flush();
            return summary.actionNeeded() ? ExitCode.CHECK_FAILED.code() : ExitCode.OK.code();
        }
    }

    private StatefulSetInfo statefulSet(KubeApi api) {
        if (!statefulSet.isBlank()) {
            return api.statefulSet(null, Optional.of(statefulSet));
        }
        String podName = System.getenv("POD_NAME");
        if (podName != null && !podName.isBlank()) {
            return api.statefulSet(podName, Optional.empty());
        }
        return api.statefulSet(null, Optional.of("galera"));
    }

    /** Every pod with an IP, asked at once; the answers by ordinal. */
    private Map<Integer, PeerStatus> sidecars(SortedMap<Integer, PodInfo> pods) {
        List<PeerStatusClient.Endpoint> endpoints = new ArrayList<>();
        for (PodInfo pod : pods.values()) {
            if (pod.ip() == null) {
                continue;
            }
            try {
                // an IP literal: no lookup happens
                endpoints.add(new PeerStatusClient.Endpoint(pod.ordinal(), pod.name(), InetAddress.getByName(pod.ip()), statusPort));
            } catch (UnknownHostException e) {
                Log.of("status").warn("pod " + pod.name() + " has an unusable IP '" + pod.ip() + "': its sidecar is not asked");
            }
        }
        Map<Integer, PeerStatus> answers = new HashMap<>();
        try (PeerStatusClient client = new PeerStatusClient(statusTimeout.dividedBy(2), statusTimeout)) {
            client.fetchEndpoints(endpoints).forEach(a -> answers.put(a.ordinal(), a));
        }
        return answers;
    }
}
