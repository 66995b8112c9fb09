package dev.galeraagent.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * How the probe reaches mysqld: TCP host and port, user, password, and the timeout of every call.
 * The password never appears in {@link #toString()}.
 */
public record MariaDbAccess(String host, int port, String user, String password, Duration timeout) {
    public MariaDbAccess {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(timeout, "timeout");
        password = password == null ? "" : password;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, was " + port);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /** {@code host:port}, as reasons name it. */
    public String target() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "MariaDbAccess[" + user + "@" + target() + ", timeout=" + timeout.toMillis() + "ms]";
    }
}
