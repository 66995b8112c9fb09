package dev.galeraagent.kube;

import dev.galeraagent.position.Position;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One agent racing for the bootstrap Lease, as its own process: {@code LeaseRaceMain KUBECONFIG NAMESPACE
 * STATEFULSET HOLDER TERM_SECONDS}. Prints {@code armed} once connected, waits for {@code go} on stdin, then tries
 * to take the Lease every 250 ms; once it has it, prints {@code acquired HOLDER} and renews it every second, printing
 * {@code lost HOLDER} if a renewal fails. Runs until killed: being killed is how a test makes a holder die.
 */
public final class LeaseRaceMain {
    private LeaseRaceMain() {
    }

    public static void main(String[] args) throws Exception {
        Path kubeconfig = Path.of(args[0]);
        String namespace = args[1];
        String holder = args[3];
        Duration term = Duration.ofSeconds(Long.parseLong(args[4]));
        try (KubeApi api = KubeApi.connect(Optional.of(kubeconfig), namespace)) {
            StatefulSetInfo sts = api.statefulSet(holder, Optional.of(args[2]));
            BootstrapLease lease = api.lease(sts);
            lease.current(); // connect and load classes before the start line, so the race is a race
            System.out.println("armed");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"go".equals(in.readLine())) {
                return;
            }
            boolean reported = false;
            while (true) {
                LeaseOutcome outcome = lease.tryAcquire(holder, Optional.of(Position.parse("position", "6f1b3c1e-1111-11ef-9a3c-0242ac120002" + ":7")), term);
                if (outcome instanceof LeaseOutcome.Acquired) {
                    System.out.println("acquired " + holder);
                    while (true) {
                        Thread.sleep(1000);
                        if (!lease.renew(holder, term)) {
                            System.out.println("lost " + holder);
                            break;
                        }
                    }
                } else if (!reported) {
                    System.out.println("held-by " + outcome.lease().holder());
                    reported = true;
                }
                Thread.sleep(250);
            }
        }
    }
}
