package dev.galeraagent.discovery;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Who this pod is in its StatefulSet, and the one place that builds the DNS names of it and its peers.
 * Built from plain values ({@link #fromEnv}) so tests never touch the real environment. Every name in it
 * has been validated as a DNS label or name, so it is safe to write into Galera's config.
 *
 * @param podName             the pod's name, {@code <statefulSet>-<ordinal>}
 * @param ordinal             the number after the last {@code -} of the pod name
 * @param statefulSet         the part of the pod name before the last {@code -}
 * @param namespace           the pod's namespace
 * @param podIp               the pod's IP address as a literal, or null when not given
 * @param service             the headless Service that publishes the pods' names
 * @param clusterDomain       the cluster's DNS domain, such as {@code cluster.local}
 * @param clusterDomainSource where {@code clusterDomain} came from, for people reading the decision
 */
public record PodIdentity(
        String podName,
        int ordinal,
        String statefulSet,
        String namespace,
        String podIp,
        String service,
        String clusterDomain,
        DomainSource clusterDomainSource) {

    public static final String DEFAULT_SERVICE = "galera";
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    public static final String DEFAULT_NAMESPACE = "default";
    public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

    /** Where the cluster domain came from. */
    public enum DomainSource {
        /** {@code --cluster-domain} / {@code AGENT_CLUSTER_DOMAIN}. */
        GIVEN,
        /** The {@code <namespace>.svc.<domain>} (or {@code svc.<domain>}) entry of resolv.conf's search list. */
        RESOLV_CONF,
        /** Neither was there: {@value PodIdentity#DEFAULT_CLUSTER_DOMAIN}. */
        DEFAULT
    }

    /** Validates every part; a bad one is an {@link AgentException} with {@link ExitCode#USAGE} naming the value. */
    public PodIdentity {
        try {
            DnsNames.requireLabel("pod name", podName);
            DnsNames.requireLabel("StatefulSet name", statefulSet);
            if (!podName.equals(statefulSet + "-" + ordinal)) {
                throw new IllegalArgumentException("pod name " + DnsNames.quote(podName) + " is not StatefulSet "
                        + DnsNames.quote(statefulSet) + " and ordinal " + ordinal);
            }
            DnsNames.requireLabel("namespace", namespace);
            DnsNames.requireLabel("service", service);
            DnsNames.requireName("cluster domain", clusterDomain);
            if (podIp != null) {
                requireIpLiteral(podIp);
            }
            if (clusterDomainSource == null) {
                throw new IllegalArgumentException("cluster domain source is missing");
            }
            DnsNames.requireName("pod FQDN", fqdn(statefulSet, ordinal, service, namespace, clusterDomain));
        } catch (IllegalArgumentException e) {
            throw new AgentException(ExitCode.USAGE, e.getMessage(), e);
        }
    }

    /**
     * Builds the identity from the Downward API's variables, as Kubernetes sets them.
     *
     * @param env           reads {@code POD_NAME}, {@code POD_NAMESPACE}, {@code POD_IP}; an empty value counts as absent
     * @param hostname      the pod name when {@code POD_NAME} is absent (Kubernetes sets the hostname to the pod
     *                      name); only its first label is used
     * @param resolvConf    the text of {@code /etc/resolv.conf}, or null when it cannot be read
     * @param service       the headless Service's name, or null for {@value #DEFAULT_SERVICE}
     * @param clusterDomain {@code --cluster-domain}, or null to read it from {@code resolvConf}, else
     *                      {@value #DEFAULT_CLUSTER_DOMAIN}
     * @throws AgentException with {@link ExitCode#USAGE} when a value is missing or not a safe name
     */
    public static PodIdentity fromEnv(Map<String, String> env, String hostname, String resolvConf,
                                      String service, String clusterDomain) {
        String podName = present(env.get("POD_NAME"));
        if (podName == null) {
            String host = present(hostname);
            if (host == null) {
                throw new AgentException(ExitCode.USAGE, "no pod name: POD_NAME is not set and the hostname is empty");
            }
            int dot = host.indexOf('.');
            podName = dot > 0 ? host.substring(0, dot) : host;
        }
        int dash = podName.lastIndexOf('-');
        if (dash < 0) {
            throw new AgentException(ExitCode.USAGE, "pod name " + DnsNames.quote(podName)
                    + " has no ordinal: a StatefulSet pod is named <statefulset>-<ordinal>");
        }
        int ordinal = parseOrdinal(podName, podName.substring(dash + 1));
        String statefulSet = podName.substring(0, dash);
        try {
            DnsNames.requireLabel("StatefulSet name", statefulSet);
        } catch (IllegalArgumentException e) {
            throw new AgentException(ExitCode.USAGE, "pod name " + DnsNames.quote(podName) + ": " + e.getMessage(), e);
        }
        String namespace = present(env.get("POD_NAMESPACE"));
        if (namespace == null) {
            namespace = DEFAULT_NAMESPACE;
        }
        String svc = present(service) == null ? DEFAULT_SERVICE : service;

        String domain;
        DomainSource source;
        if (present(clusterDomain) != null) {
            domain = stripDot(clusterDomain.toLowerCase(Locale.ROOT));
            source = DomainSource.GIVEN;
        } else {
            domain = domainFromResolvConf(resolvConf, namespace);
            source = DomainSource.RESOLV_CONF;
            if (domain == null) {
                domain = DEFAULT_CLUSTER_DOMAIN;
                source = DomainSource.DEFAULT;
            }
        }
        return new PodIdentity(podName, ordinal, statefulSet, namespace, present(env.get("POD_IP")), svc, domain, source);
    }

    /** This pod's stable name: {@code <sts>-<ordinal>.<service>.<namespace>.svc.<domain>}. */
    public String fqdn() {
        return peerFqdn(ordinal);
    }

    /** The headless Service's name: {@code <service>.<namespace>.svc.<domain>}. */
    public String serviceFqdn() {
        return service + "." + namespace + ".svc." + clusterDomain;
    }

    /** The stable name of the pod with ordinal {@code i} in this StatefulSet. */
    public String peerFqdn(int i) {
        if (i < 0) {
            throw new IllegalArgumentException("ordinal " + i + " is negative");
        }
        return fqdn(statefulSet, i, service, namespace, clusterDomain);
    }

    /** The names of every pod {@code i < replicas}, this one included, in ordinal order. */
    public List<String> peerFqdns(int replicas) {
        if (replicas < 1) {
            throw new AgentException(ExitCode.USAGE, "replicas must be at least 1, got " + replicas);
        }
        List<String> names = new ArrayList<>(replicas);
        for (int i = 0; i < replicas; i++) {
            String name = peerFqdn(i);
            // a long StatefulSet name plus a large ordinal can exceed a DNS label or name
            try {
                DnsNames.requireLabel("peer pod name", statefulSet + "-" + i);
                DnsNames.requireName("peer FQDN", name);
            } catch (IllegalArgumentException e) {
                throw new AgentException(ExitCode.USAGE, e.getMessage(), e);
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    /** One line for logs and {@code --dry-run}. */
    public String describe() {
        return "pod " + podName + " (ordinal " + ordinal + " of StatefulSet " + statefulSet + ") in namespace " + namespace
                + ", fqdn " + fqdn() + ", ip " + (podIp == null ? "unknown" : podIp)
                + ", cluster domain " + clusterDomain + " (" + switch (clusterDomainSource) {
                    case GIVEN -> "given";
                    case RESOLV_CONF -> "from resolv.conf";
                    case DEFAULT -> "default";
                } + ")";
    }

    /**
     * Finds the cluster domain in resolv.conf's search list: the entry {@code <namespace>.svc.<domain>} that
     * Kubernetes puts first, else an entry {@code svc.<domain>}. Returns null when there is neither.
     * The last {@code search} or {@code domain} line wins, as for the C resolver.
     */
    static String domainFromResolvConf(String resolvConf, String namespace) {
        if (resolvConf == null) {
            return null;
        }
        List<String> search = List.of();
        for (String raw : resolvConf.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String[] words = line.split("\\s+");
            if ((words[0].equals("search") || words[0].equals("domain")) && words.length > 1) {
                List<String> entries = new ArrayList<>();
                for (int i = 1; i < words.length; i++) {
                    if (words[i].startsWith("#") || words[i].startsWith(";")) {
                        break;
                    }
                    entries.add(stripDot(words[i].toLowerCase(Locale.ROOT)));
                }
                search = entries;
            }
        }
        String nsPrefix = namespace + ".svc.";
        for (String entry : search) {
            if (entry.startsWith(nsPrefix) && entry.length() > nsPrefix.length()) {
                return requireDomainFromResolvConf(entry.substring(nsPrefix.length()), entry);
            }
        }
        for (String entry : search) {
            if (entry.startsWith("svc.") && entry.length() > 4) {
                return requireDomainFromResolvConf(entry.substring(4), entry);
            }
        }
        return null;
    }

    private static String requireDomainFromResolvConf(String domain, String entry) {
        try {
            return DnsNames.requireName("cluster domain", domain);
        } catch (IllegalArgumentException e) {
            throw new AgentException(ExitCode.USAGE, "resolv.conf search entry " + DnsNames.quote(entry)
                    + " does not hold a valid cluster domain; give --cluster-domain", e);
        }
    }

    private static int parseOrdinal(String podName, String digits) {
        String problem = null;
        if (digits.isEmpty()) {
            problem = "has no ordinal after its last '-'";
        } else if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            problem = "has no ordinal: " + DnsNames.quote(digits) + " after its last '-' is not a number";
        } else if (digits.length() > 1 && digits.charAt(0) == '0') {
            problem = "has ordinal " + DnsNames.quote(digits) + " with a leading zero, which a StatefulSet never makes";
        } else if (digits.length() > 9) {
            problem = "has ordinal " + DnsNames.quote(digits) + ", which is too large";
        }
        if (problem != null) {
            throw new AgentException(ExitCode.USAGE, "pod name " + DnsNames.quote(podName) + " " + problem
                    + ": a StatefulSet pod is named <statefulset>-<ordinal>");
        }
        return Integer.parseInt(digits);
    }

    private static void requireIpLiteral(String ip) {
        // InetAddress.ofLiteral also takes forms like "10.0.0" for 10.0.0.0; a pod IP is never written so
        boolean plausible = ip.indexOf(':') >= 0
                ? ip.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':')
                : IPV4.matcher(ip).matches();
        try {
            if (plausible) {
                InetAddress.ofLiteral(ip);
                return;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below with the same message as other bad values
        }
        throw new IllegalArgumentException("pod IP " + DnsNames.quote(ip) + " is not an IPv4 or IPv6 address");
    }

    private static String fqdn(String sts, int i, String service, String namespace, String domain) {
        return sts + "-" + i + "." + service + "." + namespace + ".svc." + domain;
    }

    private static String present(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
