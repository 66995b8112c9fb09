package dev.galeraagent.probe;

import dev.galeraagent.probe.Observation.Answered;
import dev.galeraagent.probe.Observation.Failed;
import dev.galeraagent.probe.Observation.Failure;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads mysqld's wsrep status over JDBC (mariadb-java-client, TCP) through one reused connection,
 * reconnecting when it is lost. Not thread-safe: {@link StatusCache} calls it from one thread.
 *
 * <p>Unix sockets are not supported: mariadb-java-client 3.5 needs JNA for them (2 MB, and a native
 * library unpacked at run time, which a read-only root file system refuses).
 */
public final class MariaDbStatusReader implements StatusSource {
    static final String WSREP_ON = "SHOW GLOBAL VARIABLES LIKE 'wsrep_on'";
    static final String WSREP_STATUS = "SHOW GLOBAL STATUS LIKE 'wsrep%'";

    private final MariaDbAccess access;
    private final org.mariadb.jdbc.Driver driver = new org.mariadb.jdbc.Driver();
    private Connection connection;

    public MariaDbStatusReader(MariaDbAccess access) {
        this.access = access;
    }

    @Override
    public Observation read() {
        try {
            if (connection == null || connection.isClosed()) {
                connection = connect();
            }
            Map<String, String> vars = new HashMap<>();
            try (Statement st = connection.createStatement()) {
                collect(st, WSREP_ON, vars);
                collect(st, WSREP_STATUS, vars);
            }
            return new Answered(vars);
        } catch (SQLException e) {
            closeQuietly();
            return classify(e);
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", access.user());
        p.setProperty("password", access.password());
        String ms = Long.toString(access.timeout().toMillis());
        p.setProperty("connectTimeout", ms);
        p.setProperty("socketTimeout", ms);
        p.setProperty("tcpKeepAlive", "true");
        // the probe asks nothing that needs these; each costs a round trip or a query at connect
        p.setProperty("useServerPrepStmts", "false");
        p.setProperty("cachePrepStmts", "false");
        p.setProperty("permitMysqlScheme", "false");
        Connection c = driver.connect("jdbc:mariadb://" + access.target() + "/", p);
        if (c == null) {
            throw new SQLException("the MariaDB driver refused the URL for " + access.target());
        }
        return c;
    }

    private static void collect(Statement st, String sql, Map<String, String> into) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                into.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
            }
        }
    }

    /** Sorts a driver error into the kinds the verdict knows; the message names no secret. */
    static Failed classify(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return new Failed(Failure.TIMEOUT, "no answer within the timeout");
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return new Failed(Failure.DOWN, firstLine(t.getMessage()));
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && (s.getErrorCode() == 1045 || "28000".equals(s.getSQLState()))) {
                return new Failed(Failure.ACCESS_DENIED, "error 1045");
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException || t instanceof SocketException) {
                return new Failed(Failure.DOWN, "connection lost: " + firstLine(t.getMessage()));
            }
        }
        String msg = firstLine(e.getMessage());
        if (e.getErrorCode() > 0 && e.getErrorCode() != 1927 /* connection killed */) {
            return new Failed(Failure.SERVER_ERROR, "error " + e.getErrorCode() + ": " + msg);
        }
        if (msg.toLowerCase(Locale.ROOT).contains("timeout") || msg.toLowerCase(Locale.ROOT).contains("timed out")) {
            return new Failed(Failure.TIMEOUT, "no answer within the timeout");
        }
        return new Failed(Failure.DOWN, msg);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // the connection is broken already; only its resources are left to free
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
