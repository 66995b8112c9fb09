package dev.galeraagent.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the two facts {@link PodIdentity#fromEnv} needs from the machine: the hostname and
 * resolv.conf. Both return null when unreadable, so the identity falls back or fails with its own
 * clear message; neither asks DNS.
 */
public final class SystemFacts {
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");
    private static final Path ETC_HOSTNAME = Path.of("/etc/hostname");

    private SystemFacts() {
    }

    /** The kernel's hostname (Kubernetes sets it to the pod name), else {@code /etc/hostname}, else null. */
    public static String hostname() {
        for (Path p : new Path[] {KERNEL_HOSTNAME, ETC_HOSTNAME}) {
            String text = read(p);
            if (text != null && !text.strip().isEmpty()) {
                return text.strip();
            }
        }
        return null;
    }

    /** The text of {@code file} (normally {@link #RESOLV_CONF}), or null when it cannot be read. */
    public static String resolvConf(Path file) {
        return read(file);
    }

    private static String read(Path file) {
        try {
            if (Files.size(file) > 1 << 20) {
                return null;
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
