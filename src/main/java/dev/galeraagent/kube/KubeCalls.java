package dev.galeraagent.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.function.Supplier;

/** Runs one API call and turns fabric8's exceptions into {@link KubeApiException}s that name the call. */
final class KubeCalls {
    static final String RBAC_FILE = "k8s/galera-statefulset.yaml";

    private final String namespace;
    private final String apiUrl;

    KubeCalls(String namespace, String apiUrl) {
        this.namespace = namespace;
        this.apiUrl = apiUrl;
    }

    String namespace() {
        return namespace;
    }

    /**
     * @param verb     the RBAC verb the call needs ({@code get}, {@code list}, {@code patch}, ...)
     * @param resource the RBAC resource ({@code pods}, {@code statefulsets}, {@code leases})
     * @param name     the object's name, or null for a list
     */
    <T> T run(String verb, String resource, String name, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw translate(verb, resource, name, e);
        }
    }

    KubeApiException translate(String verb, String resource, String name, KubernetesClientException e) {
        String what = name == null ? resource : resource + "/" + name;
        int code = e.getCode();
        if (code == 401) {
            return new KubeApiException(KubeApiException.Kind.FORBIDDEN, "the Kubernetes API at " + apiUrl
                    + " rejected the agent's credentials (401) when it tried to " + verb + " " + what + " in namespace "
                    + namespace + ": check the service account token or the kubeconfig", e);
        }
        if (code == 403) {
            return new KubeApiException(KubeApiException.Kind.FORBIDDEN, "the service account may not " + verb + " "
                    + resource + " in namespace " + namespace + ": grant it in the Role (see " + RBAC_FILE + ")", e);
        }
        if (code == 404) {
            return new KubeApiException(KubeApiException.Kind.NOT_FOUND,
                    what + " not found in namespace " + namespace + " (" + verb + ")", e);
        }
        if (code == 409) {
            return new KubeApiException(KubeApiException.Kind.CONFLICT,
                    "conflict on " + what + " in namespace " + namespace + " (" + verb + "): it changed meanwhile", e);
        }
        if (code <= 0 && causedByIo(e)) {
            return new KubeApiException(KubeApiException.Kind.UNREACHABLE, "the Kubernetes API at " + apiUrl
                    + " is unreachable (" + ioMessage(e) + ") when trying to " + verb + " " + what
                    + " in namespace " + namespace, e);
        }
        return new KubeApiException(KubeApiException.Kind.FAILED, "the Kubernetes API at " + apiUrl + " failed to "
                + verb + " " + what + " in namespace " + namespace + ": "
                + (code <= 0 ? rootMessage(e) : "HTTP " + code + " " + statusMessage(e)), e);
    }

    private static boolean causedByIo(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** The outermost specific I/O failure names it best: ConnectException, HttpTimeoutException, UnknownHostException. */
    private static String ioMessage(Throwable e) {
        Throwable plain = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                if (t.getClass() != IOException.class) {
                    return describe(t);
                }
                plain = plain == null ? t : plain;
            }
        }
        return plain != null ? describe(plain) : rootMessage(e);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return (t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message)).replace('\n', ' ');
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        String text = root.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
        return text.replace('\n', ' ');
    }

    private static String statusMessage(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage().replace('\n', ' ');
        }
        return "";
    }
}
