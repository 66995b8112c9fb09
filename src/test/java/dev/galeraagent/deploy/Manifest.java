package dev.galeraagent.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A multi-document Kubernetes manifest read into fabric8's typed model, strictly: every document
 * must map to a typed class (not {@link GenericKubernetesResource}), and no field may be left over.
 * fabric8's model keeps fields it does not know, or whose type does not match, in
 * {@code additionalProperties} instead of failing; {@link #unknownFields} finds them.
 */
record Manifest(Path file, List<HasMetadata> objects) {
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$");
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    static Path projectRoot() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    }

    static Manifest load(Path file) throws IOException {
        return parse(file, Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses every non-empty document; fails with the document's number and the leftover fields. */
    static Manifest parse(Path file, String text) {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> objects = new ArrayList<>();
        String[] documents = DOCUMENT_SEPARATOR.split(text);
        for (int i = 0; i < documents.length; i++) {
            String doc = documents[i];
            if (onlyComments(doc)) {
                continue;
            }
            KubernetesResource parsed = serialization.unmarshal(doc);
            if (!(parsed instanceof HasMetadata object) || parsed instanceof GenericKubernetesResource) {
                throw new AssertionError(file + " document " + (i + 1) + ": not a typed Kubernetes object: " + parsed);
            }
            List<String> unknown = unknownFields(object);
            if (!unknown.isEmpty()) {
                throw new AssertionError(file + " document " + (i + 1) + " (" + object.getKind() + " "
                        + object.getMetadata().getName() + "): fields the Kubernetes model does not know: " + unknown);
            }
            objects.add(object);
        }
        return new Manifest(file, List.copyOf(objects));
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> kind, String name) {
        List<T> found = all(kind).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
        if (found.size() != 1) {
            throw new AssertionError(file + ": expected exactly one " + kind.getSimpleName() + " named " + name + ", found " + found.size());
        }
        return found.getFirst();
    }

    private static boolean onlyComments(String doc) {
        return doc.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
    }

    /** Paths (like {@code spec.template.spec.containers[1].securityContex}) of fields left over. */
    static List<String> unknownFields(Object root) {
        List<String> found = new ArrayList<>();
        walk(root, "", found);
        return found;
    }

    private static void walk(Object node, String path, List<String> found) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", found);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "[" + k + "]", found));
            return;
        }
        if (!node.getClass().getName().startsWith(MODEL_PACKAGE)) {
            return;
        }
        List<Method> getters = List.of(node.getClass().getMethods()).stream()
                .filter(m -> m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getName().startsWith("get") && !m.getName().equals("getClass"))
                .sorted(Comparator.comparing(Method::getName))
                .toList();
        for (Method getter : getters) {
            Object value;
            try {
                value = getter.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> found.add(join(path, String.valueOf(k))));
                }
                continue;
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            walk(value, join(path, field), found);
        }
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
