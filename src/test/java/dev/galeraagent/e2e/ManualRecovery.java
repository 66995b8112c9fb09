package dev.galeraagent.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The baseline a DBA runs by hand after a full crash, as a script: {@code mariadbd --wsrep-recover}
 * on every pod's data, {@code safe_to_bootstrap: 1} on the most advanced, bootstrap it, then start
 * the others with their recovered positions (IST). Works on pods run by {@link PlainSteps}.
 */
public final class ManualRecovery {
    /** What the script found and did. */
    public record Outcome(Map<Integer, String> positions, int bootstrapped, Duration toPrimary, Duration toAllSynced) {}

    private static final Pattern RECOVERED = Pattern.compile("WSREP: Recovered position: *(\\S+:-?\\d+)");

    private ManualRecovery() {}

    /** Runs the script on a cluster whose pods are all down; returns when every pod is Synced. */
    public static Outcome run(Cluster c, Duration timeout) throws IOException {
        Instant t0 = Instant.now();
        Map<Integer, String> positions = new LinkedHashMap<>();
        List<Integer> all = c.ordinals();
        for (int i : all) {
            positions.put(i, recover(c.pod(i)));
        }
        int best = all.get(0);
        for (int i : all) {
            if (seqno(positions.get(i)) > seqno(positions.get(best))) {
                best = i;
            }
        }
        c.event("manual recovery: positions " + positions + ", bootstrapping " + PodNetwork.podName(best));
        Path grastate = c.pod(best).dataDir().resolve("grastate.dat");
        Files.writeString(grastate, Files.readString(grastate).replace("safe_to_bootstrap: 0", "safe_to_bootstrap: 1"));
        Files.writeString(PlainSteps.handArgs(c.pod(best)), "--wsrep-new-cluster --wsrep_start_position=" + positions.get(best));
        c.startPod(best);
        c.waitSynced(List.of(best), 1, timeout);
        Duration toPrimary = Duration.between(t0, Instant.now());
        for (int i : all) {
            if (i != best) {
                Files.writeString(PlainSteps.handArgs(c.pod(i)), "--wsrep_start_position=" + positions.get(i));
                c.startPod(i);
            }
        }
        c.waitAllSynced(timeout);
        return new Outcome(positions, best, toPrimary, Duration.between(t0, Instant.now()));
    }

    /** {@code mariadbd --wsrep-recover} inside the pod; returns {@code uuid:seqno}. */
    static String recover(Pod pod) throws IOException {
        Path log = pod.logDir().resolve("recover.log");
        Files.deleteIfExists(log);
        Exec.Result r = pod.exec(Duration.ofMinutes(2), "/usr/sbin/mariadbd", "--defaults-file=" + pod.imageConfig(),
                "--wsrep-recover", "--log-error=" + log);
        String text = Files.exists(log) ? Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
        Matcher m = RECOVERED.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            throw new IOException(pod.name() + ": --wsrep-recover found no position (exit " + r.exit() + "): " + r.output()
                    + PodNetwork.tail(log));
        }
        return last;
    }

    static long seqno(String position) {
        return Long.parseLong(position.substring(position.lastIndexOf(':') + 1));
    }
}
