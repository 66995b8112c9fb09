package dev.galeraagent.discovery;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.DiscoveryResult.SrvLookup;
import dev.galeraagent.log.Log;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Finds the peers of a StatefulSet pod through DNS with dnsjava: each peer's A and AAAA records and
 * the headless Service's SRV records, asked all at once, each retried with exponential backoff until
 * it has a definite answer or the overall deadline passes. A call never throws for a DNS failure: the
 * result says for every name what was found or why not.
 *
 * <p>Every name is sent as an absolute name (trailing dot) straight to a resolver, never through
 * dnsjava's {@code Lookup}, so no search list or {@code ndots} applies and no cache hides a change.
 * A definite "no" (NXDOMAIN, no records) is not retried within a call: a peer that does not exist yet
 * is found by the caller's next call.
 */
public final class DnsDiscovery {
    /** The SRV names asked under the Service's name: Kubernetes publishes one per named port. */
    public static final List<String> SRV_PREFIXES = List.of("_galera._tcp", "_mysql._tcp");

    private static final Log LOG = Log.of("discovery");
    private static final Duration MIN_QUERY_TIMEOUT = Duration.ofMillis(20);

    private final List<InetSocketAddress> servers;
    private final Settings settings;

    /**
     * How long to try.
     *
     * @param deadline       the most a whole {@link #discover} call takes (plus at most one query's cleanup)
     * @param queryTimeout   how long one query waits for its answer
     * @param initialBackoff the pause after the first failed query, doubled after each one
     * @param maxBackoff     the longest pause between queries
     */
    public record Settings(Duration deadline, Duration queryTimeout, Duration initialBackoff, Duration maxBackoff) {
        public Settings {
            for (Duration d : List.of(deadline, queryTimeout, initialBackoff, maxBackoff)) {
                if (d == null || d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("DNS timeouts and backoffs must be positive, got " + d);
                }
            }
        }

        /** 10 s overall, 1 s per query, backoff from 200 ms doubling up to 2 s. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(2));
        }

        public Settings withDeadline(Duration newDeadline) {
            return new Settings(newDeadline, queryTimeout, initialBackoff, maxBackoff);
        }
    }

    private DnsDiscovery(List<InetSocketAddress> servers, Settings settings) {
        this.servers = List.copyOf(servers);
        this.settings = settings;
    }

    /**
     * A discovery that asks {@code dnsServer} ({@code --dns-server HOST[:PORT]}), or, when it is null or
     * empty, the name servers of {@code /etc/resolv.conf} as dnsjava reads them, taking turns on retries.
     *
     * @throws AgentException {@link ExitCode#USAGE} for a malformed {@code dnsServer}
     */
    public static DnsDiscovery create(String dnsServer, Settings settings) {
        if (dnsServer == null || dnsServer.isEmpty()) {
            List<InetSocketAddress> system = ResolverConfig.getCurrentConfig().servers();
            if (system.isEmpty()) {
                system = List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), SimpleResolver.DEFAULT_PORT));
            }
            return new DnsDiscovery(system, settings);
        }
        return new DnsDiscovery(List.of(DnsServerOption.parse(dnsServer)), settings);
    }

    /** The servers this discovery asks, in order. */
    public List<InetSocketAddress> servers() {
        return servers;
    }

    /**
     * Looks up every peer {@code i < replicas} of {@code identity} (A and AAAA) and the Service's SRV
     * names, concurrently, within {@link Settings#deadline()}.
     */
    public DiscoveryResult discover(PodIdentity identity, int replicas) {
        List<String> names = identity.peerFqdns(replicas);
        Instant start = Instant.now();
        Instant deadline = start.plus(settings.deadline());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Answer>> v4 = new ArrayList<>();
            List<Future<Answer>> v6 = new ArrayList<>();
            for (String name : names) {
                v4.add(pool.submit(() -> query(name, Type.A, deadline)));
                v6.add(pool.submit(() -> query(name, Type.AAAA, deadline)));
            }
            List<Future<Answer>> srv = new ArrayList<>();
            List<String> srvNames = new ArrayList<>();
            for (String prefix : SRV_PREFIXES) {
                String name = prefix + "." + identity.serviceFqdn();
                srvNames.add(name);
                srv.add(pool.submit(() -> query(name, Type.SRV, deadline)));
            }

            List<PeerDns> peers = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                peers.add(new PeerDns(i, names.get(i), Answer.combine(get(v4.get(i)), get(v6.get(i)))));
            }
            List<SrvLookup> srvLookups = new ArrayList<>();
            for (int i = 0; i < srvNames.size(); i++) {
                srvLookups.add(Answer.srvLookup(srvNames.get(i), get(srv.get(i))));
            }
            return new DiscoveryResult(peers, srvLookups, Duration.between(start, Instant.now()));
        }
    }

    /** One name and type, asked until a definite answer or the deadline. */
    private Answer query(String fqdn, int type, Instant deadline) {
        Name name;
        try {
            name = Name.fromString(fqdn, Name.root);
        } catch (TextParseException e) {
            return new Answer.Failed(DnsFailure.OTHER, "not a DNS name: " + e.getMessage(), 0);
        }
        Duration backoff = settings.initialBackoff();
        int attempts = 0;
        DnsFailure failure = DnsFailure.OTHER;
        String detail = "no query sent";
        while (true) {
            Duration remaining = Duration.between(Instant.now(), deadline);
            if (attempts > 0 && !remaining.isPositive()) {
                break;
            }
            InetSocketAddress server = servers.get(attempts % servers.size());
            attempts++;
            Duration timeout = min(settings.queryTimeout(), max(remaining, MIN_QUERY_TIMEOUT));
            SimpleResolver resolver = new SimpleResolver(server);
            resolver.setTimeout(timeout);
            String from = " from " + hostPort(server);
            try {
                Message response = send(resolver, Message.newQuery(Record.newRecord(name, type, DClass.IN)), timeout);
                int rcode = response.getRcode();
                if (rcode == Rcode.NOERROR) {
                    List<Record> records = response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
                    return records.isEmpty()
                            ? new Answer.Failed(DnsFailure.NO_RECORDS, "no " + Type.string(type) + " records" + from, attempts)
                            : new Answer.Found(records);
                }
                if (rcode == Rcode.NXDOMAIN) {
                    return new Answer.Failed(DnsFailure.NXDOMAIN, "NXDOMAIN" + from, attempts);
                }
                failure = rcode == Rcode.SERVFAIL ? DnsFailure.SERVFAIL : rcode == Rcode.REFUSED ? DnsFailure.REFUSED : DnsFailure.OTHER;
                detail = Rcode.string(rcode) + from;
            } catch (SocketTimeoutException e) {
                failure = DnsFailure.TIMEOUT;
                detail = "no answer" + from + " within " + timeout.toMillis() + " ms";
            } catch (PortUnreachableException e) {
                failure = DnsFailure.UNREACHABLE;
                detail = "port unreachable" + from;
            } catch (IOException e) {
                failure = DnsFailure.UNREACHABLE;
                detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()) + from;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = DnsFailure.OTHER;
                detail = "interrupted";
                break;
            }
            LOG.debug(Type.string(type) + " " + fqdn + ": " + detail + " (attempt " + attempts + ")");
            remaining = Duration.between(Instant.now(), deadline);
            if (!remaining.isPositive()) {
                break;
            }
            try {
                Thread.sleep(min(backoff, remaining));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff = min(backoff.multipliedBy(2), settings.maxBackoff());
        }
        return new Answer.Failed(failure, detail + ", " + attempts + (attempts == 1 ? " attempt" : " attempts"), attempts);
    }

    /**
     * Sends one query. Unlike {@code Resolver.send}, which reports its own timeout as a plain
     * IOException, this keeps a timeout distinguishable from other I/O failures.
     */
    private static Message send(SimpleResolver resolver, Message query, Duration timeout) throws IOException, InterruptedException {
        CompletableFuture<Message> future = resolver.sendAsync(query).toCompletableFuture();
        try {
            // dnsjava's own timer normally fires first; this one is the backstop
            return future.get(timeout.toMillis() + 200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new SocketTimeoutException("no answer");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(cause), cause);
        }
    }

    private static Answer get(Future<Answer> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer.Failed(DnsFailure.OTHER, "interrupted", 0);
        } catch (ExecutionException e) {
            return new Answer.Failed(DnsFailure.OTHER, "lookup failed: " + e.getCause(), 0);
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
