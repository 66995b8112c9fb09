package dev.galeraagent.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real dnsmasq started by a test, playing the cluster DNS: it answers only from the hosts and SRV
 * records it is given, is authoritative for one domain (unknown names there are NXDOMAIN), forwards
 * nowhere, and listens on one loopback address and a free port. The test owns it: only the PID it
 * started is ever signalled, and {@link #close()} stops it also when the test failed.
 */
public final class LocalDnsmasq implements AutoCloseable {
    public static final Path DNSMASQ = Path.of("/usr/sbin/dnsmasq");

    private final Process process;
    private final String address;
    private final int port;
    private final Path log;

    private LocalDnsmasq(Process process, String address, int port, Path log) {
        this.process = process;
        this.address = address;
        this.port = port;
        this.log = log;
    }

    public static boolean installed() {
        return Files.isExecutable(DNSMASQ);
    }

    /**
     * Starts dnsmasq in {@code dir}.
     *
     * @param listen      a loopback address such as {@code 127.0.20.2}
     * @param localDomain the domain it is authoritative for, such as {@code cluster.local}
     * @param hosts       lines of a hosts file: {@code "127.0.20.11 galera-0.galera.default.svc.cluster.local"}
     * @param srvHosts    values of {@code --srv-host}: {@code "_galera._tcp.<svc>,<target>,4567,0,33"}
     * @param probeName   a name among {@code hosts} asked until dnsmasq answers, to know it is up
     */
    public static LocalDnsmasq start(Path dir, String listen, String localDomain, List<String> hosts, List<String> srvHosts,
                                     String probeName) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path hostsFile = dir.resolve("hosts");
        Files.writeString(hostsFile, String.join("\n", hosts) + "\n", StandardCharsets.UTF_8);
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort(listen);
            Path log = dir.resolve("dnsmasq-" + port + ".log");
            List<String> command = new ArrayList<>(List.of(DNSMASQ.toString(),
                    "--keep-in-foreground",
                    // stay root: the test's temp directories are not readable for the dnsmasq user
                    "--user=root", "--no-resolv", "--no-hosts", "--no-poll", "--pid-file=",
                    "--listen-address=" + listen, "--port=" + port, "--bind-interfaces",
                    "--local=/" + localDomain + "/", "--domain-needed", "--local-ttl=1",
                    "--addn-hosts=" + hostsFile, "--log-queries", "--log-facility=-"));
            for (String srv : srvHosts) {
                command.add("--srv-host=" + srv);
            }
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            LocalDnsmasq dns = new LocalDnsmasq(p, listen, port, log);
            try {
                dns.awaitAnswer(probeName, Duration.ofSeconds(5));
                return dns;
            } catch (IOException e) {
                dns.close();
                last = e;
            }
        }
        throw last;
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** The value for {@code --dns-server}. */
    public String server() {
        return address + ":" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** What dnsmasq logged, queries included. */
    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private void awaitAnswer(String name, Duration max) throws IOException, InterruptedException {
        Instant end = Instant.now().plus(max);
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(address), port));
        resolver.setTimeout(Duration.ofMillis(200));
        Message query = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), Type.A, DClass.IN));
        while (Instant.now().isBefore(end)) {
            if (!process.isAlive()) {
                throw new IOException("dnsmasq exited with " + process.exitValue() + ": " + log());
            }
            try {
                if (resolver.send(query).getRcode() == Rcode.NOERROR) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("dnsmasq did not answer for " + name + " within " + max + ": " + log());
    }

    /** A port free for both UDP and TCP on {@code address} right now. */
    public static int freePort(String address) throws IOException {
        InetAddress a = InetAddress.getByName(address);
        for (int i = 0; i < 20; i++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(a, 0))) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket()) {
                    tcp.bind(new InetSocketAddress(a, port));
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free port on " + address);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
