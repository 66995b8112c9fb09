package dev.galeraagent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.testing.MetricsText;
import dev.galeraagent.testing.MetricsText.Sample;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * k8s/monitoring against Prometheus' own rule engine: promtool checks the PrometheusRule's groups, then
 * runs them over series built from captured real scrapes of the sidecar and of a waiting bootstrap
 * (src/test/resources/monitoring, kept honest by ProbeServerIT and StatusServerTest), in one scenario per
 * alert and a healthy one, expecting exactly the alerts listed and no other.
 */
class MonitoringTest {
    static final Path DIR = Manifest.projectRoot().resolve("k8s/monitoring");
    static final String NS = "db";
    static final String STS = "galera";
    static final List<String> PODS = List.of("galera-0", "galera-1", "galera-2");
    /** Families of instants: absent unless a scenario sets them (no transfer, no Lease, no bootstrap running). */
    static final Set<String> ABSENT_BY_DEFAULT = Set.of("galera_agent_state_transfer_started_timestamp_seconds",
            "galera_agent_bootstrap_lease_held_since_timestamp_seconds", "galera_agent_bootstrap_waiting_since_timestamp_seconds");
    static final KubernetesSerialization YAML = new KubernetesSerialization();
    static final JsonMapper JSON = JsonMapper.builder().build();

    static Map<String, Object> ruleSpec;
    static List<Map<String, Object>> rules;
    static List<Sample> sidecar;
    static List<Sample> bootstrap;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        GenericKubernetesResource rule = YAML.unmarshal(Files.readString(DIR.resolve("prometheusrule.yaml")), GenericKubernetesResource.class);
        assertThat(rule.getKind()).isEqualTo("PrometheusRule");
        ruleSpec = (Map<String, Object>) rule.getAdditionalProperties().get("spec");
        rules = ((List<Map<String, Object>>) ruleSpec.get("groups")).stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream()).toList();
        sidecar = MetricsText.read(MetricsText.fixture("sidecar-metrics.txt")).samples();
        bootstrap = MetricsText.read(MetricsText.fixture("bootstrap-metrics.txt")).samples();
    }

    static Path promtool() {
        return Tools.required("promtool", "PROMTOOL", "prometheus");
    }

    static String promtool(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(promtool().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
        return out;
    }

    static Path writeRules(Path dir) throws IOException {
        Path file = dir.resolve("rules.json"); // promtool reads YAML, and JSON is YAML
        Files.writeString(file, JSON.writeValueAsString(Map.of("groups", ruleSpec.get("groups"))));
        return file;
    }

    @Test
    void theRulesPassPromtoolCheck(@TempDir Path tmp) throws Exception {
        writeRules(tmp);
        assertThat(promtool(tmp, "check", "rules", "rules.json")).contains("SUCCESS: " + rules.size() + " rules found");
    }

    // ---- scenarios ----

    /** One pod's series in a scenario: metric name -> promtool values; a missing name keeps the captured value. */
    record Scenario(String name, String evalTime, Map<String, Map<String, String>> values, Map<String, List<Map<String, String>>> expected) {
    }

    static final class Builder {
        final String name;
        final String evalTime;
        final Map<String, Map<String, String>> values = new TreeMap<>();
        final Map<String, List<Map<String, String>>> expected = new TreeMap<>();

        Builder(String name, String evalTime) {
            this.name = name;
            this.evalTime = evalTime;
        }

        Builder set(String pod, String metric, String values) {
            this.values.computeIfAbsent(pod, p -> new TreeMap<>()).put(metric, values);
            return this;
        }

        /** The pod's sidecar does not run (its pod is in its init containers, or gone). */
        Builder noSidecar(String pod) {
            sidecar.forEach(s -> set(pod, s.name(), "_x100"));
            return this;
        }

        Builder expect(String alert, Map<String, String> labels) {
            expected.computeIfAbsent(alert, a -> new ArrayList<>()).add(labels);
            return this;
        }

        Scenario build() {
            return new Scenario(name, evalTime, values, expected);
        }
    }

    static Map<String, String> podLabels(String pod) {
        Map<String, String> l = new TreeMap<>();
        l.put("namespace", NS);
        l.put("pod", pod);
        l.put("statefulset", STS);
        l.put("container", "probe");
        l.put("job", NS + "/" + STS);
        l.put("instance", "10.0.0.1" + pod.charAt(pod.length() - 1) + ":9800");
        return l;
    }

    static Map<String, String> with(Map<String, String> labels, String... more) {
        Map<String, String> l = new TreeMap<>(labels);
        for (int i = 0; i < more.length; i += 2) {
            l.put(more[i], more[i + 1]);
        }
        return l;
    }

    static Map<String, String> stsLabels() {
        return with(Map.of(), "namespace", NS, "statefulset", STS);
    }

    static Map<String, String> kubePodLabels(String pod) {
        return with(Map.of(), "namespace", NS, "pod", pod, "container", "bootstrap", "job", "kube-state-metrics");
    }

    static Builder healthy(String name, String evalTime) {
        Builder b = new Builder(name, evalTime);
        for (String pod : PODS) {
            b.set(pod, "galera_wsrep_cluster_size", "3x100").set(pod, "galera_wsrep_cluster_status_primary", "1x100")
                    .set(pod, "galera_wsrep_flow_control_paused", "0x100").set(pod, "galera_agent_mysqld_up", "1x100");
        }
        return b;
    }

    static List<Scenario> scenarios() {
        return List.of(
                healthy("a healthy three-node cluster fires nothing", "30m").build(),
                healthy("a node cut off from the Primary component", "30m")
                        .set("galera-2", "galera_wsrep_cluster_status_primary", "1x5 0x55").set("galera-2", "galera_wsrep_cluster_size", "3x5 1x55")
                        .set("galera-0", "galera_wsrep_cluster_size", "3x5 2x55").set("galera-1", "galera_wsrep_cluster_size", "3x5 2x55")
                        .expect("GaleraNodeNotPrimary", with(podLabels("galera-2"), "severity", "critical"))
                        .expect("GaleraClusterSizeBelowReplicas", with(stsLabels(), "severity", "warning"))
                        .build(),
                healthy("mysqld stopped answering, no state transfer", "30m")
                        .noSidecar("galera-1").set("galera-1", "galera_agent_mysqld_up", "0x60")
                        .set("galera-0", "galera_wsrep_cluster_size", "2x60").set("galera-2", "galera_wsrep_cluster_size", "2x60")
                        .expect("GaleraMysqldDown", with(podLabels("galera-1"), "severity", "critical"))
                        .expect("GaleraClusterSizeBelowReplicas", with(stsLabels(), "severity", "warning"))
                        .build(),
                healthy("an SST running for 70 minutes (mysqld not listening meanwhile is expected)", "70m")
                        .noSidecar("galera-1").set("galera-1", "galera_agent_mysqld_up", "0x80")
                        .set("galera-1", "galera_agent_state_transfer_started_timestamp_seconds", "0x80")
                        .set("galera-0", "galera_wsrep_cluster_size", "2x80").set("galera-2", "galera_wsrep_cluster_size", "2x80")
                        .expect("GaleraStateTransferTooLong", with(podLabels("galera-1"), "severity", "warning"))
                        .expect("GaleraClusterSizeBelowReplicas", with(stsLabels(), "severity", "warning"))
                        .build(),
                healthy("an SST running for 50 minutes is left alone", "50m")
                        .noSidecar("galera-1").set("galera-1", "galera_agent_mysqld_up", "0x60")
                        .set("galera-1", "galera_agent_state_transfer_started_timestamp_seconds", "0x60")
                        .set("galera-0", "galera_wsrep_cluster_size", "3x60").set("galera-2", "galera_wsrep_cluster_size", "3x60")
                        .build(),
                healthy("flow control pausing the cluster", "30m")
                        .set("galera-0", "galera_wsrep_flow_control_paused", "0.5x60")
                        .expect("GaleraFlowControlPaused", with(podLabels("galera-0"), "severity", "warning"))
                        .build(),
                healthy("a bootstrap waiting 20 minutes for a missing peer or a person", "20m")
                        .noSidecar("galera-2").set("galera-2", "galera_agent_bootstrap_waiting_since_timestamp_seconds", "0x60")
                        .set("galera-0", "galera_wsrep_cluster_size", "2x60").set("galera-1", "galera_wsrep_cluster_size", "2x60")
                        .expect("GaleraBootstrapWaiting", with(podLabels("galera-2"), "severity", "critical"))
                        .expect("GaleraClusterSizeBelowReplicas", with(stsLabels(), "severity", "warning"))
                        .build(),
                healthy("a bootstrap refusing and restarting", "30m")
                        .noSidecar("galera-1").set("galera-1", "kube_pod_init_container_status_restarts_total", "0+1x60")
                        .set("galera-0", "galera_wsrep_cluster_size", "2x60").set("galera-2", "galera_wsrep_cluster_size", "2x60")
                        .expect("GaleraBootstrapRefused", with(kubePodLabels("galera-1"), "severity", "critical"))
                        .expect("GaleraClusterSizeBelowReplicas", with(stsLabels(), "severity", "warning"))
                        .build(),
                new Builder("after a full outage the chosen node holds the Lease for 12 minutes without becoming Primary", "12m")
                        .set("galera-0", "galera_wsrep_cluster_size", "1x60").set("galera-0", "galera_wsrep_cluster_status_primary", "0x60")
                        .set("galera-0", "galera_agent_bootstrap_lease_held_since_timestamp_seconds", "0x60")
                        .noSidecar("galera-1").set("galera-1", "galera_agent_bootstrap_waiting_since_timestamp_seconds", "60x60")
                        .noSidecar("galera-2").set("galera-2", "galera_agent_bootstrap_waiting_since_timestamp_seconds", "60x60")
                        .expect("GaleraBootstrapLeaseHeldTooLong", with(podLabels("galera-0"), "severity", "warning"))
                        .expect("GaleraNodeNotPrimary", with(podLabels("galera-0"), "severity", "critical"))
                        .build());
    }

    static String seriesName(String name, String capturedLabels, Map<String, String> target) {
        StringBuilder s = new StringBuilder(name).append('{');
        target.forEach((k, v) -> s.append(k).append("=\"").append(v).append("\","));
        if (!capturedLabels.isEmpty()) {
            s.append(capturedLabels, 1, capturedLabels.length() - 1);
        } else {
            s.setLength(s.length() - 1);
        }
        return s.append('}').toString();
    }

    static List<Map<String, String>> inputSeries(Scenario sc) {
        List<Map<String, String>> series = new ArrayList<>();
        for (String pod : PODS) {
            Map<String, String> set = sc.values().getOrDefault(pod, Map.of());
            for (Sample s : Stream.concat(sidecar.stream(), bootstrap.stream()).toList()) {
                String values = set.get(s.name());
                if (values == null) {
                    values = ABSENT_BY_DEFAULT.contains(s.name()) ? "_x100" : s.value() + "x100";
                }
                series.add(Map.of("series", seriesName(s.name(), s.labels(), podLabels(pod)), "values", values));
            }
            series.add(Map.of("series", seriesName("kube_pod_init_container_status_restarts_total", "", kubePodLabels(pod)),
                    "values", set.getOrDefault("kube_pod_init_container_status_restarts_total", "0x100")));
        }
        series.add(Map.of("series", seriesName("kube_statefulset_replicas", "", with(stsLabels(), "job", "kube-state-metrics")), "values", "3x100"));
        return series;
    }

    static final Pattern LABEL_REF = Pattern.compile("\\{\\{ \\$labels\\.(\\w+) }}");

    @SuppressWarnings("unchecked")
    static Map<String, String> annotations(String alert, Map<String, String> labels) {
        Map<String, Object> rule = rules.stream().filter(r -> alert.equals(r.get("alert"))).findFirst().orElseThrow();
        Map<String, String> out = new TreeMap<>();
        ((Map<String, String>) rule.get("annotations")).forEach((k, v) -> {
            Matcher m = LABEL_REF.matcher(v);
            out.put(k, m.replaceAll(r -> Matcher.quoteReplacement(labels.get(r.group(1)))));
        });
        return out;
    }

    @Test
    void everyAlertFiresInItsScenarioOnTheCapturedMetricsAndNoOtherAlertDoes(@TempDir Path tmp) throws Exception {
        Set<String> alerts = new TreeSet<>(rules.stream().map(r -> (String) r.get("alert")).toList());
        Set<String> covered = new TreeSet<>();
        List<Map<String, Object>> tests = new ArrayList<>();
        for (Scenario sc : scenarios()) {
            List<Map<String, Object>> checks = new ArrayList<>();
            for (String alert : alerts) {
                List<Map<String, Object>> exp = new ArrayList<>();
                for (Map<String, String> labels : sc.expected().getOrDefault(alert, List.of())) {
                    exp.add(Map.of("exp_labels", labels, "exp_annotations", annotations(alert, labels)));
                    covered.add(alert);
                }
                checks.add(Map.of("eval_time", sc.evalTime(), "alertname", alert, "exp_alerts", exp));
            }
            Map<String, Object> test = new LinkedHashMap<>();
            test.put("name", sc.name());
            test.put("interval", "1m");
            test.put("input_series", inputSeries(sc));
            test.put("alert_rule_test", checks);
            tests.add(test);
        }
        assertThat(covered).as("every alert has a scenario that fires it").isEqualTo(alerts);
        writeRules(tmp);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("rule_files", List.of("rules.json"));
        file.put("evaluation_interval", "1m");
        file.put("tests", tests);
        Files.writeString(tmp.resolve("tests.json"), JSON.writeValueAsString(file));
        assertThat(promtool(tmp, "test", "rules", "tests.json")).contains("SUCCESS");
    }

    // ---- no promtool needed ----

    static final Pattern METRIC = Pattern.compile("\\b(galera_[a-z_]+|kube_[a-z_]+)\\b");

    static Set<String> metricsIn(String expr) {
        Set<String> found = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            found.add(m.group(1).replaceAll("_(bucket|count|sum)$", ""));
        }
        return found;
    }

    static Set<String> agentMetrics() {
        Set<String> names = new TreeSet<>();
        Stream.concat(sidecar.stream(), bootstrap.stream()).forEach(s -> names.add(s.name().replaceAll("_(bucket|count|sum|total)$", "")));
        Stream.concat(sidecar.stream(), bootstrap.stream()).forEach(s -> names.add(s.name()));
        return names;
    }

    @Test
    void theRulesAndTheDashboardUseOnlyMetricsTheAgentWritesOrKubeStateMetricsProvides() throws IOException {
        Set<String> kubeStateMetrics = Set.of("kube_statefulset_replicas", "kube_pod_init_container_status_restarts_total");
        Set<String> used = new TreeSet<>();
        rules.forEach(r -> used.addAll(metricsIn((String) r.get("expr"))));
        JsonNode dashboard = JSON.readTree(Files.readString(DIR.resolve("grafana-dashboard.json")));
        int panels = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                used.addAll(metricsIn(target.get("expr").asString()));
            }
            panels++;
        }
        assertThat(panels).as("the dashboard's queries").isGreaterThan(5);
        Set<String> known = agentMetrics();
        assertThat(used).allSatisfy(m -> assertThat(known.contains(m) || kubeStateMetrics.contains(m))
                .as("%s is neither in a captured scrape nor from kube-state-metrics", m).isTrue());
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePodMonitorScrapesTheSidecarsPortAsTheManifestNamesItAndLabelsTheStatefulSet() throws IOException {
        GenericKubernetesResource pm = YAML.unmarshal(Files.readString(DIR.resolve("podmonitor.yaml")), GenericKubernetesResource.class);
        assertThat(pm.getKind()).isEqualTo("PodMonitor");
        Map<String, Object> spec = (Map<String, Object>) pm.getAdditionalProperties().get("spec");
        Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("podMetricsEndpoints")).getFirst();
        Manifest manifest = Manifest.load(ManifestTest.MANIFEST);
        var sts = manifest.one(io.fabric8.kubernetes.api.model.apps.StatefulSet.class, "galera");
        var probe = sts.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> c.getName().equals("probe")).findFirst().orElseThrow();
        assertThat(probe.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo(endpoint.get("port"));
            assertThat(p.getContainerPort()).isEqualTo(9800);
        });
        assertThat(endpoint.get("path")).isEqualTo("/metrics");
        assertThat(((Map<String, Object>) spec.get("selector")).get("matchLabels")).isEqualTo(sts.getSpec().getSelector().getMatchLabels());
        assertThat(String.valueOf(endpoint.get("relabelings"))).contains("__meta_kubernetes_pod_controller_name").contains("statefulset");
    }
}
