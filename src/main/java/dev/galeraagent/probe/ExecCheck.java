package dev.galeraagent.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one-shot check behind {@code agent probe liveness|readiness|startup}: asks the local sidecar,
 * which answers from its warm connection and cache, and reads mysqld directly only when no sidecar answers.
 */
public final class ExecCheck {
    private ExecCheck() {
    }

    public static Verdict run(ProbeKind kind, URI sidecar, Duration sidecarTimeout, Supplier<Verdict> direct) {
        Verdict fromSidecar = sidecar == null ? null : askSidecar(sidecar, kind, sidecarTimeout);
        return fromSidecar != null ? fromSidecar : direct.get();
    }

    /** The sidecar's verdict, or null when no sidecar answers like one (not running, slow, something else on the port). */
    static Verdict askSidecar(URI base, ProbeKind kind, Duration timeout) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) base.resolve(kind.path()).toURL().openConnection();
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setUseCaches(false);
            int code = c.getResponseCode();
            if (code != 200 && code != 503) {
                return null;
            }
            try (InputStream in = code == 200 ? c.getInputStream() : c.getErrorStream()) {
                String body = in == null ? "" : new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                String line = body.lines().findFirst().orElse("").strip();
                return new Verdict(code == 200, line.isEmpty() ? "(the sidecar gave no reason)" : line);
            }
        } catch (IOException | IllegalArgumentException e) {
            return null;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }
}
