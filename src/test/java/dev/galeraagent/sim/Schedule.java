package dev.galeraagent.sim;

import dev.galeraagent.bootstrap.ForcedBootstrap;
import dev.galeraagent.position.Position;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * One generated run: the cluster's settings and the faults, each at a time drawn from the seed. A fresh cluster starts,
 * takes writes, then an outage strikes and the pods come back in some order while faults hit the recovery. The same seed
 * always gives the same run.
 *
 * @param seed             the seed every choice comes from
 * @param replicas         3 or 5
 * @param api              the pods use the Kubernetes API (else rule 9: /status only)
 * @param quorum           --recovery-quorum
 * @param recoveryTimeout  --recovery-timeout
 * @param outage           how the cluster goes down
 * @param faults           what else happens during the recovery
 */
record Schedule(long seed, int replicas, boolean api, int quorum, Duration recoveryTimeout, Outage outage, List<Fault> faults,
                boolean restartKeepsPosition) {

    enum Outage {
        /** Every mariadbd is killed at once, then every pod is restarted (init containers run). */
        FULL_CRASH,
        /** Every mariadbd is killed within a few seconds of each other, under writes. */
        STAGGERED_CRASH,
        /** Every pod stops cleanly, one after the other, then all start again. */
        GRACEFUL,
        /** Every mariadbd is killed and only the containers restart (no init container runs). */
        CONTAINERS_ONLY
    }

    /** A fault, at {@code at} after the outage. */
    sealed interface Fault {
        Duration at();

        /** Pod {@code pod} comes back only after {@code at} (late), or never when {@code never}. */
        record Late(int pod, Duration at, boolean never) implements Fault {
        }

        /** The init container of pod {@code pod} crashes at its {@code point}-th interaction (publish, Lease, /status...). */
        record InitCrash(int pod, int point, Duration at) implements Fault {
        }

        /** The first pod that becomes Primary after the outage has its mariadbd killed {@code after} later (container restart). */
        record KillWinner(Duration after, Duration at, boolean twice) implements Fault {
        }

        /** Pod {@code pod} is killed whole while it receives a state transfer. */
        record CutTransfer(int pod, Duration at) implements Fault {
        }

        /** The API is unreachable from {@code at} for {@code length}. */
        record ApiDown(Duration at, Duration length) implements Fault {
        }

        /** Pod {@code pod}'s next {@code calls} API calls fail (a timeout). */
        record ApiFlaky(int pod, int calls, Duration at) implements Fault {
        }

        /** Pod {@code pod}'s clock is {@code skew} off. */
        record Skew(int pod, Duration skew, Duration at) implements Fault {
        }

        /** A person's --force-bootstrap-from from the first outage is still in the manifest. */
        record StaleOverride(Duration at) implements Fault {
        }

        /** Pod {@code pod}'s volume is lost. */
        record Wipe(int pod, Duration at) implements Fault {
        }

        /** Pod {@code pod}'s mariadbd takes {@code delay} to start (InnoDB recovery of a large data set, a slow disk). */
        record SlowStart(int pod, Duration delay, Duration at) implements Fault {
        }

        /** The whole cluster is partitioned: pod {@code pod} cannot reach the others (or be reached) for {@code length}. */
        record Partition(int pod, Duration length, Duration at) implements Fault {
        }
    }

    static final Duration OUTAGE_AT = Duration.ofSeconds(90);

    static Schedule generate(long seed, boolean restartKeepsPosition) {
        Random r = new Random(seed);
        int n = r.nextInt(4) == 0 ? 5 : 3;
        boolean api = r.nextInt(5) != 0;
        int quorum = switch (r.nextInt(4)) {
            case 0, 1 -> n;
            case 2 -> n / 2 + 1;
            default -> 1 + r.nextInt(n);
        };
        Duration timeout = Duration.ofSeconds(r.nextBoolean() ? 30 : 120);
        Outage outage = Outage.values()[r.nextInt(Outage.values().length)];
        List<Fault> faults = new ArrayList<>();
        int count = r.nextInt(6);
        for (int k = 0; k < count; k++) {
            Duration at = Duration.ofMillis(r.nextInt(60_000));
            int pod = r.nextInt(n);
            faults.add(switch (r.nextInt(11)) {
                case 0 -> new Fault.Late(pod, Duration.ofSeconds(20 + r.nextInt(200)), r.nextInt(3) == 0);
                case 1 -> new Fault.InitCrash(pod, 1 + r.nextInt(12), at);
                case 2 -> new Fault.KillWinner(Duration.ofMillis(r.nextInt(4000)), at, r.nextBoolean());
                case 3 -> new Fault.CutTransfer(pod, at);
                case 4 -> new Fault.ApiDown(at, Duration.ofSeconds(1 + r.nextInt(40)));
                case 5 -> new Fault.ApiFlaky(pod, 1 + r.nextInt(4), at);
                case 6 -> new Fault.Skew(pod, Duration.ofSeconds(r.nextBoolean() ? 90 : -90), at);
                case 7 -> new Fault.StaleOverride(at);
                case 8 -> new Fault.SlowStart(pod, Duration.ofSeconds(20 + r.nextInt(200)), at);
                case 9 -> new Fault.Partition(pod, Duration.ofSeconds(5 + r.nextInt(120)), at);
                default -> new Fault.Wipe(pod, at);
            });
        }
        return new Schedule(seed, n, api, quorum, timeout, outage, List.copyOf(faults), restartKeepsPosition);
    }

    /** The same run with only the faults at {@code keep} (indices into {@link #faults()}): a candidate while shrinking. */
    Schedule keeping(List<Integer> keep) {
        return new Schedule(seed, replicas, api, quorum, recoveryTimeout, outage, keep.stream().map(faults::get).toList(),
                restartKeepsPosition);
    }

    /** The crash point of pod {@code pod}'s init container in its {@code run}-th pod run, or 0 for none. */
    int initCrashPoint(int pod, int run) {
        if (run != 2) {
            return 0;
        }
        return faults.stream().filter(f -> f instanceof Fault.InitCrash c && c.pod() == pod).map(f -> ((Fault.InitCrash) f).point())
                .findFirst().orElse(0);
    }

    Optional<ForcedBootstrap> override() {
        return Optional.of(new ForcedBootstrap(0, new Position(UUID.nameUUIDFromBytes("old".getBytes()), 5)));
    }

    /** Sets the run up in {@code w}: the fresh start, the outage, the faults and the pods' returns. */
    void install(World w) {
        for (int i = 0; i < replicas; i++) {
            int pod = i;
            w.at(Duration.ofMillis(100 + 300L * i), "pod start", () -> w.podStart(pod));
        }
        Map<Integer, Duration> back = new HashMap<>();
        for (int i = 0; i < replicas; i++) {
            back.put(i, Duration.ofMillis(w.random.nextInt(20_000)));
        }
        for (Fault f : faults) {
            if (f instanceof Fault.Late l) {
                back.put(l.pod(), l.never() ? null : l.at());
            }
        }
        w.at(OUTAGE_AT, "outage", () -> {
            w.note(-1, "OUTAGE " + outage);
            w.outageBegins();
            for (int i = 0; i < replicas; i++) {
                int pod = i;
                switch (outage) {
                    case FULL_CRASH -> w.podKill(pod);
                    case STAGGERED_CRASH -> w.at(Duration.ofMillis(w.random.nextInt(3000)), "crash", () -> w.podKill(pod));
                    case GRACEFUL -> w.at(Duration.ofMillis(500L * pod), "stop", () -> {
                        w.stopMysqld(pod);
                        w.podKill(pod);
                    });
                    case CONTAINERS_ONLY -> w.crashMysqld(pod, true);
                }
            }
            if (outage == Outage.CONTAINERS_ONLY) {
                return;
            }
            for (int i = 0; i < replicas; i++) {
                int pod = i;
                Duration when = back.get(pod);
                if (when != null) {
                    w.at(Duration.ofSeconds(5).plus(when), "pod back", () -> w.podStart(pod));
                }
            }
        });
        for (Fault f : faults) {
            Duration at = OUTAGE_AT.plus(f.at());
            switch (f) {
                case Fault.Late l -> { }
                case Fault.InitCrash c -> { }
                case Fault.KillWinner k -> w.at(at, "arm kill winner", () -> w.killNextPrimary(k.after(), k.twice()));
                case Fault.CutTransfer c -> w.at(at, "arm cut transfer", () -> w.cutNextTransfer(c.pod()));
                case Fault.ApiDown d -> w.at(at, "API down", () -> {
                    w.kube.downUntil = w.now().plus(d.length());
                    w.note(-1, "API unreachable for " + d.length().toSeconds() + "s");
                });
                case Fault.ApiFlaky fl -> w.at(at, "API flaky", () -> w.kube.failNext.merge(fl.pod(), fl.calls(), Integer::sum));
                case Fault.Skew s -> w.at(at, "skew", () -> {
                    w.pods[s.pod()].skew = s.skew();
                    w.note(s.pod(), "clock " + s.skew().toSeconds() + "s off");
                });
                case Fault.StaleOverride o -> w.at(at, "override", () -> {
                    for (World.Pod p : w.pods) {
                        p.forcedOverride = true;
                    }
                    w.note(-1, "a stale --force-bootstrap-from=" + override().orElseThrow() + " is in the manifest");
                });
                case Fault.SlowStart sl -> w.at(at, "slow start", () -> {
                    w.pods[sl.pod()].slowStart = sl.delay();
                    w.note(sl.pod(), "mariadbd will take " + sl.delay().toSeconds() + "s to start");
                });
                case Fault.Partition pt -> w.at(at, "partition", () -> w.partition(pt.pod(), pt.length()));
                case Fault.Wipe wp -> w.at(at, "wipe", () -> {
                    if (!w.pods[wp.pod()].exists) {
                        w.wipe(wp.pod());
                    }
                });
            }
        }
    }

    /** When the last scheduled event (an outage, a fault, a pod's return) is due, from the start. */
    Duration lastFault() {
        Duration last = OUTAGE_AT.plus(Duration.ofSeconds(30));
        for (Fault f : faults) {
            Duration at = OUTAGE_AT.plus(f.at());
            if (f instanceof Fault.Late l) {
                at = OUTAGE_AT.plus(l.at()).plus(Duration.ofSeconds(10));
            }
            last = at.compareTo(last) > 0 ? at : last;
        }
        return last.plus(Duration.ofSeconds(60));
    }

    /** True when every pod comes back, so the cluster must settle without a person. */
    boolean everyPodReturns() {
        return faults.stream().noneMatch(f -> f instanceof Fault.Late l && l.never());
    }
}
