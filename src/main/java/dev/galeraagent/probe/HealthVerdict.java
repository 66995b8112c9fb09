package dev.galeraagent.probe;

import dev.galeraagent.probe.Observation.Answered;
import dev.galeraagent.probe.Observation.Failed;
import java.time.Duration;
import java.util.Locale;

/**
 * The health verdict: mysqld's wsrep status (or why it could not be read) in, the liveness, readiness
 * and startup verdicts out, each with a one-line reason. Pure: no I/O, no clock (durations come in {@link LocalSigns}).
 *
 * <p>The rules (README "Probe mode" has them as a table):
 * <ul>
 *   <li>Readiness: {@code wsrep_ready=ON}, {@code wsrep_connected=ON}, {@code wsrep_cluster_status=Primary}
 *       and Synced (Donor/Desynced too with {@code --available-when-donor}).
 *   <li>Liveness: a node that answers is live, whatever its Galera state. In particular a node outside
 *       a Primary component stays live: it is waiting for quorum (or for the sidecar to bootstrap it,
 *       architecture "Rule 10"); a restart loses nothing but fixes nothing either, and a node restarted
 *       in a loop keeps a partitioned cluster from re-forming. The exception: out of the group for
 *       {@link #DISCONNECTED_LIMIT} ({@code wsrep_connected=OFF}, or a joiner outside a Primary component, both what
 *       a failed IST leaves), which only a restart fixes. A node that does not listen is live while
 *       a state transfer is in progress (markers, and the data directory changed within {@link #STALE_TRANSFER})
 *       and within the start-up grace; a hung node is not live.
 *   <li>Startup: done once mysqld answers, or as soon as a state transfer is seen, so that a transfer
 *       hands over to the lenient liveness instead of spending the startup budget.
 * </ul>
 */
final class HealthVerdict {
    /**
     * State-transfer markers with no change in the data directory for this long, and mysqld not answering: the
     * transfer is dead (a {@code kill -9} left its markers, or the donor is gone). A donor may be quiet for minutes
     * while it prepares (mariabackup's locks and first pages), hence minutes, not seconds. The default of
     * {@code --stale-transfer-after} ({@link ProbePolicy#staleTransfer()}).
     */
    public static final Duration STALE_TRANSFER = Duration.ofMinutes(5);
    /**
     * {@code wsrep_connected=OFF}, or joining outside a Primary component, this long: Galera is out of the cluster for
     * good (a failed IST says "node restart required"), and only a restart helps. Long enough for a start or a brief
     * loss of the group to pass.
     */
    public static final Duration DISCONNECTED_LIMIT = Duration.ofSeconds(60);

    private HealthVerdict() {
    }

    public static Health judge(Observation observation, LocalSigns signs, ProbePolicy policy) {
        return switch (observation) {
            case Answered a -> answered(a, signs, policy);
            case Failed f -> failed(f, signs, policy);
        };
    }

    private static Health answered(Answered a, LocalSigns signs, ProbePolicy policy) {
        String wsrepOn = a.get("wsrep_on");
        boolean anyStatus = a.variables().keySet().stream().anyMatch(k -> !k.equals("wsrep_on"));
        if ("OFF".equalsIgnoreCase(wsrepOn) || (wsrepOn == null && !anyStatus)) {
            String why = wsrepOn == null ? "this server has no wsrep variables" : "wsrep_on=OFF";
            return upButNotReady("Galera is not enabled (" + why + ")");
        }
        String provider = a.get("wsrep_provider_name");
        if (provider != null && provider.isBlank()) {
            return upButNotReady("Galera is not enabled (wsrep_on=ON but no wsrep provider is loaded)");
        }
        String state = orDash(a.get("wsrep_local_state_comment"));
        String clusterStatus = orDash(a.get("wsrep_cluster_status"));
        boolean connected = on(a.get("wsrep_connected"));
        boolean wsrepReady = on(a.get("wsrep_ready"));
        boolean primary = "Primary".equals(clusterStatus);
        String size = orDash(a.get("wsrep_cluster_size"));

        Verdict ready;
        String notReady = notReadyBecause(state, clusterStatus, connected, wsrepReady, primary, policy);
        if (notReady == null) {
            ready = Verdict.ok("ready: " + state + " in a Primary component of " + size + " node(s)");
        } else {
            ready = Verdict.no("not ready: " + notReady);
        }

        String situation;
        // Out of the group is checked before "joining". A failed IST ("node restart required") closes Galera's group
        // connection, yet mysqld may keep saying "Joining: receiving State Transfer": with wsrep_connected=OFF, or
        // (seen live in a five-pod full crash, and the way CI's run hung for 240 s) with wsrep_connected=ON, a stale
        // non-Primary view of two, and a new IST receiver that nobody will ever feed. A transfer cannot finish
        // outside a Primary component, so once this lasts the limit only a restart helps.
        if (outOfTheGroup(a)) {
            Duration off = signs.disconnectedFor();
            String what = !connected
                    ? "Galera is disconnected (wsrep_connected=OFF)" + (joining(state) ? ", still saying " + state + "," : "")
                    : "Galera says " + state + " outside a Primary component (" + clusterStatus + ")";
            if (off.compareTo(DISCONNECTED_LIMIT) >= 0) {
                String why = what + " for " + seconds(off) + ", " + seconds(DISCONNECTED_LIMIT) + " or more: "
                        + (joining(state) ? "a transfer cannot finish outside the group; " : "") + "only a restart helps (a failed IST asks for one)";
                return new Health(Verdict.no("not live: " + why), ready, Verdict.ok("started: mysqld answers; " + why));
            }
            situation = (connected ? what : "not connected to a cluster (wsrep_connected=OFF)" + (joining(state) ? " while saying " + state : ""))
                    + (off.isZero() ? "" : " for " + seconds(off)) + "; a restart follows once this lasts " + seconds(DISCONNECTED_LIMIT);
        } else if (joining(state)) {
            situation = "receiving a state transfer (" + state + ")";
        } else if (!primary) {
            situation = "not in a Primary component (" + clusterStatus + "): waiting for quorum; a restart would not help";
        } else {
            situation = state + ", " + clusterStatus;
        }
        return new Health(
                Verdict.ok("live: mysqld answers; " + situation),
                ready,
                Verdict.ok("started: mysqld answers; " + situation));
    }

    /** The first unmet readiness condition, most telling first; null when ready. */
    private static String notReadyBecause(
            String state, String clusterStatus, boolean connected, boolean wsrepReady, boolean primary, ProbePolicy policy) {
        if (!connected) {
            return "not connected to a cluster (wsrep_connected=OFF)";
        }
        if (!primary) {
            return "not in a Primary component (wsrep_cluster_status=" + clusterStatus + ")";
        }
        if (joining(state)) {
            return "receiving a state transfer (" + state + ")";
        }
        if ("Joined".equals(state)) {
            return "catching up after a state transfer (Joined)";
        }
        if (state.startsWith("Donor")) {
            if (!policy.availableWhenDonor()) {
                return state + " (serving a state transfer or desynced; --available-when-donor is off)";
            }
        } else if (!"Synced".equals(state)) {
            return "local state is " + state + ", not Synced";
        }
        if (!wsrepReady) {
            return "wsrep_ready=OFF";
        }
        return null;
    }

    private static Health upButNotReady(String why) {
        return new Health(
                Verdict.ok("live: mysqld answers; " + why),
                Verdict.no("not ready: " + why),
                Verdict.ok("started: mysqld answers; " + why));
    }

    private static Health failed(Failed f, LocalSigns signs, ProbePolicy policy) {
        String detail = f.detail().isEmpty() ? "" : " (" + f.detail() + ")";
        return switch (f.failure()) {
            case ACCESS_DENIED -> {
                String why = "mysqld denied access to user '" + policy.user() + "'" + detail + "; check the probe password and grants";
                yield new Health(
                        Verdict.ok("live: mysqld answers, but " + why),
                        Verdict.no("not ready: " + why),
                        Verdict.ok("started: mysqld answers, but " + why));
            }
            case SERVER_ERROR -> {
                String why = "mysqld answered with an error" + detail;
                yield new Health(Verdict.ok("live: " + why), Verdict.no("not ready: " + why), Verdict.ok("started: " + why));
            }
            case DOWN -> {
                String why = "mysqld is not answering on " + policy.target() + detail;
                if (signs.stateTransferFiles()) {
                    yield transferring(why, signs, policy);
                }
                Duration down = signs.unansweredFor();
                Verdict live = down.compareTo(policy.startupGrace()) < 0
                        ? Verdict.ok("live: " + why + " for " + seconds(down) + ", within the " + seconds(policy.startupGrace()) + " start-up grace")
                        : Verdict.no("not live: " + why + " for " + seconds(down) + ", beyond the " + seconds(policy.startupGrace())
                                + " start-up grace, and no state transfer is in progress");
                yield new Health(live, Verdict.no("not ready: " + why), Verdict.no("not started: " + why));
            }
            case TIMEOUT -> {
                String why = "mysqld did not answer on " + policy.target() + detail + ": hung?";
                if (signs.stateTransferFiles()) {
                    yield transferring(why, signs, policy);
                }
                yield new Health(Verdict.no("not live: " + why), Verdict.no("not ready: " + why), Verdict.no("not started: " + why));
            }
        };
    }

    private static Health transferring(String why, LocalSigns signs, ProbePolicy policy) {
        Duration quiet = signs.transferQuietFor();
        if (quiet.compareTo(policy.staleTransfer()) >= 0) {
            String stale = "state-transfer markers (sst_in_progress or wsrep_sst.pid) are in the data directory, but nothing there changed for "
                    + seconds(quiet) + ", " + seconds(policy.staleTransfer()) + " or more: the transfer is dead, not running";
            return new Health(
                    Verdict.no("not live: " + stale + "; " + why),
                    Verdict.no("not ready: " + stale + "; " + why),
                    Verdict.ok("started: " + stale + "; liveness takes over"));
        }
        String sst = "a state transfer is in progress (sst_in_progress in the data directory"
                + (quiet.isZero() ? "" : ", no change for " + seconds(quiet)) + ")";
        return new Health(
                Verdict.ok("live: " + sst + "; " + why),
                Verdict.no("not ready: " + sst + "; " + why),
                Verdict.ok("started: " + sst + "; liveness takes over"));
    }

    /**
     * Galera is out of its group for good if this lasts: disconnected, or a joiner outside a Primary component (the
     * sidecar times how long without a break, {@link LocalSigns#disconnectedFor()}).
     */
    static boolean outOfTheGroup(Answered a) {
        if ("OFF".equalsIgnoreCase(a.get("wsrep_on"))) {
            return false;
        }
        boolean disconnected = "OFF".equalsIgnoreCase(a.get("wsrep_connected"));
        return disconnected || joining(orDash(a.get("wsrep_local_state_comment"))) && !"Primary".equals(a.get("wsrep_cluster_status"));
    }

    private static boolean joining(String state) {
        return state.startsWith("Join") && !"Joined".equals(state);
    }

    private static boolean on(String value) {
        return "ON".equalsIgnoreCase(value);
    }

    private static String orDash(String value) {
        return value == null || value.isBlank() ? "-" : value;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
}
