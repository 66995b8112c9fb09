package dev.galeraagent.e2e;

import java.time.Duration;

/** The mariadb container's HTTP probes as the kubelet runs them (paths on the sidecar's port). */
public record Probes(Check startup, Check liveness, Check readiness) {
    /** One probe: GET {@code path} on {@code port}; healthy on 200; acts after {@code failureThreshold} failures in a row. */
    public record Check(String path, int port, Duration period, int failureThreshold) {}
}
