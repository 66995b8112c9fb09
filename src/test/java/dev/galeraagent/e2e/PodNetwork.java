package dev.galeraagent.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Plays the pod network of a Kubernetes node: each pod is a network namespace {@code gae-N} with
 * its own address 10.231.0.(11+N) on a bridge that lives in a namespace of its own,
 * {@code gae-net} (10.231.0.10), where dnsmasq answers the headless Service's names as CoreDNS
 * would: A and PTR records per pod, the Service name, and SRV {@code _galera._tcp} /
 * {@code _mysql._tcp}, for every pod that exists whether or not it is ready
 * ({@code publishNotReadyAddresses: true}). The root namespace gets no address in the subnet, so
 * nothing the pods send can leave, and while the network exists it has an {@code unreachable} route for
 * the subnet, so nothing the host sends to a pod's address leaves either.
 */
public final class PodNetwork implements AutoCloseable {
    public static final String BRIDGE_NS = "gae-net";
    public static final String DNS_IP = "10.231.0.10";
    public static final String SUBNET = "10.231.0.0/24";
    public static final int MAX_PODS = 5;
    public static final String NAMESPACE = "default";
    public static final String SERVICE = "galera";
    public static final String STATEFULSET = "galera";
    public static final String CLUSTER_DOMAIN = "cluster.local";
    public static final String SERVICE_DOMAIN = SERVICE + "." + NAMESPACE + ".svc." + CLUSTER_DOMAIN;

    private static final String BRIDGE = "gae-br0";
    private static final Path ETC_NETNS = Path.of("/etc/netns");

    private final Path dir;
    private final Set<Integer> pods = new TreeSet<>();
    private Process dnsmasq;

    private PodNetwork(Path dir) {
        this.dir = dir;
    }

    /** Removes what a crashed earlier run left behind, then creates the bridge and the DNS server. */
    public static PodNetwork create(Path dir) throws IOException {
        removeLeftovers();
        Files.createDirectories(dir);
        PodNetwork net = new PodNetwork(dir);
        try {
            runIp("netns", "add", BRIDGE_NS);
            runIp("-n", BRIDGE_NS, "link", "set", "lo", "up");
            runIp("-n", BRIDGE_NS, "link", "add", BRIDGE, "type", "bridge");
            // a bridge takes the lowest MAC of its ports unless given one: a pod added later would
            // change it under the others' ARP caches and cut them off from DNS for a while
            runIp("-n", BRIDGE_NS, "link", "set", BRIDGE, "address", "02:00:0a:e7:00:0a");
            runIp("-n", BRIDGE_NS, "addr", "add", DNS_IP + "/24", "dev", BRIDGE);
            runIp("-n", BRIDGE_NS, "link", "set", BRIDGE, "up");
            // from the host, the pods' addresses answer "unreachable" at once instead of leaving the
            // machine by the default route: only the namespaces reach them (ip netns exec)
            runIp("route", "replace", "unreachable", SUBNET);
            net.restartDns();
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    public static String netns(int ordinal) {
        return "gae-" + ordinal;
    }

    public static String podName(int ordinal) {
        return STATEFULSET + "-" + ordinal;
    }

    public static String ip(int ordinal) {
        if (ordinal < 0 || ordinal >= MAX_PODS) {
            throw new IllegalArgumentException("pod ordinal out of range 0.." + (MAX_PODS - 1) + ": " + ordinal);
        }
        return "10.231.0." + (11 + ordinal);
    }

    /** The pod's stable DNS name, {@code galera-N.galera.default.svc.cluster.local}. */
    public static String fqdn(int ordinal) {
        return podName(ordinal) + "." + SERVICE_DOMAIN;
    }

    public synchronized Set<Integer> pods() {
        return Set.copyOf(pods);
    }

    /** Creates pod N's namespace and interface and publishes its names. */
    public synchronized void addPod(int i) throws IOException {
        if (pods.contains(i)) {
            return;
        }
        String ns = netns(i);
        String veth = "gae-veth" + i;
        runIp("netns", "add", ns);
        pods.add(i);
        runIp("-n", ns, "link", "set", "lo", "up");
        // created inside the bridge namespace, its peer goes straight into the pod as eth0
        runIp("-n", BRIDGE_NS, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        runIp("-n", BRIDGE_NS, "link", "set", veth, "master", BRIDGE, "up");
        runIp("-n", ns, "addr", "add", ip(i) + "/24", "dev", "eth0");
        runIp("-n", ns, "link", "set", "eth0", "up");
        // 'ip netns exec' bind-mounts these over /etc/resolv.conf and /etc/hosts, as the kubelet does
        Path etc = ETC_NETNS.resolve(ns);
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("resolv.conf"), "nameserver " + DNS_IP + "\n"
                + "search " + NAMESPACE + ".svc." + CLUSTER_DOMAIN + " svc." + CLUSTER_DOMAIN + " " + CLUSTER_DOMAIN + "\n"
                + "options ndots:5\n");
        Files.writeString(etc.resolve("hosts"), "127.0.0.1\tlocalhost\n" + ip(i) + "\t" + fqdn(i) + "\t" + podName(i) + "\n");
        restartDns();
    }

    /** Deletes pod N (a scale-down): its names disappear from DNS, its namespace goes. */
    public synchronized void removePod(int i) throws IOException {
        if (!pods.remove(i)) {
            return;
        }
        restartDns();
        deleteNamespace(netns(i));
    }

    /** Cuts pod N off from every other pod and from DNS, as a network partition would. */
    public void partition(int i) throws IOException {
        runIp("-n", BRIDGE_NS, "link", "set", "gae-veth" + i, "down");
    }

    public void heal(int i) throws IOException {
        runIp("-n", BRIDGE_NS, "link", "set", "gae-veth" + i, "up");
    }

    public Path dir() {
        return dir;
    }

    public long dnsPid() {
        return dnsmasq.pid();
    }

    /**
     * Rewrites the records for the pods that exist and restarts dnsmasq. A SIGHUP would re-read
     * the hosts file but not the SRV records, which live in the configuration, so a change of the
     * pod set restarts it (about 50 ms in which a query may need a retry, like a CoreDNS reload).
     */
    private void restartDns() throws IOException {
        StringBuilder hosts = new StringBuilder();
        StringBuilder conf = new StringBuilder()
                .append("# the headless Service ").append(SERVICE).append(" of namespace ").append(NAMESPACE).append('\n')
                .append("no-resolv\nno-hosts\nno-poll\ndomain-needed\nbind-interfaces\n")
                .append("local=/").append(CLUSTER_DOMAIN).append("/\n")
                .append("listen-address=").append(DNS_IP).append('\n')
                .append("port=53\nlocal-ttl=1\n")
                .append("user=root\n")
                .append("pid-file=").append(dir.resolve("dnsmasq.pid")).append('\n')
                .append("addn-hosts=").append(dir.resolve("hosts")).append('\n')
                .append("log-queries\nlog-facility=").append(dir.resolve("dnsmasq.log")).append('\n');
        for (int i : pods) {
            hosts.append(ip(i)).append(' ').append(fqdn(i)).append(' ').append(SERVICE_DOMAIN).append('\n');
            conf.append("srv-host=_mysql._tcp.").append(SERVICE_DOMAIN).append(',').append(fqdn(i)).append(",3306,0,10\n");
            conf.append("srv-host=_galera._tcp.").append(SERVICE_DOMAIN).append(',').append(fqdn(i)).append(",4567,0,10\n");
        }
        Files.writeString(dir.resolve("hosts"), hosts);
        Files.writeString(dir.resolve("dnsmasq.conf"), conf);
        stopDns();
        dnsmasq = new ProcessBuilder("ip", "netns", "exec", BRIDGE_NS, "dnsmasq", "--keep-in-foreground",
                "--conf-file=" + dir.resolve("dnsmasq.conf"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dnsmasq.out").toFile()))
                .start();
        awaitDns();
    }

    private void awaitDns() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!dnsmasq.isAlive()) {
                throw new IOException("dnsmasq exited " + dnsmasq.exitValue() + ": " + tail(dir.resolve("dnsmasq.out")));
            }
            // the UDP socket on 53 is bound once dnsmasq has read its configuration
            Exec.Result r = Exec.run(Duration.ofSeconds(5), List.of("ip", "netns", "exec", BRIDGE_NS, "ss", "-Hlun", "sport = :53"));
            if (r.ok() && r.output().contains(DNS_IP)) {
                return;
            }
            sleep(50);
        }
        throw new IOException("dnsmasq did not listen on " + DNS_IP + ":53 within 10 s");
    }

    private void stopDns() {
        if (dnsmasq != null && dnsmasq.isAlive()) {
            dnsmasq.destroy();
            if (!Exec.awaitExit(dnsmasq.toHandle(), Duration.ofSeconds(5))) {
                Exec.killTree(dnsmasq.toHandle());
            }
        }
    }

    @Override
    public synchronized void close() {
        stopDns();
        for (int i : new ArrayList<>(pods)) {
            deleteNamespace(netns(i));
        }
        pods.clear();
        deleteNamespace(BRIDGE_NS);
        try {
            Exec.run("ip", "route", "del", "unreachable", SUBNET);
        } catch (IOException e) {
            System.err.println("[e2e] could not remove the route unreachable " + SUBNET + ": " + e.getMessage());
        }
    }

    /** Namespaces named {@code gae-*} are this harness's alone: anything still in one is a leftover of ours. */
    public static void removeLeftovers() throws IOException {
        for (String line : Exec.ok("ip", "netns", "list").split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (ns.startsWith("gae-")) {
                deleteNamespace(ns);
            }
        }
        if (Files.isDirectory(ETC_NETNS)) {
            try (Stream<Path> s = Files.list(ETC_NETNS)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith("gae-")).toList()) {
                    deleteTree(p);
                }
            }
        }
    }

    private static void deleteNamespace(String ns) {
        try {
            killProcessesIn(ns);
            Exec.run("ip", "netns", "del", ns);
            deleteTree(ETC_NETNS.resolve(ns));
        } catch (IOException e) {
            System.err.println("[e2e] could not delete namespace " + ns + ": " + e.getMessage());
        }
    }

    /** SIGKILL, by PID, every process still inside one of our namespaces. */
    static void killProcessesIn(String ns) throws IOException {
        Exec.Result r = Exec.run("ip", "netns", "pids", ns);
        if (!r.ok()) {
            return;
        }
        for (String pid : r.output().split("\\s+")) {
            if (!pid.isBlank()) {
                Exec.kill9(Long.parseLong(pid.strip()));
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    static String runIp(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        return Exec.ok(cmd.toArray(String[]::new));
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no " + file + ")";
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
