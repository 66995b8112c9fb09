package dev.galeraagent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kustomize layout, rendered by a real {@code kubectl kustomize} (Debian 12's kubernetes-client, whose
 * kustomize is old: the layout must stay within what it reads; KUBECTL names another binary): the base
 * k8s/ is exactly the one-file manifest, and each overlay changes only what it says.
 */
class KustomizeTest {
    static final Path ROOT = Manifest.projectRoot();

    static Manifest render(String dir) throws Exception {
        Path kubectl = Tools.required("kubectl", "KUBECTL", "kubernetes-client");
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir).directory(ROOT.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize %s", dir).isZero();
        return Manifest.parse(ROOT.resolve(dir), out);
    }

    static List<HasMetadata> sorted(List<HasMetadata> objects) {
        List<HasMetadata> list = new ArrayList<>(objects);
        list.sort(Comparator.comparing((HasMetadata o) -> o.getKind()).thenComparing(o -> o.getMetadata().getName()));
        return list;
    }

    static List<HasMetadata> without(List<HasMetadata> objects, Class<?> kind) {
        return objects.stream().filter(o -> !kind.isInstance(o)).toList();
    }

    @Test
    void theBaseRendersToExactlyTheOneFileManifest() throws Exception {
        Manifest manifest = Manifest.load(ManifestTest.MANIFEST);
        Manifest base = render("k8s");
        assertThat(sorted(base.objects())).isEqualTo(sorted(manifest.objects()));
        assertThat(base.all(Secret.class)).as("no example Secret in the base").isEmpty();
    }

    @Test
    void theExampleOverlayAddsOnlyTheExampleSecretUnderTheNameTheStatefulSetMounts() throws Exception {
        Manifest base = render("k8s");
        Manifest example = render("overlays/example");
        assertThat(sorted(without(example.objects(), Secret.class))).isEqualTo(sorted(base.objects()));

        Secret secret = example.one(Secret.class, "galera-credentials");
        String mounted = example.one(StatefulSet.class, "galera").getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null).findFirst().orElseThrow().getSecret().getSecretName();
        assertThat(secret.getMetadata().getName()).as("no hash suffix: the StatefulSet mounts it by this name").isEqualTo(mounted);
        assertThat(secret.getMetadata().getAnnotations()).containsKey("galera-agent.io/example");
        Map<String, String> data = new TreeMap<>();
        // newer kustomize wraps long base64 values over several lines
        secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8)));
        assertThat(data).containsOnlyKeys(ManifestTest.CREDENTIAL_KEYS);
        data.forEach((k, v) -> assertThat(v).as(k).contains("EXAMPLE"));
        assertThat(data.get("sst.cnf")).containsPattern("(?m)^wsrep_sst_auth\\s*=\\s*\\w+:\\S+$");
        assertThat(data.get("root-password")).as("a password file has no trailing newline").doesNotEndWith("\n");
    }

    static Stream<Container> containers(StatefulSet sts) {
        var pod = sts.getSpec().getTemplate().getSpec();
        return Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream());
    }

    @Test
    void theStorageAndImagesOverlayChangesTheImagesAndTheVolumeAndNothingElse() throws Exception {
        Manifest base = render("k8s");
        Manifest changed = render("overlays/storage-images");
        assertThat(sorted(without(changed.objects(), StatefulSet.class))).isEqualTo(sorted(without(base.objects(), StatefulSet.class)));

        StatefulSet before = base.one(StatefulSet.class, "galera");
        StatefulSet after = changed.one(StatefulSet.class, "galera");
        assertThat(containers(after)).allSatisfy(c -> assertThat(c.getImage()).startsWith("registry.example.com/"));
        assertThat(containers(after).map(c -> c.getImage().substring(c.getImage().lastIndexOf(':'))))
                .as("tags kept where the overlay sets none").containsExactlyElementsOf(
                        containers(before).map(c -> c.getImage().substring(c.getImage().lastIndexOf(':'))).toList());
        var claim = after.getSpec().getVolumeClaimTemplates().getFirst().getSpec();
        assertThat(claim.getStorageClassName()).isEqualTo("fast-ssd");
        assertThat(claim.getResources().getRequests()).containsEntry("storage", new Quantity("50Gi"));

        containers(after).forEach(c -> c.setImage(null));
        containers(before).forEach(c -> c.setImage(null));
        claim.setStorageClassName(null);
        claim.getResources().getRequests().put("storage", before.getSpec().getVolumeClaimTemplates().getFirst().getSpec()
                .getResources().getRequests().get("storage"));
        assertThat(after).as("apart from images and storage").isEqualTo(before);
    }

    @Test
    void theExampleCredentialFilesAreTheKeysTheManifestMounts() throws Exception {
        try (Stream<Path> files = Files.list(ROOT.resolve("overlays/example/credentials"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrderElementsOf(ManifestTest.CREDENTIAL_KEYS);
        }
    }
}
