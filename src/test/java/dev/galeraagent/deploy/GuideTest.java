package dev.galeraagent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/guide.md names containers, variables, annotations and objects: they must be the manifest's and the code's. */
class GuideTest {
    static String guide;
    static Manifest manifest;
    static Set<String> containers;

    @BeforeAll
    static void load() throws IOException {
        guide = Files.readString(Manifest.projectRoot().resolve("docs/guide.md"), StandardCharsets.UTF_8);
        manifest = Manifest.load(ManifestTest.MANIFEST);
        var pod = manifest.one(StatefulSet.class, "galera").getSpec().getTemplate().getSpec();
        containers = new TreeSet<>(Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).map(Container::getName).toList());
    }

    static Set<String> matches(String regex) {
        Set<String> found = new TreeSet<>();
        Matcher m = Pattern.compile(regex).matcher(guide);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    void everyContainerTheGuideNamesExists() {
        Set<String> named = matches("-c ([a-z-]+)");
        named.addAll(matches("\\s([a-z]+)=mariadb:"));
        named.addAll(matches("\\s(install)=\\S"));
        assertThat(named).isNotEmpty();
        assertThat(containers).containsAll(named);
    }

    @Test
    void everyAgentVariableTheGuideNamesIsAnEnvTwinOfAnAgentCommand() {
        Set<String> twins = new TreeSet<>();
        for (List<String> path : List.of(List.of("install"), List.of("bootstrap"), List.of("probe", "serve"))) {
            twins.addAll(AgentCli.contract(path).envTwins());
        }
        Set<String> named = matches("\\b(AGENT_[A-Z_]+)\\b");
        assertThat(named).contains("AGENT_FORCE_BOOTSTRAP_FROM", "AGENT_RECOVERY_QUORUM");
        assertThat(twins).containsAll(named);
    }

    @Test
    void everyOptionTheGuideNamesIsABootstrapOption() {
        Set<String> options = matches("`(--[a-z-]+)");
        options.remove("--wsrep-recover"); // mariadbd's, not the agent's
        assertThat(options).contains("--force-bootstrap-from");
        assertThat(AgentCli.contract(List.of("bootstrap")).optionEnv().keySet()).containsAll(options);
    }

    @Test
    void stateConfigMapAndLeaseAreTheOnesTheAgentUses() {
        String sts = manifest.one(StatefulSet.class, "galera").getMetadata().getName();
        assertThat(matches("configmap ([a-z-]+)")).containsExactly(sts + "-galera-state");
        assertThat(manifest.one(io.fabric8.kubernetes.api.model.ConfigMap.class, sts + "-galera-state")).isNotNull();
        // rule 6: the Lease is <statefulset>-galera-bootstrap
        assertThat(matches("lease ([a-z-]+)")).containsExactly(manifest.one(StatefulSet.class, "galera").getMetadata().getName() + "-galera-bootstrap");
    }

    @Test
    void theGuidesImagesAreTheManifests() {
        var pod = manifest.one(StatefulSet.class, "galera").getSpec().getTemplate().getSpec();
        String mariadb = pod.getContainers().getFirst().getImage();
        assertThat(guide).contains("--image=" + mariadb);
    }
}
