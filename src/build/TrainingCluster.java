import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Build step: the one-pod "cluster" the AOT cache of {@code agent bootstrap} is trained against, so that the cache holds
 * what a real bootstrap loads (the Kubernetes client, its HTTP client and model classes, Jackson, dnsjava's resolver),
 * not only what {@code --help} loads. On loopback, on ports the system picks:
 * <ul>
 *   <li>a Kubernetes API with what the manifest creates for a StatefulSet of one pod: the StatefulSet, the Pod, the
 *   state ConfigMap and the bootstrap Lease. GET and list read, PUT and POST store, a JSON merge patch merges;</li>
 *   <li>a DNS server that answers every A question with 127.0.0.1 and every other one with NXDOMAIN.</li>
 * </ul>
 * Prints {@code api=PORT dns=PORT}, then serves until its standard input closes. Run by {@code train-aot.sh} with the
 * build's JDK and the agent's own dnsjava and Jackson jars. Not part of the agent.
 */
public final class TrainingCluster {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String NS = "/namespaces/default/";
    private static final Map<String, ObjectNode> OBJECTS = new ConcurrentHashMap<>();
    private static final AtomicLong VERSION = new AtomicLong(100);

    private TrainingCluster() {}

    public static void main(String[] args) throws Exception {
        String labels = "{\"app.kubernetes.io/name\":\"galera\",\"app.kubernetes.io/instance\":\"galera\"}";
        put("/apis/apps/v1" + NS + "statefulsets/galera", """
                {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"galera","namespace":"default","uid":"5e7a0000-0000-4000-8000-000000000001","labels":%s},
                 "spec":{"replicas":1,"serviceName":"galera","podManagementPolicy":"Parallel","selector":{"matchLabels":%s},
                 "template":{"metadata":{"labels":%s},"spec":{"containers":[{"name":"mariadb","image":"mariadb"}]}}}}""".formatted(labels, labels, labels));
        put("/api/v1" + NS + "pods/galera-0", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"galera-0","namespace":"default","uid":"5e7a0000-0000-4000-8000-000000000002","labels":%s,
                 "creationTimestamp":"2026-01-01T00:00:00Z",
                 "ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"galera","uid":"5e7a0000-0000-4000-8000-000000000001","controller":true}]},
                 "spec":{"hostname":"galera-0","subdomain":"galera","containers":[{"name":"mariadb","image":"mariadb"}]},
                 "status":{"phase":"Pending","podIP":"127.0.0.1"}}""".formatted(labels));
        put("/api/v1" + NS + "configmaps/galera-galera-state", """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"galera-galera-state","namespace":"default","labels":%s}}""".formatted(labels));
        put("/apis/coordination.k8s.io/v1" + NS + "leases/galera-galera-bootstrap", """
                {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"galera-galera-bootstrap","namespace":"default","labels":%s},"spec":{}}"""
                .formatted(labels));

        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        api.createContext("/", TrainingCluster::answer);
        api.start();
        DatagramSocket dns = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofPlatform().daemon().start(() -> serveDns(dns));
        System.out.println("api=" + api.getAddress().getPort() + " dns=" + dns.getLocalPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the training script closes our input
        }
        api.stop(0);
        dns.close();
    }

    private static void put(String path, String json) {
        ObjectNode o = (ObjectNode) JSON.readTree(json);
        ((ObjectNode) o.get("metadata")).put("resourceVersion", Long.toString(VERSION.incrementAndGet()));
        OBJECTS.put(path, o);
    }

    private static void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String method = x.getRequestMethod();
        try (x) {
            answer(x, path, method);
        }
    }

    private static void answer(HttpExchange x, String path, String method) throws IOException {
        try {
            byte[] body = x.getRequestBody().readAllBytes();
            ObjectNode found = OBJECTS.get(path);
            switch (method) {
                case "GET" -> {
                    if (found != null) {
                        send(x, 200, found);
                    } else if (path.endsWith("/pods") || path.endsWith("/events")) {
                        send(x, 200, list(path));
                    } else {
                        send(x, 404, status(404, "NotFound", path + " not found"));
                    }
                }
                case "PUT", "POST" -> {
                    ObjectNode o = (ObjectNode) JSON.readTree(body);
                    String name = o.path("metadata").path("name").asString("");
                    String key = method.equals("POST") ? path + "/" + name : path;
                    put(key, o.toString());
                    send(x, method.equals("POST") ? 201 : 200, OBJECTS.get(key));
                }
                case "PATCH" -> {
                    if (found == null) {
                        send(x, 404, status(404, "NotFound", path + " not found"));
                        return;
                    }
                    ObjectNode merged = merge(found.deepCopy(), JSON.readTree(body));
                    put(path, merged.toString());
                    send(x, 200, OBJECTS.get(path));
                }
                default -> send(x, 405, status(405, "MethodNotAllowed", method));
            }
        } catch (RuntimeException e) {
            send(x, 500, status(500, "InternalError", String.valueOf(e)));
        }
    }

    /** A JSON merge patch (RFC 7386): objects merge, null removes, anything else replaces. */
    private static ObjectNode merge(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                target.remove(e.getKey());
            } else if (v.isObject() && target.get(e.getKey()) instanceof ObjectNode inner) {
                merge(inner, v);
            } else {
                target.set(e.getKey(), v);
            }
        }
        return target;
    }

    private static ObjectNode list(String path) {
        ObjectNode l = JSON.createObjectNode();
        l.put("apiVersion", "v1");
        l.put("kind", path.endsWith("/pods") ? "PodList" : "EventList");
        l.putObject("metadata").put("resourceVersion", Long.toString(VERSION.get()));
        var items = l.putArray("items");
        OBJECTS.forEach((k, v) -> {
            if (k.startsWith(path + "/")) {
                items.add(v);
            }
        });
        return l;
    }

    private static ObjectNode status(int code, String reason, String message) {
        ObjectNode s = JSON.createObjectNode();
        s.put("apiVersion", "v1");
        s.put("kind", "Status");
        s.put("status", "Failure");
        s.put("reason", reason);
        s.put("message", message);
        s.put("code", code);
        return s;
    }

    private static void send(HttpExchange x, int code, JsonNode body) throws IOException {
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(code, b.length);
        x.getResponseBody().write(b);
    }

    private static void serveDns(DatagramSocket socket) {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                Record question = q.getQuestion();
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.getHeader().setFlag(Flags.AA);
                r.addRecord(question, Section.QUESTION);
                if (question.getType() == Type.A) {
                    r.addRecord(new ARecord(question.getName(), DClass.IN, 5, InetAddress.getLoopbackAddress()), Section.ANSWER);
                } else {
                    r.getHeader().setRcode(Rcode.NXDOMAIN);
                }
                byte[] out = r.toWire();
                socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
                System.err.println("training DNS: " + e);
            }
        }
    }
}
