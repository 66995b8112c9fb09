package dev.galeraagent.install;

import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.sql.Driver;
import java.sql.DriverManager;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.xbill.DNS.Name;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;

/**
 * Run by PackagingIT on the packaged (jlink-ed) runtime: touches every library the modes use, so a
 * module that jdeps missed (reached only by reflection or service loading) fails here, not in a pod.
 * No network beyond one loopback connection to a stand-in API server on an ephemeral port.
 */
public final class RuntimeSmoke {
    private RuntimeSmoke() {
    }

    public static void main(String[] args) throws Exception {
        // Jackson 3 on the agent's own contracts (records), without java.desktop in the runtime
        PublishedState state = new PublishedState(1, "recovered", false, "6f1b1f4e-0000-11ee-9a7a-2a2c9a1f3b10", 42, true, false,
                "JOIN", List.of("a peer is Primary"), null, "2026-11-26T10:00:00Z", "test", null, null, false);
        check(StatusJson.read(StatusJson.write(state), PublishedState.class).equals(state), "Jackson round trip");

        // fabric8 with the JDK HTTP client, on the trimmed set of model jars: a real GET of a Pod from a
        // stand-in API server on an ephemeral loopback port, and the kinds the agent reads
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/api/v1/namespaces/db/pods/galera-0", exchange -> {
            byte[] body = """
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"galera-0","namespace":"db","annotations":{"galera-agent.io/state":"{}"}}}"""
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
        String master = "http://127.0.0.1:" + api.getAddress().getPort();
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl(master).withNamespace("db").withRequestRetryBackoffLimit(0).build()).build()) {
            Pod fetched = client.pods().inNamespace("db").withName("galera-0").get();
            check(fetched != null && fetched.getMetadata().getAnnotations().containsKey("galera-agent.io/state"), "fabric8 GET Pod");
            client.apps().statefulSets().inNamespace("db").withName("galera");
            client.leases().inNamespace("db").withName("galera-galera-bootstrap");
            var serialization = client.getKubernetesSerialization();
            Pod pod = serialization.unmarshal("""
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"galera-0","annotations":{"galera-agent.io/state":"{}"}},
                     "status":{"podIP":"10.0.0.1"}}""", Pod.class);
            check(pod.getMetadata().getAnnotations().containsKey("galera-agent.io/state"), "fabric8 Pod");
            HasMetadata generic = serialization.unmarshal("""
                    {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"galera"},"spec":{"replicas":3}}""");
            check(generic instanceof StatefulSet s && s.getSpec().getReplicas() == 3, "fabric8 StatefulSet by kind");
            HasMetadata lease = serialization.unmarshal("""
                    {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l"},"spec":{"holderIdentity":"galera-0"}}""");
            check(lease instanceof Lease l && "galera-0".equals(l.getSpec().getHolderIdentity()), "fabric8 Lease by kind");
            // the published states: one key per pod in the ConfigMap <statefulset>-galera-state
            HasMetadata states = serialization.unmarshal("""
                    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"galera-galera-state"},"data":{"galera-0":"{}"}}""");
            check(states instanceof ConfigMap c && "{}".equals(c.getData().get("galera-0")), "fabric8 ConfigMap by kind");
        } finally {
            api.stop(0);
        }

        // MariaDB JDBC driver found through the service loader
        Driver driver = DriverManager.getDriver("jdbc:mariadb://127.0.0.1:3306/");
        check(driver.getClass().getName().startsWith("org.mariadb"), "MariaDB driver");

        // dnsjava: names, a resolver object and the system resolver configuration
        Name name = Name.fromString("galera-0.galera.db.svc.cluster.local.");
        check(name.labels() == 7, "dnsjava name");
        new SimpleResolver("127.0.0.1");
        ResolverConfig.getCurrentConfig().servers();

        // probe serve: the JDK HTTP server (created, never bound)
        HttpServer.create().createContext("/live", exchange -> exchange.close());

        // TLS to the Kubernetes API: TLS 1.3 and EC keys
        SSLContext.getInstance("TLSv1.3").init(null, null, null);
        KeyPairGenerator.getInstance("EC").generateKeyPair();

        // Prometheus text format
        PrometheusRegistry registry = new PrometheusRegistry();
        Gauge.builder().name("galera_wsrep_ready").help("ready").register(registry).set(1);
        ByteArrayOutputStream metrics = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(metrics, registry.scrape());
        check(metrics.toString().contains("galera_wsrep_ready 1"), "Prometheus");

        // libraries' own logging through slf4j-simple
        org.slf4j.LoggerFactory.getLogger(RuntimeSmoke.class).debug("not shown");
        System.out.println("runtime smoke: ok");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what + " failed on the packaged runtime");
        }
    }
}
