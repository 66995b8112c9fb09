package dev.galeraagent.probe;

import dev.galeraagent.bootstrap.StatusServer;
import dev.galeraagent.status.NodeStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * Both of the agent's HTTP servers in a JVM of their own, for {@link HostileClientsTest}: the JDK reads its
 * HTTP limits once per JVM, so only a fresh JVM shows what the agent's own process enforces. Prints
 * {@code probe PORT status PORT}, serves until stdin closes.
 */
public final class HostileClientsServerMain {
    public static void main(String[] args) throws IOException {
        String address = args[0];
        StatusSource synced = new StatusSource() {
            @Override
            public Observation read() {
                return new Observation.Answered(Map.of("wsrep_on", "ON", "wsrep_local_state_comment", "Synced", "wsrep_cluster_status", "Primary",
                        "wsrep_connected", "ON", "wsrep_ready", "ON", "wsrep_cluster_size", "3"));
            }

            @Override
            public void close() {
            }
        };
        ProbeService service = new ProbeService(synced, new NodeFiles(null, null),
                new ProbePolicy(false, Duration.ofSeconds(60), "probe", address + ":3306"), Duration.ofMillis(250), Duration.ofSeconds(1),
                "test", "db-0", 0);
        try (ProbeServer probe = new ProbeServer(service, new InetSocketAddress(address, 0));
                StatusServer status = StatusServer.start(address, 0, service.status())) {
            probe.start();
            System.out.println("probe " + probe.address().getPort() + " status " + status.port());
            System.out.flush();
            while (System.in.read() != -1) {
                // serve until the test closes our stdin (or dies)
            }
        }
    }
}
