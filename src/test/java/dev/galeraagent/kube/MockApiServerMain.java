package dev.galeraagent.kube;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * fabric8's mock API server in CRUD mode as its own process, for end-to-end tests with several agent processes.
 *
 * <pre>
 * java -cp TEST_CLASSPATH dev.galeraagent.kube.MockApiServerMain ADDRESS PORT
 *      [--namespace default] [--statefulset galera] [--replicas 3] [--pods 0,1,2] [--kubeconfig FILE]
 *      [--log-requests true]
 * </pre>
 * Creates the StatefulSet and the listed Pods (all ordinals below replicas unless {@code --pods}; {@code --pods ""}
 * for none), writes a kubeconfig pointing at it when asked, then prints {@code ready http://ADDRESS:PORT} on stdout
 * and serves until killed. Requests are drained as they come so memory stays bounded. Agents reach it with the
 * kubeconfig, or with {@code KUBERNETES_MASTER=http://ADDRESS:PORT KUBERNETES_AUTH_TRYKUBECONFIG=false}.
 */
public final class MockApiServerMain {
    /** Held so the level sticks: JUL keeps loggers weakly. MockWebServer logs every request at INFO otherwise. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private MockApiServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: MockApiServerMain ADDRESS PORT [--namespace NS] [--statefulset NAME] [--replicas N] [--pods 0,1,..] [--kubeconfig FILE]");
            System.exit(2);
        }
        String address = args[0];
        int port = Integer.parseInt(args[1]);
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 2; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        String namespace = options.getOrDefault("--namespace", "default");
        String statefulSet = options.getOrDefault("--statefulset", "galera");
        int replicas = Integer.parseInt(options.getOrDefault("--replicas", "3"));
        List<Integer> pods = new ArrayList<>();
        if (options.containsKey("--pods")) {
            for (String p : options.get("--pods").split(",")) {
                if (!p.isBlank()) {
                    pods.add(Integer.parseInt(p.strip()));
                }
            }
        } else {
            for (int i = 0; i < replicas; i++) {
                pods.add(i);
            }
        }

        if (!"true".equals(options.get("--log-requests"))) {
            MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        }
        MockKube mock = MockKube.start(address, port);
        Runtime.getRuntime().addShutdownHook(new Thread(mock::close, "mock-api-stop"));
        MockKube.createStatefulSet(mock.admin(), namespace, statefulSet, replicas, pods);
        mock.drainRequests();
        if (options.containsKey("--kubeconfig")) {
            Path target = Path.of(options.get("--kubeconfig")).toAbsolutePath();
            Path written = mock.writeKubeconfig(target.getParent(), namespace);
            Files.move(written, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println("ready " + mock.url());
        System.out.flush();
        Thread.currentThread().join();
    }
}
