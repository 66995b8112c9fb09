package dev.galeraagent.bootstrap;

import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.DiscoveryResult;
import dev.galeraagent.discovery.PodIdentity;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.galera.DataDirState;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.status.NodeStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code agent bootstrap --dry-run}: the decision a real run would take now, the other pods' published states and the
 * files it would write, for a person. Kept next to the loop (not in cli) because it runs the same planner on the same
 * package-private inputs; only its printing is its own.
 */
final class DryRunReport {
    private final BootstrapSettings s;
    private final StateBoard board;
    private final StartFiles files;
    private final PrintWriter out;

    DryRunReport(BootstrapSettings settings, StateBoard board, StartFiles files, PrintWriter out) {
        this.s = settings;
        this.board = board;
        this.files = files;
        this.out = out;
    }

    /** Prints what a real run would decide and write, from what this pod sees now; changes, publishes and takes nothing. */
    Plan print(DataDirState dir, LocalState local, GaleraConfig config, DiscoveryResult found, String nodeAddress,
               Map<Integer, NodeStatus> statuses) {
        PodIdentity id = s.identity();
        out.println("identity: pod " + id.podName() + ", ordinal " + id.ordinal() + " of " + s.replicas() + ", statefulset " + id.statefulSet()
                + ", namespace " + id.namespace() + ", service " + id.service() + ", domain " + id.clusterDomain()
                + " (" + id.clusterDomainSource().name().toLowerCase(java.util.Locale.ROOT).replace('_', '.') + ")"
                + ", address " + nodeAddress + (id.podIp() == null ? " (POD_IP not set)" : ""));
        out.println("DNS: " + found.summary());
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
        GaleraConfig.OneShot once = BootstrapPolicy.oneShot(plan);
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
            out.println("    " + files.handOff(plan).toJson());
        }
        out.println("dry run: nothing was changed");
        out.flush();
        return plan;
    }
}
