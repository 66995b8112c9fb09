package dev.galeraagent.discovery;

import dev.galeraagent.discovery.DiscoveryResult.Resolved;
import dev.galeraagent.discovery.DiscoveryResult.SrvLookup;
import dev.galeraagent.discovery.DiscoveryResult.SrvTarget;
import dev.galeraagent.discovery.DiscoveryResult.Unresolved;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;

/** One DNS query's outcome, before a peer's A and AAAA answers are combined; and how answers become {@link DiscoveryResult}'s parts. */
sealed interface Answer {
    record Found(List<Record> records) implements Answer {
    }

    record Failed(DnsFailure failure, String detail, int attempts) implements Answer {
    }

    /** A peer's A and AAAA answers as one resolution: any address wins; else the most telling failure. */
    static DiscoveryResult.Resolution combine(Answer v4, Answer v6) {
        List<InetAddress> addresses = new ArrayList<>();
        for (Answer a : List.of(v4, v6)) {
            if (a instanceof Answer.Found(List<Record> records)) {
                for (Record r : records) {
                    switch (r) {
                        case ARecord ar -> addresses.add(ar.getAddress());
                        case AAAARecord aaaa -> addresses.add(aaaa.getAddress());
                        default -> {
                        }
                    }
                }
            }
        }
        if (!addresses.isEmpty()) {
            return new Resolved(addresses);
        }
        Answer.Failed f4 = (Answer.Failed) v4;
        Answer.Failed f6 = (Answer.Failed) v6;
        int attempts = f4.attempts() + f6.attempts();
        // the name does not exist, whatever the other query said
        if (f4.failure() == DnsFailure.NXDOMAIN || f6.failure() == DnsFailure.NXDOMAIN) {
            Answer.Failed nx = f4.failure() == DnsFailure.NXDOMAIN ? f4 : f6;
            return new Unresolved(DnsFailure.NXDOMAIN, nx.detail(), attempts);
        }
        if (f4.failure() == DnsFailure.NO_RECORDS && f6.failure() == DnsFailure.NO_RECORDS) {
            return new Unresolved(DnsFailure.NO_RECORDS, "no A or AAAA records", attempts);
        }
        Answer.Failed telling = f4.failure().transientFailure() ? f4 : f6;
        return new Unresolved(telling.failure(), telling.detail(), attempts);
    }

    static SrvLookup srvLookup(String name, Answer answer) {
        return switch (answer) {
            case Answer.Found(List<Record> records) -> new SrvLookup(name, records.stream()
                    .filter(SRVRecord.class::isInstance).map(SRVRecord.class::cast)
                    .map(s -> new SrvTarget(s.getTarget().toString(true), s.getPort(), s.getPriority(), s.getWeight()))
                    .sorted(Comparator.comparingInt(SrvTarget::priority).thenComparing(SrvTarget::target))
                    .toList(), null, null);
            case Answer.Failed(DnsFailure failure, String detail, int attempts) -> new SrvLookup(name, List.of(), failure, detail);
        };
    }
}
