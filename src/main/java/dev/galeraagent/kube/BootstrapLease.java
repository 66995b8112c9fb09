package dev.galeraagent.kube;

import dev.galeraagent.position.Position;
import dev.galeraagent.handoff.LeaseRecord;

import dev.galeraagent.handoff.LeaseRenewer;
import dev.galeraagent.log.Log;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The {@code <statefulset>-galera-bootstrap} Lease (rule 6): whoever holds it may bootstrap, nobody else.
 *
 * <p>The manifest creates the Lease empty (no holder), so the agent's Role needs only get and update on that one name;
 * when it is missing the agent creates it, which works where the agent may create Leases.
 *
 * <p>Exclusivity rests on the API server alone: a create of an existing Lease answers 409, and every takeover,
 * renewal and release is an update carrying the resourceVersion that was read, so of two racing writers one gets
 * 409. An expired Lease (last renewal plus duration in the past) may be taken over; a holder that wants to act
 * must {@link #renew} first and act only when that succeeds.
 */
public final class BootstrapLease implements LeaseRenewer {
    private static final Log LOG = Log.of("kube");
    private static final int ATTEMPTS = 5;

    private final KubernetesClient client;
    private final KubeCalls calls;
    private final String name;
    private final Clock clock;

    BootstrapLease(KubernetesClient client, KubeCalls calls, String name, Clock clock) {
        this.client = client;
        this.calls = calls;
        this.name = name;
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    /** The Lease as it stands, or empty when it was never created. */
    public Optional<LeaseRecord> current() {
        return Optional.ofNullable(read()).map(this::record);
    }

    /**
     * Takes the Lease for {@code holder} if nobody holds it, it expired, or {@code holder} already holds it (the
     * same pod, restarted), recording the position it bootstraps {@code from} (none: a new cluster). Otherwise answers who holds it.
     */
    public LeaseOutcome tryAcquire(String holder, Optional<Position> from, Duration duration) {
        requireHolder(holder);
        int seconds = durationSeconds(duration);
        Lease existing = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            existing = read();
            Instant now = clock.instant();
            if (existing == null) {
                Lease created = create(holder, from, seconds, now);
                if (created != null) {
                    LOG.info("took Lease " + name + " for " + holder + " (created)");
                    return new LeaseOutcome.Acquired(record(created));
                }
                continue; // someone created it first: look at what they wrote
            }
            LeaseRecord seen = record(existing);
            if (!holder.equals(seen.holder()) && seen.heldAt(now)) {
                return new LeaseOutcome.HeldByOther(seen);
            }
            boolean takeover = !holder.equals(seen.holder());
            LeaseSpec spec = existing.getSpec() == null ? new LeaseSpec() : existing.getSpec();
            spec.setHolderIdentity(holder);
            spec.setLeaseDurationSeconds(seconds);
            spec.setRenewTime(time(now));
            if (takeover) {
                spec.setAcquireTime(time(now));
                spec.setLeaseTransitions((spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions()) + 1);
            }
            existing.setSpec(spec);
            existing.getMetadata().setAnnotations(LeaseRecord.annotations(existing.getMetadata().getAnnotations(), from, holder));
            Lease updated = update(existing);
            if (updated != null) {
                LOG.info("took Lease " + name + " for " + holder
                        + (takeover ? " (from " + (seen.holder() == null ? "nobody" : seen.holder() + ", expired") + ")" : " (already its holder)"));
                return new LeaseOutcome.Acquired(record(updated));
            }
            // 409: somebody else wrote it between our read and our update; look again
        }
        if (existing != null) {
            return new LeaseOutcome.HeldByOther(record(existing));
        }
        throw kept("take it");
    }

    /**
     * Extends {@code holder}'s hold by {@code duration} from now. False when {@code holder} no longer holds it
     * (taken over after expiry, released, deleted): the caller must then not bootstrap.
     */
    @Override
    public boolean renew(String holder, Duration duration) {
        requireHolder(holder);
        int seconds = durationSeconds(duration);
        return change("renew it", lease -> {
            if (lease.getSpec() == null || !holder.equals(lease.getSpec().getHolderIdentity())) {
                return false;
            }
            lease.getSpec().setRenewTime(time(clock.instant()));
            lease.getSpec().setLeaseDurationSeconds(seconds);
            return true;
        });
    }

    /**
     * Gives the Lease back (empties {@code holderIdentity}; the uuid and seqno stay as a record of the last
     * bootstrap). False when {@code holder} did not hold it: nothing was changed.
     */
    @Override
    public boolean release(String holder) {
        requireHolder(holder);
        boolean released = change("release it", lease -> {
            if (lease.getSpec() == null || !holder.equals(lease.getSpec().getHolderIdentity())) {
                return false;
            }
            lease.getSpec().setHolderIdentity(null);
            lease.getSpec().setRenewTime(time(clock.instant()));
            return true;
        });
        if (released) {
            LOG.info("released Lease " + name + " held by " + holder);
        }
        return released;
    }

    /**
     * Closes {@code holder}'s open bootstrap: every pod is in its cluster. False when the Lease names another pod's open
     * bootstrap, or none: nothing was changed.
     */
    @Override
    public boolean close(String holder) {
        requireHolder(holder);
        boolean closed = change("close its bootstrap", lease -> {
            Map<String, String> annotations = lease.getMetadata().getAnnotations();
            if (annotations == null || !holder.equals(annotations.get(LeaseRecord.OPEN_ANNOTATION))) {
                return false;
            }
            lease.getMetadata().setAnnotations(LeaseRecord.closed(annotations));
            return true;
        });
        if (closed) {
            LOG.info("closed the open bootstrap of " + holder + " on Lease " + name + ": every pod is in its cluster");
        }
        return closed;
    }

    /**
     * Reads the Lease, lets {@code edit} change it, and writes it; on a 409 (someone wrote it in between) all again, at
     * most {@link #ATTEMPTS} times. False, with nothing written, when there is no Lease or {@code edit} declines.
     */
    private boolean change(String what, Predicate<Lease> edit) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Lease lease = read();
            if (lease == null || !edit.test(lease)) {
                return false;
            }
            if (update(lease) != null) {
                return true;
            }
        }
        throw kept(what);
    }

    private KubeApiException kept(String what) {
        return new KubeApiException(KubeApiException.Kind.CONFLICT, "Lease " + name + " in namespace "
                + calls.namespace() + " kept changing during " + ATTEMPTS + " attempts to " + what, null);
    }

    private Resource<Lease> resource() {
        return client.leases().inNamespace(calls.namespace()).withName(name);
    }

    private Lease read() {
        return calls.run("get", "leases", name, () -> resource().get());
    }

    /** The created Lease, or null when one existed already (409). */
    private Lease create(String holder, Optional<Position> from, int seconds, Instant now) {
        Lease lease = new LeaseBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace(calls.namespace())
                        .withAnnotations(LeaseRecord.annotations(null, from, holder))
                        .build())
                .withNewSpec()
                .withHolderIdentity(holder)
                .withLeaseDurationSeconds(seconds)
                .withAcquireTime(time(now))
                .withRenewTime(time(now))
                .withLeaseTransitions(0)
                .endSpec()
                .build();
        try {
            return calls.run("create", "leases", null, () -> client.leases().inNamespace(calls.namespace()).resource(lease).create());
        } catch (KubeApiException e) {
            if (e.kind() == KubeApiException.Kind.CONFLICT) {
                return null;
            }
            if (e.kind() == KubeApiException.Kind.FORBIDDEN) {
                // the manifest creates the Lease so that the Role needs no create (which resourceNames cannot limit);
                // not "no API access": the rest of the API works, and this round simply cannot bootstrap
                throw new KubeApiException(KubeApiException.Kind.NOT_FOUND, "Lease " + name + " not found in namespace "
                        + calls.namespace() + " and the service account may not create it: the manifest creates it (apply "
                        + KubeCalls.RBAC_FILE + ")", e);
            }
            throw e;
        }
    }

    /** The updated Lease, or null when its resourceVersion was stale (409). */
    private Lease update(Lease lease) {
        Objects.requireNonNull(lease.getMetadata().getResourceVersion(), "an update must carry the resourceVersion read");
        try {
            return calls.run("update", "leases", name, () -> client.leases().inNamespace(calls.namespace()).resource(lease).update());
        } catch (KubeApiException e) {
            if (e.kind() == KubeApiException.Kind.CONFLICT) {
                return null;
            }
            throw e;
        }
    }

    private LeaseRecord record(Lease lease) {
        LeaseSpec spec = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
        return LeaseRecord.of(
                name,
                spec.getHolderIdentity(),
                lease.getMetadata().getAnnotations(),
                spec.getAcquireTime() == null ? null : spec.getAcquireTime().toInstant(),
                spec.getRenewTime() == null ? null : spec.getRenewTime().toInstant(),
                spec.getLeaseDurationSeconds() == null ? null : Duration.ofSeconds(spec.getLeaseDurationSeconds()),
                spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions());
    }

    private static ZonedDateTime time(Instant instant) {
        return ZonedDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static void requireHolder(String holder) {
        if (holder == null || holder.isBlank()) {
            throw new IllegalArgumentException("a Lease holder needs a non-empty identity");
        }
    }

    private static int durationSeconds(Duration duration) {
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("a Lease lasts at least 1s, not " + duration);
        }
        return Math.toIntExact(duration.toSeconds());
    }
}
