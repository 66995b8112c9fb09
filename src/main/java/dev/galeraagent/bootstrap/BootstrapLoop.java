package dev.galeraagent.bootstrap;

import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.DiscoveryResult;
import dev.galeraagent.discovery.PeerStatus;
import dev.galeraagent.discovery.PodIdentity;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.galera.DataDir;
import dev.galeraagent.galera.DataDirState;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;
import dev.galeraagent.galera.RecoverRunner;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.Version;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
    private final BootstrapSettings s;
    private final PeerDirectory directory;
    private final PeerProbe probe;
    private final StateBoard board;
    private final PrintWriter out;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Recoverer recoverer;
    private final StartFiles files;
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
        this.files = new StartFiles(settings, clock);
    }

    /** Runs to a final plan and returns it; throws AgentException for REFUSE (3), timeout (4) and failures. */
    public Plan run() {
        phases = new PhaseTimer(clock);
        PodIdentity id = s.identity();
        DataDirState dir = inspect();
        phases.mark("identity");
        DiscoveryResult found = directory.discover();
        String nodeAddress = found.nodeAddress(s.identity());
        GaleraConfig config = s.galeraConfig(nodeAddress);
        phases.mark("dns");
        LocalState local = localState(dir, config);
        phases.mark("recover");
        if (s.dryRun()) {
            return new DryRunReport(s, board, files, out).print(dir, local, config, found, nodeAddress, statuses(found));
        }
        LOG.info("pod " + id.podName() + " (ordinal " + id.ordinal() + " of " + s.replicas() + "): " + dir.describe() + positionNote(local));
        LOG.info("peers: " + found.summary());
        Instant started = clock.instant();
        Instant deadline = started.plus(s.timeout());
        Set<String> logged = new HashSet<>();
        PollCadence cadence = new PollCadence();
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
                    server.update(StatusServer.waiting(s.identity(), dir, own));
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
                        Instant now = clock.instant();
                        sleep(min(cadence.next(w.reasons(), now), Duration.between(now, deadline)));
                        phases.mark("election");
                        found = null;
                    }
                    case Plan.Refuse r -> {
                        LOG.error("decision " + oneLine(r));
                        throw new AgentException(ExitCode.REFUSED, "refused: " + String.join("; ", r.reasons()));
                    }
                    case Plan.Join _, Plan.NewCluster _, Plan.BootstrapFromHere _ -> {
                        return decided(dir, config, plan, grant);
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
        files.write(dir, config, plan, grant);
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


    private StatusServer startStatusServer(LocalState local, String nodeAddress) {
        if (s.statusPort() == 0) {
            return null;
        }
        // the address peers reach this pod on; a name (no POD_IP, not resolvable) falls back to --bind-address
        String bind = nodeAddress.equals(s.identity().fqdn()) ? s.bindAddress() : nodeAddress;
        PublishedState own = PublishedStates.of(s.identity().ordinal(), local, Optional.empty(), s.forced(), clock.instant(), Version.get(),
                run, s.podUid().orElse(null));
        try {
            return StatusServer.start(bind, s.statusPort(), StatusServer.waiting(s.identity(), null, own));
        } catch (IOException e) {
            throw new AgentException(ExitCode.ENVIRONMENT, "cannot serve /status on " + bind + ":" + s.statusPort() + " (--status-port): " + e.getMessage(), e);
        }
    }


    private static String positionNote(LocalState local) {
        return local instanceof LocalState.State st && st.seqnoRecovered() ? "; recovered seqno " + st.position().seqno() : "";
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
