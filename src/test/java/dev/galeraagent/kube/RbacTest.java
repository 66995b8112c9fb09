package dev.galeraagent.kube;

import dev.galeraagent.position.Position;
import dev.galeraagent.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
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

/**
 * The Role in k8s/galera-statefulset.yaml grants exactly what the adapter uses: every call it makes, on the very objects
 * it names, and nothing it does not. The mock API server enforces that Role the way RBAC does, so a call outside it
 * fails the test instead of passing unnoticed.
 */
class RbacTest {
    private static final Pattern PATH = Pattern.compile(
            "/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/([^/]+)/([^/?]+)(?:/([^/?]+))?(?:\\?(.*))?");
    static final Path MANIFEST = Path.of("k8s/galera-statefulset.yaml");

    @TempDir
    Path dir;

    /** One request as RBAC sees it; {@code name} is null for list and create. */
    record Request(String group, String resource, String name, String verb) {
    }

    /**
     * "group/resource:verb" for every permission a rule without resourceNames grants, "group/resource/name:verb" for
     * every object a rule with resourceNames grants.
     */
    static Set<String> granted(Role role) {
        Set<String> grants = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        if (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()) {
                            grants.add(group + "/" + resource + ":" + verb);
                        } else {
                            rule.getResourceNames().forEach(n -> grants.add(group + "/" + resource + "/" + n + ":" + verb));
                        }
                    }
                }
            }
        }
        return grants;
    }

    /** The request as the API server's authorizer sees it, as RBAC maps HTTP to verbs. */
    static Request request(RecordedRequest request) {
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
        return new Request(group, m.group(3), m.group(4), verb);
    }

    /** Whether {@code role} allows {@code r}, as Kubernetes RBAC decides: a rule with resourceNames needs a named request. */
    static boolean allows(Role role, Request r) {
        return role.getRules().stream().anyMatch(rule -> rule.getApiGroups().contains(r.group()) && rule.getResources().contains(r.resource())
                && rule.getVerbs().contains(r.verb())
                && (rule.getResourceNames() == null || rule.getResourceNames().isEmpty() || rule.getResourceNames().contains(r.name())));
    }

    /** The permission a request used, in the form of {@link #granted}: with its name where the Role names objects. */
    static String permission(Role role, Request r) {
        boolean byName = role.getRules().stream().anyMatch(rule -> rule.getApiGroups().contains(r.group())
                && rule.getResources().contains(r.resource()) && rule.getVerbs().contains(r.verb())
                && rule.getResourceNames() != null && !rule.getResourceNames().isEmpty());
        return r.group() + "/" + r.resource() + (byName ? "/" + r.name() : "") + ":" + r.verb();
    }

    static List<HasMetadata> manifestObjects(MockKube mock) throws Exception {
        try (InputStream in = Files.newInputStream(MANIFEST)) {
            return mock.admin().load(in).items();
        }
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    /** The StatefulSet and pods of the manifest's name, and the ConfigMap and Lease the manifest creates, in namespace db. */
    static Role deploy(MockKube mock, List<HasMetadata> objects) {
        MockKube.createStatefulSet(mock.admin(), "db", "galera", 3, List.of(0, 1, 2));
        mock.admin().configMaps().inNamespace("db").withName("galera-galera-state").delete();
        for (HasMetadata o : objects) {
            if (o instanceof ConfigMap c && c.getMetadata().getName().endsWith("-galera-state")) {
                mock.admin().configMaps().inNamespace("db").resource(c).create();
            } else if (o instanceof Lease l) {
                mock.admin().leases().inNamespace("db").resource(l).create();
            }
        }
        Role role = one(objects, Role.class);
        mock.authorize(r -> allows(role, request(r)));
        return role;
    }

    @Test
    void theRoleGrantsExactlyTheCallsTheAdapterMakesOnTheObjectsItNames() throws Exception {
        try (MockKube mock = MockKube.start("127.0.40.1", 0)) {
            List<HasMetadata> objects = manifestObjects(mock);
            Role role = one(objects, Role.class);
            RoleBinding binding = one(objects, RoleBinding.class);
            ServiceAccount account = one(objects, ServiceAccount.class);
            assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
            assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            });
            deploy(mock, objects);

            mock.takeRequests(); // the set-up's own requests
            MutableClock clock = new MutableClock(Instant.now());
            Path kubeconfig = mock.writeKubeconfig(dir, "db");
            try (KubeApi a = mock.agent(kubeconfig, "db", clock); KubeApi b = mock.agent(kubeconfig, "db", clock)) {
                StatefulSetInfo sts = a.statefulSet("galera-0", Optional.empty());
                a.statefulSet("galera-0", Optional.of("galera"));
                assertThat(a.publish(sts, "galera-0", KubeApiTest.state(0, KubeApiTest.UUID_A, 5, false, "t"))).isTrue();
                PodStates states = a.readStates(sts);
                assertThat(states.published()).containsOnlyKeys(0);
                a.dryRunSummary(sts);
                BootstrapLease lease = a.lease(sts);
                assertThat(lease.tryAcquire("galera-0", Optional.of(Position.parse("position", KubeApiTest.UUID_A + ":5")), Duration.ofSeconds(10))).isInstanceOf(LeaseOutcome.Acquired.class);
                assertThat(lease.renew("galera-0", Duration.ofSeconds(10))).isTrue();
                assertThat(b.lease(sts).tryAcquire("galera-1", Optional.of(Position.parse("position", KubeApiTest.UUID_A + ":4")), Duration.ofSeconds(10))).isInstanceOf(LeaseOutcome.HeldByOther.class);
                assertThat(lease.release("galera-0")).isTrue();
                clock.advance(Duration.ofSeconds(11));
                assertThat(b.lease(sts).tryAcquire("galera-1", Optional.of(Position.parse("position", KubeApiTest.UUID_A + ":4")), Duration.ofSeconds(10))).isInstanceOf(LeaseOutcome.Acquired.class);
                a.events("galera-0", sts.name()).bootstrapDecision("JOIN", List.of("pods [1] are in a live Primary component"));
            }
            Set<String> used = new TreeSet<>();
            for (RecordedRequest request : mock.takeRequests()) {
                Request r = request(request);
                assertThat(allows(role, r)).as("the Role allows %s", r).isTrue();
                used.add(permission(role, r));
            }
            assertThat(used).isEqualTo(granted(role));
            assertThat(used).containsExactlyInAnyOrder(
                    "/pods:get", "/pods:list",
                    "/configmaps/galera-galera-state:get", "/configmaps/galera-galera-state:patch",
                    "apps/statefulsets/galera:get",
                    "coordination.k8s.io/leases/galera-galera-bootstrap:get", "coordination.k8s.io/leases/galera-galera-bootstrap:update",
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
            Role role = deploy(mock, manifestObjects(mock));
            mock.authorize(r -> true);
            mock.takeRequests();
            try (KubeApi a = mock.agent(mock.writeKubeconfig(dir, "db"), "db", new MutableClock(Instant.now()))) {
                StatefulSetInfo sts = a.statefulSet("galera-0", Optional.empty());
                a.readStates(sts);
                a.pods(sts);
                a.lease(sts).current();
                a.agentEvents(sts);
            }
            Set<String> beyond = new TreeSet<>();
            for (RecordedRequest request : mock.takeRequests()) {
                Request r = request(request);
                if (!allows(role, r)) {
                    beyond.add(permission(role, r));
                }
            }
            assertThat(beyond).containsExactly("/events:list");
        }
    }

    @Test
    void underTheManifestsRoleAMissingLeaseIsAOneLineErrorNamingTheManifestAndNotALossOfTheApi() throws Exception {
        try (MockKube mock = MockKube.start("127.0.40.1", 0)) {
            Role role = deploy(mock, manifestObjects(mock));
            mock.authorize(r -> true);
            mock.admin().leases().inNamespace("db").withName("galera-galera-bootstrap").delete();
            mock.authorize(r -> allows(role, request(r)));
            try (KubeApi a = mock.agent(mock.writeKubeconfig(dir, "db"), "db", new MutableClock(Instant.now()))) {
                StatefulSetInfo sts = a.statefulSet("galera-0", Optional.of("galera"));
                assertThatThrownBy(() -> a.lease(sts).tryAcquire("galera-0", Optional.of(Position.parse("position", KubeApiTest.UUID_A + ":5")), Duration.ofSeconds(10)))
                        .isInstanceOfSatisfying(KubeApiException.class, e -> assertThat(e.noApiAccess()).isFalse())
                        .hasMessage("Lease galera-galera-bootstrap not found in namespace db and the service account may not create it: "
                                + "the manifest creates it (apply k8s/galera-statefulset.yaml)");
            }
        }
    }

    @Test
    void aCompromisedTokenCannotWriteAPodNorAnotherControllersLeaseOrConfigMap() throws Exception {
        try (MockKube mock = MockKube.start("127.0.40.1", 0)) {
            Role role = deploy(mock, manifestObjects(mock));
            for (String verb : List.of("create", "update", "patch", "delete")) {
                assertThat(allows(role, new Request("", "pods", "galera-1", verb))).as("pods " + verb).isFalse();
            }
            assertThat(allows(role, new Request("coordination.k8s.io", "leases", "other-controller-leader", "update"))).isFalse();
            assertThat(allows(role, new Request("coordination.k8s.io", "leases", "other-controller-leader", "get"))).isFalse();
            assertThat(allows(role, new Request("coordination.k8s.io", "leases", null, "create"))).isFalse();
            assertThat(allows(role, new Request("", "configmaps", "galera-initdb", "patch"))).isFalse();
            assertThat(allows(role, new Request("", "configmaps", "galera-initdb", "get"))).isFalse();
            assertThat(allows(role, new Request("apps", "statefulsets", "galera", "patch"))).isFalse();
            assertThat(allows(role, new Request("", "secrets", "galera-credentials", "get"))).isFalse();
        }
    }
}
