package dev.galeraagent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Role in k8s/galera-statefulset.yaml grants exactly what the adapter uses: every call it makes, and nothing it does not. */
class RbacTest {
    private static final Pattern PATH = Pattern.compile(
            "/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/([^/]+)/([^/?]+)(?:/([^/?]+))?(?:\\?(.*))?");

    @TempDir
    Path dir;

    /** "group/resource:verb" for every permission the Role grants. */
    private static Set<String> granted(Role role) {
        Set<String> grants = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        grants.add(group + "/" + resource + ":" + verb);
                    }
                }
            }
        }
        return grants;
    }

    /** "group/resource:verb" the API server would authorize for a request, as RBAC maps HTTP to verbs. */
    static String permission(RecordedRequest request) {
        Matcher m = PATH.matcher(request.getPath());
        assertThat(m.matches()).as("a namespaced API path: %s", request.getPath()).isTrue();
        assertThat(m.group(2)).as("namespace of %s", request.getPath()).isEqualTo("db");
        String group = m.group(1) == null ? "" : m.group(1);
        boolean named = m.group(4) != null;
        String query = m.group(5) == null ? "" : m.group(5);
        String verb = switch (request.getMethod()) {
            case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new AssertionError("unexpected method " + request.getMethod());
        };
        return group + "/" + m.group(3) + ":" + verb;
    }

    @Test
    void theRoleGrantsExactlyTheCallsTheAdapterMakes() throws Exception {
        try (MockKube mock = MockKube.start("127.0.40.1", 0)) {
            MockKube.createStatefulSet(mock.admin(), "db", "galera", 3, List.of(0, 1, 2));
            List<HasMetadata> objects;
            try (InputStream in = Files.newInputStream(Path.of("k8s/galera-statefulset.yaml"))) {
                objects = mock.admin().load(in).items();
            }
            Role role = objects.stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst().orElseThrow();
            RoleBinding binding = objects.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast).findFirst().orElseThrow();
            ServiceAccount account = objects.stream().filter(ServiceAccount.class::isInstance).map(ServiceAccount.class::cast).findFirst().orElseThrow();
            assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
            assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            });

            mock.takeRequests(); // the set-up's own requests
            MutableClock clock = new MutableClock(Instant.now());
            Path kubeconfig = mock.writeKubeconfig(dir, "db");
            try (KubeApi a = mock.agent(kubeconfig, "db", clock); KubeApi b = mock.agent(kubeconfig, "db", clock)) {
                StatefulSetInfo sts = a.statefulSet("galera-0", Optional.empty());
                a.statefulSet("galera-0", Optional.of("galera"));
                a.publish("galera-0", KubeApiTest.state(0, KubeApiTest.UUID_A, 5, false, "t"));
                PodStates states = a.readStates(sts);
                a.awaitChange(states, Duration.ofMillis(100));
                a.dryRunSummary(sts);
                BootstrapLease lease = a.lease(sts);
                lease.tryAcquire("galera-0", KubeApiTest.UUID_A, 5, Duration.ofSeconds(10));
                lease.renew("galera-0", Duration.ofSeconds(10));
                b.lease(sts).tryAcquire("galera-1", KubeApiTest.UUID_A, 4, Duration.ofSeconds(10));
                lease.release("galera-0");
                clock.advance(Duration.ofSeconds(11));
                b.lease(sts).tryAcquire("galera-1", KubeApiTest.UUID_A, 4, Duration.ofSeconds(10));
                a.events("galera-0", sts.name()).bootstrapDecision("JOIN", List.of("pods [1] are in a live Primary component"));
            }
            Set<String> used = new TreeSet<>();
            for (RecordedRequest request : mock.takeRequests()) {
                used.add(permission(request));
            }
            assertThat(used).isEqualTo(granted(role));
            assertThat(used).containsExactlyInAnyOrder(
                    "/pods:get", "/pods:list", "/pods:patch",
                    "apps/statefulsets:get",
                    "coordination.k8s.io/leases:get", "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:update",
                    "/events:create");
        }
    }

    /**
     * {@code agent status} is a person's tool: in a pod it runs with the agent's Role, which lets it read everything
     * but the Event history ({@code list events}, not granted so that the Role only grows by {@code create events});
     * it then says so and shows the rest.
     */
    @Test
    void theStatusViewNeedsOnlyListEventsBeyondTheRole() throws Exception {
        try (MockKube mock = MockKube.start("127.0.40.1", 0)) {
            MockKube.createStatefulSet(mock.admin(), "db", "galera", 3, List.of(0, 1, 2));
            List<HasMetadata> objects;
            try (InputStream in = Files.newInputStream(Path.of("k8s/galera-statefulset.yaml"))) {
                objects = mock.admin().load(in).items();
            }
            Role role = objects.stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst().orElseThrow();
            mock.takeRequests();
            try (KubeApi a = mock.agent(mock.writeKubeconfig(dir, "db"), "db", new MutableClock(Instant.now()))) {
                StatefulSetInfo sts = a.statefulSet("galera-0", Optional.empty());
                a.readStates(sts);
                a.pods(sts);
                a.lease(sts).current();
                a.agentEvents(sts);
            }
            Set<String> used = new TreeSet<>();
            for (RecordedRequest request : mock.takeRequests()) {
                used.add(permission(request));
            }
            used.removeAll(granted(role));
            assertThat(used).containsExactly("/events:list");
        }
    }
}
