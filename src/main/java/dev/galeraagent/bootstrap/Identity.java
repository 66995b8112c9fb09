package dev.galeraagent.bootstrap;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who this pod is and how its peers are named. A minimal stand-in built from options until the
 * discovery package's {@code PodIdentity} (resolv.conf, DNS) is wired in its place by the lead; the
 * loop only needs these values.
 */
public record Identity(String podName, String statefulSet, int ordinal, String namespace, String service, String clusterDomain,
        Optional<String> podIp) {
    private static final Pattern POD = Pattern.compile("([a-z0-9]([a-z0-9.-]*[a-z0-9])?)-([0-9]{1,5})");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");

    public Identity {
        check("--pod-namespace", namespace);
        check("--service", service);
        check("--cluster-domain", clusterDomain);
    }

    /** @throws IllegalArgumentException with a one-line reason when the name has no ordinal */
    public static Identity of(String podName, String namespace, String service, String clusterDomain, Optional<String> podIp) {
        Matcher m = POD.matcher(podName == null ? "" : podName);
        if (!m.matches()) {
            throw new IllegalArgumentException("pod name '" + podName + "' has no ordinal: expected <statefulset>-<number>, like galera-0");
        }
        return new Identity(podName, m.group(1), Integer.parseInt(m.group(3)), namespace, service, clusterDomain, podIp);
    }

    private static void check(String option, String value) {
        if (value == null || !LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(option + ": '" + value + "' is not a DNS name (lower-case letters, digits, '.', '-')");
        }
    }

    /** {@code <sts>-<i>.<service>.<ns>.svc.<domain>}: the one place that builds a peer's name. */
    public String peerName(int i) {
        return statefulSet + "-" + i + "." + service + "." + namespace + ".svc." + clusterDomain;
    }

    public List<Peer> peers(int replicas) {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            peers.add(new Peer(i, peerName(i)));
        }
        return peers;
    }
}
