package dev.galeraagent.sim;

import dev.galeraagent.handoff.HandOffLease;

import dev.galeraagent.handoff.HandOff;

import dev.galeraagent.bootstrap.BootstrapLoop;
import dev.galeraagent.bootstrap.BootstrapSettings;
import dev.galeraagent.bootstrap.LeaseGrant;
import dev.galeraagent.bootstrap.Plan;
import dev.galeraagent.bootstrap.StartPlan;
import dev.galeraagent.bootstrap.StateBoard;
import dev.galeraagent.discovery.PeerStatus;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.galera.DataDir;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import dev.galeraagent.position.Uuids;
import dev.galeraagent.kube.KubeStateBoard;
import dev.galeraagent.handoff.HandOffTask;
import dev.galeraagent.probe.NodeFiles;
import dev.galeraagent.probe.Observation;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.testing.Pods;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A simulated StatefulSet of Galera pods, run on a virtual clock by one logical thread. The agent's own code decides:
 * each init container is the real {@link BootstrapLoop} (with the real planner, {@link KubeStateBoard} and the files it
 * writes on a real temporary directory), each sidecar the real {@link HandOffTask}. What is modelled is the world around
 * them: the kubelet (init containers, container and pod restarts, readiness), the API server ({@link SimKube}), and
 * mariadbd with Galera, as far as the recovery protocol depends on it (docs/recovery-protocol.md, "The model").
 *
 * <p>Invariants are checked at every event; a violation is recorded with the timeline that led to it.
 */
final class World {
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    /** Write-sets a donor's gcache keeps: a joiner further behind needs a full state transfer. */
    static final long GCACHE = 400;

    final Schedule schedule;
    final int n;
    final Random random;
    final SimKube kube;
    final Pod[] pods;
    final List<String> timeline = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    /** Per cluster history: the highest seqno acknowledged to a client. */
    final Map<UUID, Long> acked = new HashMap<>();
    final List<Component> components = new ArrayList<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>(Comparator.comparing(Event::at).thenComparingLong(Event::seq));
    private final Path root;
    private Instant now = T0;
    private long seq;
    private int componentIds;
    private boolean writing = true;
    int bootstraps;

    record Event(Instant at, long seq, String what, Runnable action) {
    }

    /** A Galera component: Primary (takes writes) or not, with the history it continues. */
    final class Component {
        final int id = ++componentIds;
        UUID uuid;
        long seqno;
        boolean primary = true;
        /** The members of the last Primary view: a majority of it keeps the component Primary. */
        int viewSize;
        final Set<Integer> members = new TreeSet<>();

        @Override
        public String toString() {
            return "#" + id + (primary ? " Primary " : " non-Primary ") + uuid.toString().substring(0, 8) + ":" + seqno + " " + members;
        }
    }

    enum Proc { DOWN, STARTING, JOINING, MEMBER, WAITING }

    /** One pod: its volumes, its containers and what the model knows of its data. */
    final class Pod {
        final int ordinal;
        final Path data;
        Path config;
        boolean exists;
        int podRuns;
        /** What InnoDB holds: the history and the last committed seqno (null uuid: no data at all). */
        UUID uuid;
        long committed = -1;
        boolean cutOff;
        /** The members of the last Primary view this node saw (gvwstate.dat), null after a clean stop. */
        Set<Integer> gvw;
        Proc proc = Proc.DOWN;
        long procGen;
        Component component;
        boolean startedWithPosition;
        boolean startedNewCluster;
        LoopThread loop;
        int loopPoints;
        PublishedState served;
        HandOffTask sidecar;
        Duration skew = Duration.ZERO;
        boolean partitioned;
        boolean forcedOverride;
        Duration slowStart;
        /**
         * The virtual times at which the files {@code agent prepare-start} reads the mtimes of were last written: the
         * one-shot file (by the init container), gvwstate.dat (by Galera, in a Primary component; gone after a clean stop)
         * and grastate.dat. Null: no such file.
         */
        Instant oneShotAt;
        Instant gvwstateAt;
        Instant grastateAt;
        /** prepare-start recovered the position and passes it to this start of mariadbd. */
        boolean positionFromPrepare;

        Pod(int ordinal) {
            this.ordinal = ordinal;
            this.data = mkdirs(root.resolve("pod-" + ordinal).resolve("data"));
        }

        Clock clock() {
            return new Clock() {
                @Override
                public ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now.plus(skew);
                }
            };
        }

        String name() {
            return "galera-" + ordinal;
        }
    }

    World(Schedule schedule, Path root) {
        this.schedule = schedule;
        this.n = schedule.replicas();
        this.random = new Random(schedule.seed());
        this.root = root;
        this.kube = new SimKube(this, n);
        this.pods = new Pod[n];
        for (int i = 0; i < n; i++) {
            pods[i] = new Pod(i);
        }
    }

    Instant now() {
        return now;
    }

    boolean podExists(int i) {
        return pods[i].exists;
    }

    void note(int ordinal, String what) {
        if (ordinal < 0) {
            event(what);
            return;
        }
        timeline.add(String.format("%8.1fs pod %d: %s", Duration.between(T0, now).toMillis() / 1000.0, ordinal, what));
    }

    private void event(String what) {
        timeline.add(String.format("%8.1fs %s", Duration.between(T0, now).toMillis() / 1000.0, what));
    }

    void at(Duration after, String what, Runnable action) {
        queue.add(new Event(now.plus(after), seq++, what, action));
    }

    private void violation(String what) {
        event("VIOLATION " + what);
        violations.add(what);
    }

    /** Runs the schedule until {@code end}; returns the violations found. */
    List<String> run(Duration end) {
        Instant stop = T0.plus(end);
        schedule.install(this);
        at(Duration.ofMillis(500), "writer", this::write);
        at(Duration.ofSeconds(5), "kubelet", this::kubelet);
        Instant quietFrom = T0.plus(schedule.lastFault());
        while (!queue.isEmpty() && violations.isEmpty()) {
            Event e = queue.poll();
            if (e.at().isAfter(stop) || (e.at().isAfter(quietFrom) && settled())) {
                break;
            }
            now = e.at();
            e.action().run();
            checkOnePrimary();
        }
        for (Pod p : pods) {
            if (p.loop != null) {
                p.loop.kill();
            }
        }
        return violations;
    }

    // ---- armed faults ---------------------------------------------------------------------------------------------

    private final Set<Integer> initCrashed = new TreeSet<>();
    private Duration killPrimaryAfter;
    private int killPrimaryTimes;
    private final Set<Integer> cutTransfers = new TreeSet<>();

    /** The next pod that starts a Primary has its mariadbd killed {@code after} later (twice: again when it is back). */
    void killNextPrimary(Duration after, boolean twice) {
        killPrimaryAfter = after;
        killPrimaryTimes = twice ? 2 : 1;
        event("armed: the next Primary's mariadbd is killed " + after.toMillis() + "ms after it forms" + (twice ? ", twice" : ""));
    }

    /**
     * Pod {@code i} is cut off from the others for {@code length}: its component, if Primary, keeps going only where a
     * majority remains; nodes waiting outside a Primary join one when the partition heals.
     */
    void partition(int i, Duration length) {
        Pod p = pods[i];
        p.partitioned = true;
        event("pod " + i + " partitioned for " + length.toSeconds() + "s");
        Component c = p.component;
        if (c != null && c.members.size() > 1) {
            // the component splits: the side with a majority of the view stays Primary, the other side does not
            c.members.remove(i);
            Component alone = new Component();
            alone.uuid = c.uuid;
            alone.seqno = c.seqno;
            alone.viewSize = c.viewSize;
            alone.members.add(i);
            alone.primary = c.viewSize < 2;
            components.add(alone);
            p.component = alone;
            if (!alone.primary) {
                p.proc = Proc.WAITING;
            }
            if (c.primary && c.members.size() * 2 <= c.viewSize) {
                c.primary = false;
                for (int m : c.members) {
                    pods[m].proc = Proc.WAITING;
                }
            }
        }
        at(length, "heal", () -> {
            p.partitioned = false;
            event("pod " + i + "'s partition heals");
            Component mine = p.component;
            Optional<Component> primary = components.stream().filter(x -> x.primary && x != mine).findFirst();
            if (mine != null && !mine.primary && primary.isPresent() && primary.get().uuid.equals(mine.uuid)) {
                mine.members.remove(i);
                if (mine.members.isEmpty()) {
                    components.remove(mine);
                }
                p.component = null;
                join(i, primary.get());
            } else if (mine != null && !mine.primary && primary.isEmpty()) {
                // the pieces of one view meet again: together they may be a majority
                for (Component other : new ArrayList<>(components)) {
                    if (other != mine && !other.primary && other.uuid.equals(mine.uuid)) {
                        other.members.addAll(mine.members);
                        for (int m : mine.members) {
                            pods[m].component = other;
                        }
                        components.remove(mine);
                        if (other.members.size() * 2 > other.viewSize) {
                            other.primary = true;
                            for (int m : other.members) {
                                pods[m].proc = Proc.MEMBER;
                            }
                            event("component " + other + " has its majority back");
                        }
                        break;
                    }
                }
            }
            for (Pod q : pods) {
                if (q.proc == Proc.WAITING && q.component == null) {
                    reachablePrimary(q.ordinal).ifPresent(c2 -> join(q.ordinal, c2));
                }
            }
        });
    }

    void cutNextTransfer(int pod) {
        cutTransfers.add(pod);
        event("armed: pod " + pod + "'s next full state transfer is cut off");
    }

    private void primaryFormed(int i) {
        if (killPrimaryTimes > 0) {
            killPrimaryTimes--;
            at(killPrimaryAfter, "kill winner", () -> crashMysqld(i, true));
        }
    }

    // ---- the kubelet -------------------------------------------------------------------------------------------

    /** A new Pod object for ordinal {@code i}: a fresh config emptyDir, then its init container. */
    void podStart(int i) {
        Pod p = pods[i];
        if (p.exists) {
            return;
        }
        p.exists = true;
        p.podRuns++;
        p.config = mkdirs(root.resolve("pod-" + i).resolve("conf-" + p.podRuns));
        p.sidecar = null;
        note(i, "pod started (run " + p.podRuns + ")");
        startInit(i);
    }

    /** The whole pod goes: its containers die, its emptyDir and its Pod object (with what it published) too. */
    void podKill(int i) {
        Pod p = pods[i];
        if (!p.exists) {
            return;
        }
        note(i, "pod killed");
        crashMysqld(i, false);
        if (p.loop != null) {
            p.loop.kill();
            p.loop = null;
        }
        p.exists = false;
        p.sidecar = null;
        p.served = null;
        kube.published.remove(i);
        kube.ready.remove(i);
    }

    private void startInit(int i) {
        Pod p = pods[i];
        BootstrapSettings s = new BootstrapSettings(Pods.identity(i, "10.0.0." + (10 + i)), n, p.data, p.config, "galera.cnf",
                Optional.empty(), Optional.empty(), Optional.empty(), "galera", "rsync", "/usr/lib/galera/libgalera_smm.so",
                "/nonexistent", Duration.ofSeconds(30), Duration.ofHours(2), 0, "0.0.0.0", false,
                schedule.quorum(), schedule.recoveryTimeout(), p.forcedOverride ? schedule.override() : Optional.empty(), Optional.empty());
        Clock clock = p.clock();
        LoopThread[] self = new LoopThread[1];
        p.loopPoints = 0;
        int crashAt = initCrashed.contains(i) ? 0 : schedule.initCrashPoint(i, p.podRuns);
        java.util.function.IntFunction<Void> point = o -> {
            self[0].point();
            if (++p.loopPoints == crashAt) {
                initCrashed.add(i);
                note(i, "init container crashes at its interaction point " + crashAt);
                throw new LoopThread.Killed();
            }
            return null;
        };
        StateBoard inner = schedule.api()
                ? new KubeStateBoard(kube.forPod(i, clock, point), i, HandOffLease.DEFAULT_TERM, dev.galeraagent.kube.EventSink.NONE)
                : StateBoard.NONE;
        StateBoard board = new StateBoard() {
            @Override
            public Map<Integer, PublishedState> published() {
                return inner.published();
            }

            @Override
            public Set<Integer> readyPods() {
                return inner.readyPods();
            }

            @Override
            public Optional<Integer> openBootstrap() {
                return inner.openBootstrap();
            }

            @Override
            public boolean recordsBootstraps() {
                return inner.recordsBootstraps();
            }

            @Override
            public boolean publish(PublishedState own) {
                p.served = own; // what its /status serves while it waits
                if (outage) {
                    reportedSinceOutage.add(i);
                }
                return inner.publish(own);
            }

            @Override
            public LeaseGrant acquireLease(String holder, Optional<Position> position) {
                return inner.acquireLease(holder, position);
            }

            @Override
            public void releaseLease(String holder) {
                inner.releaseLease(holder);
            }

            @Override
            public List<String> describe() {
                return inner.describe();
            }
        };
        BootstrapLoop.Recoverer recoverer = config -> {
            point.apply(i);
            return new Position(p.uuid == null ? Uuids.NIL : p.uuid, p.committed);
        };
        p.loop = new LoopThread("sim-pod-" + i, () -> new BootstrapLoop(s, () -> Pods.loopback(s.identity(), n, "127.0.99.", 10),
                peers -> {
                    point.apply(i);
                    return statuses(i);
                }, board, new PrintWriter(new StringWriter()), clock, d -> self[0].sleep(d), recoverer).run());
        self[0] = p.loop;
        LoopThread mine = p.loop;
        at(Duration.ofMillis(300), "init " + i, () -> resumeLoop(i, mine));
    }

    private void resumeLoop(int i, LoopThread loop) {
        Pod p = pods[i];
        if (p.loop != loop) {
            return;
        }
        loop.step();
        if (loop.state == LoopThread.State.SLEEPING) {
            at(loop.sleepFor, "wake " + i, () -> resumeLoop(i, loop));
            return;
        }
        p.loop = null;
        p.served = null;
        Object out = loop.outcome;
        if (out instanceof Plan plan) {
            note(i, "init decided " + plan.name() + (plan instanceof Plan.BootstrapFromHere b ? " from " + b.position() : ""));
            if (plan instanceof Plan.BootstrapFromHere || plan instanceof Plan.NewCluster) {
                checkBootstrapDecision(i, plan);
            }
            startContainers(i);
        } else if (out instanceof AgentException e) {
            note(i, "init exited " + e.exitCode().code() + ": " + shorten(e.getMessage()));
            at(Duration.ofSeconds(10), "init restart " + i, () -> {
                if (pods[i].exists && pods[i].loop == null && pods[i].proc == Proc.DOWN && pods[i].sidecar == null) {
                    startInit(i);
                }
            });
        } else if (out instanceof LoopThread.Killed) {
            at(Duration.ofSeconds(2), "init restart " + i, () -> {
                if (pods[i].exists && pods[i].loop == null && pods[i].sidecar == null) {
                    startInit(i);
                }
            });
        } else {
            violation("pod " + i + ": agent bootstrap failed with an unexpected " + out);
        }
    }

    private void startContainers(int i) {
        Pod p = pods[i];
        // the init container that just ran deleted any earlier one-shot file and wrote the one this run decided
        p.oneShotAt = Files.exists(oneShotFile(p)) ? now : null;
        Clock clock = p.clock();
        p.sidecar = new HandOffTask(p.config, () -> observe(i).wsrepStatus(), schedule.api() ? (ns, name) -> kube.renewer(i, clock) : null,
                p.name(), SimKube.NAMESPACE, clock);
        at(Duration.ofSeconds(1), "sidecar " + i, () -> sidecarTick(i, p.podRuns));
        if (schedule.restartKeepsPosition() && !prepareStart(i)) {
            return;
        }
        startMysqld(i);
    }

    private void sidecarTick(int i, int run) {
        Pod p = pods[i];
        if (!p.exists || p.podRuns != run || p.sidecar == null) {
            return;
        }
        p.sidecar.step();
        at(Duration.ofSeconds(1), "sidecar " + i, () -> sidecarTick(i, run));
    }

    /** The kubelet's view: readiness (Synced in a Primary) reaches the API a probe period late. */
    private void kubelet() {
        for (Pod p : pods) {
            boolean ready = p.exists && p.proc == Proc.MEMBER && p.component.primary;
            if (ready) {
                kube.ready.add(p.ordinal);
            } else {
                kube.ready.remove(p.ordinal);
            }
        }
        at(Duration.ofSeconds(5), "kubelet", this::kubelet);
    }

    // ---- mariadbd and Galera -------------------------------------------------------------------------------------

    /** The mariadb container starts mariadbd with what the config volume holds. */
    void startMysqld(int i) {
        Pod p = pods[i];
        if (!p.exists || p.proc != Proc.DOWN || !Files.exists(p.config.resolve("galera.cnf"))) {
            return;
        }
        String once = read(p.config.resolve(HandOff.ONE_SHOT_DIR).resolve(GaleraConfig.OneShot.FILE_NAME));
        p.startedNewCluster = once != null && once.contains("wsrep_new_cluster");
        Optional<GrastateFile> g = grastate(p);
        p.startedWithPosition = (once != null && once.contains("wsrep_start_position")) || g.map(x -> x.seqno() >= 0).orElse(false)
                || p.positionFromPrepare;
        p.positionFromPrepare = false;
        p.proc = Proc.STARTING;
        long gen = ++p.procGen;
        note(i, "mariadbd starts" + (p.startedNewCluster ? " with wsrep_new_cluster" : "") + (p.startedWithPosition ? " with its position" : ""));
        Duration startup = Duration.ofMillis(1000 + random.nextInt(2000));
        if (p.slowStart != null) {
            startup = p.slowStart;
            p.slowStart = null;
        }
        at(startup, "mysqld up " + i, () -> mysqldUp(i, gen));
    }

    private void mysqldUp(int i, long gen) {
        Pod p = pods[i];
        if (p.procGen != gen || p.proc != Proc.STARTING) {
            return;
        }
        Optional<GrastateFile> g = grastate(p);
        if (p.startedNewCluster) {
            if (p.uuid != null && g.isPresent() && g.get().hasHistory() && !g.get().safeToBootstrap()) {
                note(i, "Galera refuses wsrep_new_cluster: safe_to_bootstrap is 0");
                writeGrastate(p, new GrastateFile(GrastateFile.VERSION, g.get().uuid(), -1, false));
                exitMysqld(i);
                return;
            }
            if (p.uuid == null) {
                for (Pod q : pods) {
                    if (q.uuid != null && !q.cutOff && acked.getOrDefault(q.uuid, -1L) > 0) {
                        violation("S2: pod " + i + " starts a new cluster while pod " + q.ordinal + " holds history "
                                + q.uuid.toString().substring(0, 8) + " with acknowledged rows");
                        return;
                    }
                }
            }
            Component c = new Component();
            c.uuid = p.uuid != null ? p.uuid : UUID.nameUUIDFromBytes(("history-" + (++bootstraps) + "-" + schedule.seed()).getBytes());
            c.seqno = Math.max(p.committed, 0);
            checkSource(i, c.uuid, c.seqno, "bootstraps (wsrep_new_cluster)");
            p.uuid = c.uuid;
            p.committed = c.seqno;
            c.members.add(i);
            c.viewSize = 1;
            components.add(c);
            enter(p, c);
            note(i, "is Primary: new component " + c);
            primaryFormed(i);
            mergeWaiting(c);
            return;
        }
        Optional<Component> primary = reachablePrimary(i);
        if (primary.isPresent()) {
            join(i, primary.get());
            return;
        }
        p.proc = Proc.WAITING;
        writeGrastate(p, p.uuid == null ? null : new GrastateFile(GrastateFile.VERSION, p.uuid, -1, false));
        note(i, "waits for a Primary component (non-Primary)");
        tryPcRecovery();
        // pc.wait_prim: a node that finds no Primary at start gives up after about 30 s
        at(Duration.ofSeconds(33), "wait_prim " + i, () -> {
            if (p.procGen == gen && p.proc == Proc.WAITING) {
                note(i, "mariadbd gives up waiting for a Primary (pc.wait_prim_timeout)");
                exitMysqld(i);
            }
        });
    }

    private void join(int i, Component c) {
        Pod p = pods[i];
        boolean foreign = p.uuid != null && !p.uuid.equals(c.uuid) && !p.cutOff;
        if (foreign && !p.forcedOverride) {
            violation("S3: pod " + i + " holding history " + p.uuid + " joins history " + c.uuid + " (its data is replaced) without a person's override");
            return;
        }
        boolean ist = p.uuid != null && p.uuid.equals(c.uuid) && !p.cutOff && p.committed >= 0 && c.seqno - p.committed <= GCACHE && p.startedWithPosition;
        p.proc = Proc.JOINING;
        long gen = p.procGen;
        note(i, "joins " + c + " by " + (ist ? "IST" : "SST"));
        if (!ist) {
            markers(p, true);
            if (cutTransfers.remove(i)) {
                at(Duration.ofSeconds(3), "cut transfer", () -> {
                    if (p.procGen == gen && p.proc == Proc.JOINING) {
                        podKill(i);
                        at(Duration.ofSeconds(5), "pod back", () -> podStart(i));
                    }
                });
            }
        }
        at(Duration.ofSeconds(ist ? 2 : 8), "joined " + i, () -> {
            if (p.procGen != gen || p.proc != Proc.JOINING) {
                return;
            }
            if (!c.primary || !components.contains(c)) {
                note(i, "the component it joined went away: mariadbd exits");
                exitMysqld(i);
                return;
            }
            markers(p, false);
            p.cutOff = false;
            p.uuid = c.uuid;
            p.committed = c.seqno;
            c.members.add(i);
            c.viewSize = c.members.size();
            enter(p, c);
            note(i, "Synced in " + c);
        });
    }

    private void enter(Pod p, Component c) {
        p.proc = Proc.MEMBER;
        p.component = c;
        writeGrastate(p, new GrastateFile(GrastateFile.VERSION, c.uuid, -1, false));
        if (c.primary) {
            p.gvw = new TreeSet<>(c.members);
            for (int m : c.members) {
                pods[m].gvw = new TreeSet<>(c.members);
                pods[m].gvwstateAt = now;
            }
        }
    }

    /** Nodes waiting outside any Primary join a Primary that forms where they can reach it. */
    private void mergeWaiting(Component c) {
        for (Pod q : pods) {
            if (q.proc == Proc.WAITING && !q.partitioned && c.primary) {
                join(q.ordinal, c);
            }
        }
    }

    /**
     * pc.recovery: when every member of a node's last Primary view waits again, Galera restores that Primary by itself,
     * keeping the history only when every member started with its position (measured: otherwise a new uuid at seqno 0).
     */
    private void tryPcRecovery() {
        for (Pod p : pods) {
            if (p.proc != Proc.WAITING || p.gvw == null) {
                continue;
            }
            Set<Integer> view = p.gvw;
            boolean all = view.stream().allMatch(m -> pods[m].proc == Proc.WAITING && view.equals(pods[m].gvw) && !pods[m].partitioned);
            if (!all) {
                continue;
            }
            Component c = new Component();
            boolean positions = view.stream().allMatch(m -> pods[m].startedWithPosition);
            long max = view.stream().mapToLong(m -> pods[m].committed).max().orElse(0);
            if (positions) {
                c.uuid = p.uuid;
                c.seqno = max;
                checkSource(p.ordinal, c.uuid, c.seqno, "is restored by pc.recovery");
            } else {
                c.uuid = UUID.nameUUIDFromBytes(("pc-recovery-" + (++bootstraps) + "-" + schedule.seed()).getBytes());
                c.seqno = 1;
                violation("rule 11: pods " + view + " restored a Primary by pc.recovery without their positions: a new history "
                        + c.uuid.toString().substring(0, 8) + " replaces " + p.uuid);
            }
            c.viewSize = view.size();
            components.add(c);
            for (int m : view) {
                pods[m].uuid = c.uuid;
                pods[m].committed = c.seqno;
                c.members.add(m);
                enter(pods[m], c);
            }
            note(p.ordinal, "pc.recovery restored " + c);
            primaryFormed(p.ordinal);
            mergeWaiting(c);
            return;
        }
    }

    private Optional<Component> reachablePrimary(int i) {
        if (pods[i].partitioned) {
            return Optional.empty();
        }
        return components.stream().filter(c -> c.primary && c.members.stream().anyMatch(m -> !pods[m].partitioned)).findFirst();
    }

    /** kill -9 of mariadbd: its data stays at its last commit; its component may lose its majority. */
    void crashMysqld(int i, boolean restartContainer) {
        Pod p = pods[i];
        if (p.proc == Proc.DOWN) {
            return;
        }
        note(i, "mariadbd killed (" + p.proc + ")");
        if (p.proc == Proc.JOINING && markersPresent(p)) {
            p.cutOff = true;
            note(i, "its state transfer is cut off: partial data, markers left");
        }
        leave(p);
        p.proc = Proc.DOWN;
        p.procGen++;
        if (restartContainer) {
            at(Duration.ofSeconds(5 + random.nextInt(6)), "container restart " + i, () -> {
                if (pods[i].exists && pods[i].proc == Proc.DOWN && pods[i].sidecar != null) {
                    note(i, "mariadb container restarts (no init container runs)");
                    if (schedule.restartKeepsPosition() && !prepareStart(i)) {
                        return;
                    }
                    startMysqld(i);
                }
            });
        }
    }

    /**
     * {@code agent prepare-start} before every start of mariadbd (rule 11 and the rule-10 guard): the real
     * {@link StartPlan} decides from the data directory, the pending one-shot file and the files' write times (virtual
     * here, mtimes in a pod); the model carries the plan out. False when it refuses, so mariadbd does not start (its
     * container would restart into the same refusal until a person acts).
     */
    private boolean prepareStart(int i) {
        Pod p = pods[i];
        Path once = oneShotFile(p);
        String text = read(once);
        try {
            Optional<StartPlan.PendingOneShot> pending = text == null ? Optional.empty()
                    : Optional.of(new StartPlan.PendingOneShot(GaleraConfig.OneShot.parse(text), p.oneShotAt));
            StartPlan plan = StartPlan.decide(DataDir.inspect(p.data), pending, Optional.ofNullable(p.gvwstateAt), Optional.ofNullable(p.grastateAt));
            if (plan.dropOneShot()) {
                Files.delete(once);
                p.oneShotAt = null;
                note(i, "prepare-start: the one-shot bootstrap already made this node Primary: removed");
            }
            if (plan.markSafe()) {
                writeGrastate(p, grastate(p).orElseThrow().withSafeToBootstrap(true));
                note(i, "prepare-start: the bootstrap did not happen yet: safe_to_bootstrap set again");
            }
            if (plan.recoverFor().isPresent()) {
                if (p.uuid == null || !p.uuid.equals(plan.recoverFor().get())) {
                    note(i, "prepare-start refuses: InnoDB holds " + p.uuid + ", grastate.dat names " + plan.recoverFor().get());
                    return false;
                }
                p.positionFromPrepare = true;
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path oneShotFile(Pod p) {
        return p.config.resolve(HandOff.ONE_SHOT_DIR).resolve(GaleraConfig.OneShot.FILE_NAME);
    }

    /** mariadbd exits by itself (refused, gave up): the kubelet restarts the container. */
    private void exitMysqld(int i) {
        crashMysqld(i, true);
    }

    private void leave(Pod p) {
        Component c = p.component;
        p.component = null;
        if (c == null) {
            return;
        }
        c.members.remove(p.ordinal);
        if (c.members.isEmpty()) {
            components.remove(c);
            return;
        }
        if (c.primary && c.members.size() * 2 <= c.viewSize) {
            c.primary = false;
            event("component " + c + " lost its majority");
            for (int m : c.members) {
                pods[m].proc = Proc.WAITING;
                pods[m].startedWithPosition = true; // a running node knows its position
            }
        }
    }

    /** A clean stop: grastate gets the seqno; the last member to leave gets safe_to_bootstrap: 1. */
    void stopMysqld(int i) {
        Pod p = pods[i];
        if (p.proc != Proc.MEMBER) {
            crashMysqld(i, false);
            return;
        }
        Component c = p.component;
        boolean last = c.members.size() == 1;
        leave(p);
        p.proc = Proc.DOWN;
        p.procGen++;
        p.gvw = null;
        p.gvwstateAt = null;
        writeGrastate(p, new GrastateFile(GrastateFile.VERSION, p.uuid, p.committed, last));
        note(i, "mariadbd stopped cleanly at " + p.committed + (last ? " (last: safe_to_bootstrap 1)" : ""));
    }

    private void write() {
        if (writing) {
            for (Component c : components) {
                if (c.primary) {
                    c.seqno++;
                    for (int m : c.members) {
                        pods[m].committed = c.seqno;
                    }
                    acked.merge(c.uuid, c.seqno, Math::max);
                }
            }
        }
        at(Duration.ofMillis(500), "writer", this::write);
    }

    void stopWriting() {
        writing = false;
    }

    // ---- what the agent sees -------------------------------------------------------------------------------------

    /** Every peer's /status as {@code self}'s loop would read it: the waiting agent's, or the sidecar's. */
    private List<PeerStatus> statuses(int self) {
        List<PeerStatus> out = new ArrayList<>();
        for (Pod q : pods) {
            if (q.ordinal == self || !q.exists || q.partitioned || pods[self].partitioned) {
                continue;
            }
            NodeStatus st;
            if (q.loop != null) {
                if (q.served == null) {
                    continue;
                }
                st = new NodeStatus("sim", q.name(), q.ordinal, null, null, null, null, null, null, null, false, true,
                        "agent bootstrap: " + q.served.phase(), null, q.served, null);
            } else if (q.sidecar != null) {
                PublishedState decision = new NodeFiles(q.data, q.config).lastDecision();
                boolean answers = q.proc == Proc.MEMBER || q.proc == Proc.WAITING || q.proc == Proc.JOINING;
                String status = !answers ? null : q.proc == Proc.MEMBER && q.component.primary ? "Primary" : "non-Primary";
                String comment = q.proc == Proc.MEMBER ? (q.component.primary ? "Synced" : "Initialized") : q.proc == Proc.JOINING ? "Joining" : "Initialized";
                st = new NodeStatus("sim", q.name(), q.ordinal, status, answers ? comment : null,
                        answers && q.uuid != null ? q.uuid.toString() : null, answers ? q.committed : null, null, answers, answers,
                        false, true, "sidecar", null, decision, null);
            } else {
                continue;
            }
            out.add(new PeerStatus.Live(q.ordinal, q.name(), null, st));
        }
        return out;
    }

    /** What the sidecar's status read answers. */
    private Observation observe(int i) {
        Pod p = pods[i];
        if (p.proc != Proc.MEMBER && p.proc != Proc.WAITING && p.proc != Proc.JOINING) {
            return new Observation.Failed(Observation.Failure.DOWN, "down");
        }
        boolean primary = p.proc == Proc.MEMBER && p.component.primary;
        return new Observation.Answered(Map.of("wsrep_cluster_size", String.valueOf(p.component == null ? 0 : p.component.members.size()),
                "wsrep_cluster_status", primary ? "Primary" : "non-Primary",
                "wsrep_local_state_comment", p.proc == Proc.MEMBER ? "Synced" : "Joining", "wsrep_connected", "ON", "wsrep_ready", primary ? "ON" : "OFF"));
    }

    // ---- invariants ----------------------------------------------------------------------------------------------

    private void checkOnePrimary() {
        List<Component> primaries = components.stream().filter(c -> c.primary).toList();
        if (primaries.size() > 1) {
            violation("S1: two Primary components at once: " + primaries);
        }
    }

    /** S2 and S4 when a Primary starts from a pod's data. */
    private void checkSource(int i, UUID uuid, long seqno, String how) {
        Pod p = pods[i];
        if (p.cutOff) {
            violation("S4: pod " + i + " " + how + " from a cut-off state transfer");
        }
        long a = acked.getOrDefault(uuid, -1L);
        if (seqno < a && !lossAllowed(i, uuid, seqno)) {
            violation("S2: pod " + i + " " + how + " from " + uuid.toString().substring(0, 8) + ":" + seqno + " but " + a
                    + " rows were acknowledged in that history");
        }
    }

    /** A bootstrap decision: the pod's data must be at least every other pod's in the same history (S2). */
    private void checkBootstrapDecision(int i, Plan plan) {
        decisionReasons.put(i, plan.reasons());
        note(i, "reasons: " + String.join(" | ", plan.reasons()));
    }

    private final Map<Integer, List<String>> decisionReasons = new HashMap<>();
    private final Set<Integer> reportedSinceOutage = new TreeSet<>();
    private boolean outage;

    void outageBegins() {
        outage = true;
        reportedSinceOutage.clear();
    }

    /**
     * The two exceptions to S2 that docs/recovery-protocol.md allows: a person's override that applied, and a decision
     * taken after the recovery timeout without the pods that hold more data, none of which reported since the outage
     * began, logged as a WARNING.
     */
    private boolean lossAllowed(int source, UUID uuid, long seqno) {
        List<String> reasons = decisionReasons.getOrDefault(source, List.of());
        if (reasons.stream().anyMatch(r -> r.startsWith("a person chose pod"))) {
            return true;
        }
        if (reasons.stream().noneMatch(r -> r.startsWith("WARNING: the recovery timeout passed"))) {
            return false;
        }
        for (Pod q : pods) {
            if (uuid.equals(q.uuid) && q.committed > seqno && reportedSinceOutage.contains(q.ordinal)) {
                return false;
            }
        }
        return true;
    }

    /** Every pod Synced in one Primary, and no agent bootstrap running: nothing more can happen without a new fault. */
    private boolean settled() {
        for (Pod p : pods) {
            if (!p.exists || p.loop != null || p.proc != Proc.MEMBER || !p.component.primary) {
                return false;
            }
        }
        return true;
    }

    /** At the end, with every pod back and no fault left: one Primary, everyone Synced in it. */
    List<String> unsettled() {
        List<String> out = new ArrayList<>();
        for (Pod p : pods) {
            if (!p.exists) {
                out.add("pod " + p.ordinal + " does not exist");
            } else if (p.proc != Proc.MEMBER || !p.component.primary) {
                out.add("pod " + p.ordinal + " is " + p.proc + (p.loop != null && p.served != null ? " (agent " + p.served.phase() + ": "
                        + p.served.reasons().stream().reduce((a, b) -> b).orElse("") + ")" : ""));
            }
        }
        Set<UUID> histories = new LinkedHashSet<>();
        for (Pod p : pods) {
            if (p.component != null) {
                histories.add(p.component.uuid);
            }
        }
        if (histories.size() > 1) {
            out.add("more than one history: " + histories);
        }
        return out;
    }

    // ---- files ---------------------------------------------------------------------------------------------------

    Optional<GrastateFile> grastate(Pod p) {
        String text = read(p.data.resolve(GrastateFile.FILE_NAME));
        return text == null ? Optional.empty() : Optional.of(GrastateFile.parse(text));
    }

    void writeGrastate(Pod p, GrastateFile g) {
        try {
            p.grastateAt = g == null ? null : now;
            if (g == null) {
                Files.deleteIfExists(p.data.resolve(GrastateFile.FILE_NAME));
            } else {
                Files.writeString(p.data.resolve(GrastateFile.FILE_NAME), g.render());
                Files.createDirectories(p.data.resolve("mysql"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void markers(Pod p, boolean present) {
        try {
            if (present) {
                Files.writeString(p.data.resolve("sst_in_progress"), "");
            } else {
                Files.deleteIfExists(p.data.resolve("sst_in_progress"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean markersPresent(Pod p) {
        return Files.exists(p.data.resolve("sst_in_progress"));
    }

    /** Pod {@code i}'s data directory is lost (a wiped PVC). */
    void wipe(int i) {
        Pod p = pods[i];
        try (var files = Files.walk(p.data)) {
            files.sorted(Comparator.reverseOrder()).filter(f -> !f.equals(p.data)).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        UUID lostHistory = p.uuid;
        p.uuid = null;
        p.committed = -1;
        p.cutOff = false;
        p.gvw = null;
        note(i, "data directory wiped");
        if (lostHistory != null) {
            // rows only the wiped volume held are lost by the wipe, not by the protocol: S2 counts what survives
            long survives = java.util.Arrays.stream(pods).filter(q -> lostHistory.equals(q.uuid) && !q.cutOff).mapToLong(q -> q.committed).max().orElse(-1);
            if (survives < acked.getOrDefault(lostHistory, -1L)) {
                acked.put(lostHistory, survives);
                note(i, "the rows after " + survives + " in that history were only on this volume");
            }
        }
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f, StandardCharsets.ISO_8859_1) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path mkdirs(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String shorten(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    String describe() {
        return "seed " + schedule.seed() + ": " + schedule + "\n" + timeline.stream().collect(Collectors.joining("\n"));
    }
}
