package dev.galeraagent.bootstrap;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.status.Version;
import dev.galeraagent.discovery.DiscoveryResult;
import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.PeerStatus;
import dev.galeraagent.discovery.PodIdentity;
import dev.galeraagent.files.UnsafeFileException;
import dev.galeraagent.files.WritePlan;
import dev.galeraagent.galera.RecoverRunner;
import dev.galeraagent.galera.DataDir;
import dev.galeraagent.galera.DataDirState;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.galera.InvalidFieldException;
import dev.galeraagent.galera.Position;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;


/**
 * Gathers the planner's inputs, asks it until the plan is final, and writes the result: galera.cnf
 * (the same for every plan), the one-shot file and the bootstrap hand-off. {@code WAIT} is retried with
 * backoff until the timeout; {@code REFUSE} and the timeout end in an {@link AgentException} with their
 * exit codes. With {@code dryRun} it decides once, prints everything and changes nothing.
 */
public final class BootstrapLoop {
    private static final Log LOG = Log.of("bootstrap");
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final BootstrapSettings s;
    private final PeerDirectory directory;
    private final PeerProbe probe;
    private final StateBoard board;
    private final PrintWriter out;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Recoverer recoverer;
    /** This run's id in what it publishes: a state from another run of the same pod is told apart. */
    private final String run = UUID.randomUUID().toString();
    private PhaseTimer phases;

    /** Waits between rounds; tests pass one that advances their clock instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper REAL = d -> Thread.sleep(d.toMillis());

        void sleep(Duration d) throws InterruptedException;
    }

    public BootstrapLoop(BootstrapSettings settings, PeerDirectory directory, PeerProbe probe, StateBoard board, PrintWriter out) {
        this(settings, directory, probe, board, out, Clock.systemUTC(), Sleeper.REAL);
    }

    /** Learns the position of a node whose grastate.dat says -1 (or is missing): {@code mariadbd --wsrep-recover} in production. */
    @FunctionalInterface
    public interface Recoverer {
        Position recover(GaleraConfig config);
    }

    public BootstrapLoop(BootstrapSettings settings, PeerDirectory directory, PeerProbe probe, StateBoard board, PrintWriter out,
                         Clock clock, Sleeper sleeper) {
        this(settings, directory, probe, board, out, clock, sleeper, null);
    }

    /** {@code recoverer} null: run {@code mariadbd --wsrep-recover} ({@link BootstrapSettings#mariadbd()}). */
    public BootstrapLoop(BootstrapSettings settings, PeerDirectory directory, PeerProbe probe, StateBoard board, PrintWriter out,
                         Clock clock, Sleeper sleeper, Recoverer recoverer) {
        this.recoverer = recoverer != null ? recoverer : this::recover;
        this.s = settings;
        this.directory = directory;
        this.probe = probe;
        this.board = board;
        this.out = out;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Runs to a final plan and returns it; throws AgentException for REFUSE (3), timeout (4) and failures. */
    public Plan run() {
        phases = new PhaseTimer(clock);
        PodIdentity id = s.identity();
        DataDirState dir = inspect();
        phases.mark("identity");
        DiscoveryResult found = directory.discover();
        String nodeAddress = nodeAddress(found);
        GaleraConfig config = config(nodeAddress);
        phases.mark("dns");
        LocalState local = localState(dir, config);
        phases.mark("recover");
        if (s.dryRun()) {
            return dryRun(dir, local, config, found, nodeAddress);
        }
        LOG.info("pod " + id.podName() + " (ordinal " + id.ordinal() + " of " + s.replicas() + "): " + dir.describe() + positionNote(local));
        LOG.info("peers: " + found.summary());
        Instant started = clock.instant();
        Instant deadline = started.plus(s.timeout());
        Set<String> logged = new HashSet<>();
        Duration backoff = FIRST_BACKOFF;
        StatusServer server = startStatusServer(local, nodeAddress);
        String lastResolved = resolvedNames(found);
        Map<Integer, PublishedState> remembered = Map.of();
        try {
            while (true) {
                if (found == null) {
                    // every round asks DNS again: pods created later (or rescheduled) are found
                    found = directory.discover();
                    String resolved = resolvedNames(found);
                    if (!resolved.equals(lastResolved)) {
                        LOG.info("peers: " + found.summary());
                        lastResolved = resolved;
                    }
                }
                boolean recoveryTimeoutPassed = !clock.instant().isBefore(started.plus(s.recoveryTimeout()));
                Map<Integer, NodeStatus> statuses = statuses(found);
                Map<Integer, PublishedState> published = board.published();
                int quorum = s.quorum();
                if (quorum < s.replicas() && !board.recordsBootstraps()) {
                    if (logged.add("quorum")) {
                        LOG.warn("--recovery-quorum " + quorum + " is not used without the Kubernetes API: nothing would record a pod that"
                                + " bootstrapped and crashed before the others joined it, so the election waits for every pod (rule 9)");
                    }
                    quorum = s.replicas();
                }
                Plan plan = Planner.plan(new PlannerInput(id.ordinal(), s.replicas(), local, statuses, published, remembered,
                        board.readyPods(), quorum, recoveryTimeoutPassed, s.forced(), board.openBootstrap()));
                remembered = BootstrapPolicy.remember(remembered, published, statuses);
                phases.mark("election");
                LeaseGrant grant = null;
                if (BootstrapPolicy.bootstraps(plan)) {
                    grant = board.acquireLease(id.podName(), plan instanceof Plan.BootstrapFromHere b ? Optional.of(b.position()) : Optional.empty());
                    BootstrapPolicy.Confirmed c = BootstrapPolicy.confirm(plan, grant, statuses(found), s.replicas());
                    release(c);
                    plan = c.plan();
                    phases.mark("lease");
                }
                PublishedState own = PublishedStates.of(id.ordinal(), local, Optional.of(plan), s.forced(), clock.instant(), Version.get(),
                        run, s.podUid().orElse(null));
                boolean publishedOwn = board.publish(own);
                if (!publishedOwn && (plan instanceof Plan.Join || BootstrapPolicy.bootstraps(plan))) {
                    BootstrapPolicy.Confirmed c = BootstrapPolicy.unpublished(plan, grant);
                    release(c);
                    plan = c.plan();
                    own = PublishedStates.of(id.ordinal(), local, Optional.of(plan), s.forced(), clock.instant(), Version.get(),
                            run, s.podUid().orElse(null));
                }
                board.decided(own);
                phases.mark("publish");
                phases.decision(plan.name());
                if (server != null) {
                    server.update(waitingStatus(dir, own));
                }
                switch (plan) {
                    case Plan.Wait w -> {
                        for (String r : w.reasons()) {
                            if (logged.add(r)) {
                                LOG.info("waiting: " + r);
                            }
                        }
                        if (!clock.instant().isBefore(deadline)) {
                            throw new AgentException(ExitCode.TIMEOUT, "gave up after " + s.timeout().toSeconds() + "s (--timeout): " + oneLine(w));
                        }
                        sleep(min(backoff, Duration.between(clock.instant(), deadline)));
                        backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                        phases.mark("election");
                        found = null;
                    }
                    case Plan.Refuse r -> {
                        LOG.error("decision " + oneLine(r));
                        throw new AgentException(ExitCode.REFUSED, "refused: " + String.join("; ", r.reasons()));
                    }
                    case Plan.Join j -> {
                        return decided(dir, config, j, grant);
                    }
                    case Plan.NewCluster n -> {
                        return decided(dir, config, n, grant);
                    }
                    case Plan.BootstrapFromHere b -> {
                        return decided(dir, config, b, grant);
                    }
                }
            }
        } finally {
            if (server != null) {
                server.close();
            }
            LOG.info(phases.summary());
        }
    }

    private Plan decided(DataDirState dir, GaleraConfig config, Plan plan, LeaseGrant grant) {
        LOG.info("decision " + oneLine(plan));
        write(dir, config, plan, grant);
        phases.mark("config");
        return plan;
    }

    private void release(BootstrapPolicy.Confirmed c) {
        if (c.releaseLease()) {
            board.releaseLease(s.identity().podName());
        }
    }

    private Map<Integer, NodeStatus> statuses(DiscoveryResult found) {
        List<PeerDns> others = found.peers().stream().filter(p -> p.ordinal() != s.identity().ordinal()).toList();
        Map<Integer, NodeStatus> statuses = new HashMap<>();
        for (PeerStatus st : probe.statuses(others)) {
            if (st instanceof PeerStatus.Live l) {
                statuses.put(l.ordinal(), l.status());
            }
        }
        return statuses;
    }

    /** {@code POD_IP} when given, else this pod's own name as DNS resolves it, else the name itself. */
    private String nodeAddress(DiscoveryResult found) {
        PodIdentity id = s.identity();
        if (id.podIp() != null) {
            return id.podIp();
        }
        return found.peers().stream().filter(p -> p.ordinal() == id.ordinal() && p.resolved())
                .map(p -> p.addresses().getFirst().getHostAddress()).findFirst().orElse(id.fqdn());
    }

    private static String resolvedNames(DiscoveryResult found) {
        return found.peers().stream().map(p -> p.ordinal() + "=" + p.addresses()).toList().toString();
    }

    private DataDirState inspect() {
        try {
            return DataDir.inspect(s.datadir());
        } catch (NoSuchFileException e) {
            throw new AgentException(ExitCode.IO, "data directory " + s.datadir() + " does not exist (--datadir)");
        } catch (InvalidFieldException e) {
            throw new AgentException(ExitCode.IO, s.datadir().resolve(GrastateFile.FILE_NAME) + " is corrupt: " + e.getMessage()
                    + "; fix or move it aside, the agent will not guess");
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot read data directory " + s.datadir() + ": " + e.getMessage(), e);
        }
    }

    private LocalState localState(DataDirState dir, GaleraConfig config) {
        Optional<Position> recovered = BootstrapPolicy.needsRecover(dir) && !s.dryRun() ? Optional.of(recoverer.recover(config)) : Optional.empty();
        try {
            return BootstrapPolicy.localState(dir, recovered);
        } catch (IllegalStateException e) {
            throw new AgentException(ExitCode.IO, e.getMessage());
        }
    }

    private Position recover(GaleraConfig config) {
        long started = System.nanoTime();
        Position p = new RecoverRunner(s.mariadbd(), s.recoverTimeout()).recover(config, s.datadir());
        LOG.info(String.format("recovered position %s with mariadbd --wsrep-recover in %.1fs", p, (System.nanoTime() - started) / 1e9));
        return p;
    }

    private GaleraConfig config(String nodeAddress) {
        PodIdentity id = s.identity();
        try {
            return new GaleraConfig(s.clusterName(), id.podName(), nodeAddress, s.bindAddress(),
                    id.peerFqdns(s.replicas()), 4567, 4568, 4444, s.provider(), s.sstMethod(), "128M",
                    id.ordinal() + 1, s.extraConfig().map(Path::toString), s.secretConfig().map(Path::toString), s.tlsDir().map(Path::toString),
                    s.oneShotDir().toString());
        } catch (InvalidFieldException e) {
            throw new AgentException(ExitCode.USAGE, "cannot write " + s.configName() + ": " + e.getMessage());
        }
    }

    static GaleraConfig.OneShot oneShot(Plan plan) {
        return BootstrapPolicy.oneShot(plan);
    }

    private HandOff handOff(Plan plan) {
        Optional<String> position = plan instanceof Plan.BootstrapFromHere b ? Optional.of(b.position().toString()) : Optional.empty();
        return new HandOff(plan.name(), s.identity().podName(), s.identity().ordinal(), position.orElse(null),
                s.oneShotDir().resolve(GaleraConfig.OneShot.FILE_NAME).toString(), plan.reasons(), clock.instant().toString(), Version.get(), s.replicas());
    }

    /**
     * Writes in an order where a crash at any point leaves no bootstrap without its hand-off, and checks every target
     * first (no link, no FIFO, a directory that is what it claims): a refused run writes nothing.
     */
    private void write(DataDirState dir, GaleraConfig config, Plan plan, LeaseGrant grant) {
        Path once = s.oneShotDir().resolve(GaleraConfig.OneShot.FILE_NAME);
        Path request = s.configDir().resolve(HandOff.REQUEST);
        Path grastate = s.datadir().resolve(GrastateFile.FILE_NAME);
        try {
            // the config volume's mount point in a pod; a directory of a person's choice by hand
            if (!Files.exists(s.configDir(), LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(s.configDir());
            }
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot create the config directory " + s.configDir() + ": " + e.getMessage(), e);
        }
        // leftovers of an earlier pod start must never apply to this one
        WritePlan w = new WritePlan().directory(s.configDir(), s.oneShotDir()).delete(s.configDir(), once).delete(s.configDir(), request);
        Optional<GrastateFile> mark = BootstrapPolicy.grastateFor(plan, dir);
        boolean newGrastate = mark.isPresent() && !Files.exists(grastate, LinkOption.NOFOLLOW_LINKS);
        // Galera refuses wsrep_new_cluster from a node not marked safe (RuntimeBootstrapIT); mysqld must still own the file
        mark.ifPresent(g -> {
            if (newGrastate) {
                w.write(s.datadir(), grastate, g.render(), "rw-rw----");
            } else {
                w.replaceKeepingOwner(s.datadir(), grastate, g.render());
            }
        });
        if (BootstrapPolicy.bootstraps(plan)) {
            Optional<HandOffLease> lease = grant instanceof LeaseGrant.Held h ? Optional.of(h.lease()) : Optional.empty();
            w.write(s.configDir(), request, handOff(plan).toJson(lease) + "\n", "rw-r--r--");
        }
        GaleraConfig.OneShot oneShot = oneShot(plan);
        if (!oneShot.isEmpty()) {
            w.write(s.configDir(), once, oneShot.render(), "rw-r--r--");
        }
        w.write(s.configDir(), s.configFile(), config.render(), "rw-r--r--");
        try {
            w.apply();
            if (newGrastate) {
                Files.setOwner(grastate, Files.getOwner(s.datadir(), LinkOption.NOFOLLOW_LINKS));
            }
        } catch (UnsafeFileException e) {
            throw new AgentException(ExitCode.IO, e.getMessage() + "; nothing was written", e);
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot write the Galera config into " + s.configDir() + ": " + e.getMessage(), e);
        }
        mark.ifPresent(g -> LOG.info("set safe_to_bootstrap: 1 in " + grastate + " (" + g.position() + ")"));
        LOG.info("wrote " + s.configFile() + (oneShot.isEmpty() ? "" : " and " + once) + (BootstrapPolicy.bootstraps(plan) ? " and " + request : ""));
    }

    private Plan dryRun(DataDirState dir, LocalState local, GaleraConfig config, DiscoveryResult found, String nodeAddress) {
        PodIdentity id = s.identity();
        out.println("identity: pod " + id.podName() + ", ordinal " + id.ordinal() + " of " + s.replicas() + ", statefulset " + id.statefulSet()
                + ", namespace " + id.namespace() + ", service " + id.service() + ", domain " + id.clusterDomain()
                + " (" + id.clusterDomainSource().name().toLowerCase(java.util.Locale.ROOT).replace('_', '.') + ")"
                + ", address " + nodeAddress + (id.podIp() == null ? " (POD_IP not set)" : ""));
        out.println("DNS: " + found.summary());
        Map<Integer, NodeStatus> statuses = statuses(found);
        out.println("peers:");
        for (PeerDns p : found.peers()) {
            NodeStatus st = statuses.get(p.ordinal());
            String what = p.ordinal() == id.ordinal() ? "this pod"
                    : !p.resolved() ? "name not resolved"
                    : st == null ? "not answering /status on port " + s.statusPort()
                    : st.wsrepClusterStatus() != null ? "live, " + st.wsrepClusterStatus() + " (" + st.wsrepLocalStateComment() + ")"
                    : st.lastDecision() != null ? "agent bootstrap " + st.lastDecision().phase() : "answering, mysqld not";
            out.println("  " + p.ordinal() + " " + p.fqdn() + ": " + what);
        }
        board.describe().forEach(out::println);
        out.println("local state: " + dir.describe());
        boolean unknown = BootstrapPolicy.needsRecover(dir);
        if (unknown) {
            out.println("position: unknown (" + (dir.grastate().filter(GrastateFile::hasHistory).isPresent() ? "grastate.dat says seqno -1"
                    : "InnoDB data without a Galera position in grastate.dat") + "). A real run recovers it first with: "
                    + s.mariadbd() + " --defaults-file=<temp recover.cnf> --wsrep-recover --log-error=<temp log>;"
                    + " --dry-run does not, since that runs InnoDB crash recovery on the data");
        }
        Plan plan = Planner.plan(new PlannerInput(id.ordinal(), s.replicas(), local, statuses, board.published(), Map.of(),
                board.readyPods(), s.quorum(), false, s.forced(), board.openBootstrap()));
        out.println("decision: " + plan.name());
        plan.reasons().forEach(r -> out.println("  - " + r));
        if (plan instanceof Plan.Wait) {
            out.println("a real run asks again with backoff until --timeout (" + s.timeout().toSeconds() + "s), serving its state on /status");
        }
        if (plan instanceof Plan.Refuse) {
            out.println("a real run exits with code " + ExitCode.REFUSED.code() + " and writes nothing");
        }
        out.println("would write " + s.configFile() + " (the same for every decision):");
        config.render().lines().forEach(l -> out.println("    " + l));
        GaleraConfig.OneShot once = oneShot(plan);
        Path onceFile = s.oneShotDir().resolve(GaleraConfig.OneShot.FILE_NAME);
        if (plan instanceof Plan.Wait || plan instanceof Plan.Refuse) {
            out.println("the one-shot file " + onceFile + " depends on the final decision");
        } else if (once.isEmpty()) {
            out.println("would remove " + onceFile + " if present (no one-shot settings)");
        } else {
            out.println("would write " + onceFile + ":");
            once.render().lines().forEach(l -> out.println("    " + l));
        }
        if (unknown) {
            out.println("a real run also passes the recovered position as wsrep_start_position");
        }
        if (BootstrapPolicy.grastateFor(plan, dir).isPresent()) {
            out.println("would set safe_to_bootstrap: 1 in " + s.datadir().resolve(GrastateFile.FILE_NAME));
        }
        if (BootstrapPolicy.bootstraps(plan)) {
            out.println("a real run first takes the bootstrap Lease (with the API) and checks once more that no peer is Primary");
            out.println("would write " + s.configDir().resolve(HandOff.REQUEST) + ":");
            out.println("    " + handOff(plan).toJson());
        }
        out.println("dry run: nothing was changed");
        out.flush();
        return plan;
    }

    private StatusServer startStatusServer(LocalState local, String nodeAddress) {
        if (s.statusPort() == 0) {
            return null;
        }
        // the address peers reach this pod on; a name (no POD_IP, not resolvable) falls back to --bind-address
        String bind = nodeAddress.equals(s.identity().fqdn()) ? s.bindAddress() : nodeAddress;
        PublishedState own = PublishedStates.of(s.identity().ordinal(), local, Optional.empty(), s.forced(), clock.instant(), Version.get(),
                run, s.podUid().orElse(null));
        try {
            return StatusServer.start(bind, s.statusPort(), waitingStatus(null, own));
        } catch (IOException e) {
            throw new AgentException(ExitCode.ENVIRONMENT, "cannot serve /status on " + bind + ":" + s.statusPort() + " (--status-port): " + e.getMessage(), e);
        }
    }

    private NodeStatus waitingStatus(DataDirState dir, PublishedState own) {
        NodeStatus.Grastate g = dir == null ? null : dir.grastate()
                .map(x -> new NodeStatus.Grastate(x.uuid().toString(), x.seqno(), x.safeToBootstrap())).orElse(null);
        return new NodeStatus(Version.get(), s.identity().podName(), s.identity().ordinal(), null, null, null, null, null, null, null,
                false, true, "agent bootstrap: " + own.phase(), g, own, null);
    }

    private static String positionNote(LocalState local) {
        return local instanceof LocalState.State st && st.seqnoRecovered() ? "; recovered seqno " + st.seqno() : "";
    }

    static String oneLine(Plan plan) {
        return plan.name() + ": " + String.join("; ", plan.reasons());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : (b.isNegative() ? Duration.ZERO : b);
    }

    private void sleep(Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(ExitCode.ENVIRONMENT, "interrupted while waiting (the pod is being stopped?)");
        }
    }
}
