package dev.galeraagent.sim;

import dev.galeraagent.position.Position;
import dev.galeraagent.handoff.LeaseRenewer;
import dev.galeraagent.kube.ElectionApi;
import dev.galeraagent.kube.KubeApiException;
import dev.galeraagent.kube.LeaseOutcome;
import dev.galeraagent.handoff.LeaseRecord;
import dev.galeraagent.kube.PodStates;
import dev.galeraagent.kube.StatefulSetInfo;
import dev.galeraagent.status.PublishedState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * The Kubernetes API server as the election sees it, in memory: the pods' published states (on the Pod objects, so a
 * new Pod starts without one), readiness as the kubelet reports it, and the bootstrap Lease with the semantics of the
 * API server plus {@code BootstrapLease} (a taken Lease is held until its holder's last renewal plus its term, judged
 * with the reader's clock). Faults: the whole API unreachable for a while, a pod's calls failing, a pod without access.
 */
final class SimKube {
    static final String NAMESPACE = "default";
    static final String LEASE = "galera-galera-bootstrap";

    private final World world;
    private final int replicas;
    final Map<Integer, PublishedState> published = new HashMap<>();
    final SortedSet<Integer> ready = new TreeSet<>();
    /** The Lease; holder null when released or never taken. */
    String holder;
    Instant renewed = Instant.EPOCH;
    Duration term = Duration.ofSeconds(60);
    String leaseUuid;
    /** The pod whose bootstrap is open until its sidecar sees every pod in its cluster. */
    String open;
    long leaseSeqno;
    /** Until when every call fails as unreachable. */
    Instant downUntil = Instant.EPOCH;
    /** Per pod: how many of its next calls fail (a timeout, a 5xx). */
    final Map<Integer, Integer> failNext = new HashMap<>();
    /** Pods whose service account cannot reach the API at all (from their first call on). */
    final java.util.Set<Integer> noAccess = new java.util.HashSet<>();

    SimKube(World world, int replicas) {
        this.world = world;
        this.replicas = replicas;
    }

    /** The election's API for pod {@code ordinal}, whose clock is {@code clock}. */
    ElectionApi forPod(int ordinal, Clock clock, IntFunction<Void> point) {
        StatefulSetInfo sts = new StatefulSetInfo(NAMESPACE, "galera", replicas, Map.of("app", "galera"));
        return new ElectionApi() {
            @Override
            public PodStates readStates() {
                call(ordinal, point, "read states");
                SortedMap<Integer, PublishedState> pub = new TreeMap<>();
                SortedSet<Integer> unpublished = new TreeSet<>();
                SortedSet<Integer> missing = new TreeSet<>();
                for (int i = 0; i < replicas; i++) {
                    if (!world.podExists(i)) {
                        missing.add(i);
                    } else if (published.containsKey(i)) {
                        pub.put(i, published.get(i));
                    } else {
                        unpublished.add(i);
                    }
                }
                return new PodStates(sts, pub, unpublished, new TreeMap<>(), missing, new TreeSet<>(ready));
            }

            @Override
            public void publish(PublishedState own) {
                call(ordinal, point, "publish");
                published.put(ordinal, own);
                world.note(ordinal, "published " + own.phase() + (own.decision() == null ? "" : " " + own.decision())
                        + (own.empty() ? " empty" : " " + own.uuid() + ":" + own.seqno()));
            }

            @Override
            public LeaseOutcome tryAcquireLease(String who, Optional<Position> from, Duration duration) {
                call(ordinal, point, "take the Lease");
                Instant now = clock.instant();
                if (holder != null && !holder.equals(who) && now.isBefore(renewed.plus(term))) {
                    return new LeaseOutcome.HeldByOther(record());
                }
                holder = who;
                renewed = now;
                term = duration;
                leaseUuid = from.map(p -> p.uuid().toString()).orElse(null);
                leaseSeqno = from.map(Position::seqno).orElse(Position.UNKNOWN_SEQNO);
                open = who;
                world.note(ordinal, "took the Lease");
                return new LeaseOutcome.Acquired(record());
            }

            @Override
            public boolean releaseLease(String who) {
                call(ordinal, point, "release the Lease");
                return release(who, ordinal);
            }

            @Override
            public Integer openBootstrap() {
                call(ordinal, point, "read the Lease");
                return open == null ? null : Integer.valueOf(open.substring(open.lastIndexOf('-') + 1));
            }

            @Override
            public String leaseName() {
                return LEASE;
            }

            @Override
            public String namespace() {
                return NAMESPACE;
            }

            @Override
            public String summary() {
                return "lease " + holder;
            }
        };
    }

    /** The sidecar's hold on the Lease: renewed with the sidecar's clock, released once Primary. */
    LeaseRenewer renewer(int ordinal, Clock clock) {
        return new LeaseRenewer() {
            @Override
            public boolean renew(String who, Duration duration) {
                call(ordinal, o -> null, "renew");
                if (!who.equals(holder)) {
                    return false;
                }
                renewed = clock.instant();
                term = duration;
                return true;
            }

            @Override
            public boolean release(String who) {
                call(ordinal, o -> null, "release");
                return SimKube.this.release(who, ordinal);
            }

            @Override
            public boolean close(String who) {
                call(ordinal, o -> null, "close");
                if (!who.equals(open)) {
                    return false;
                }
                open = null;
                world.note(ordinal, "closed its bootstrap on the Lease: every pod is in its cluster");
                return true;
            }
        };
    }

    private boolean release(String who, int ordinal) {
        if (!who.equals(holder)) {
            return false;
        }
        holder = null;
        world.note(ordinal, "released the Lease");
        return true;
    }

    private LeaseRecord record() {
        return new LeaseRecord(LEASE, holder, leaseUuid, leaseSeqno, renewed, renewed, term, 0, open);
    }

    private void call(int ordinal, IntFunction<Void> point, String what) {
        point.apply(ordinal);
        if (noAccess.contains(ordinal)) {
            throw new KubeApiException(KubeApiException.Kind.FORBIDDEN, "forbidden: " + what, null);
        }
        if (world.now().isBefore(downUntil)) {
            throw new KubeApiException(KubeApiException.Kind.UNREACHABLE, "API unreachable: " + what, null);
        }
        int n = failNext.getOrDefault(ordinal, 0);
        if (n > 0) {
            failNext.put(ordinal, n - 1);
            throw new KubeApiException(KubeApiException.Kind.FAILED, "API timed out: " + what, null);
        }
    }
}
