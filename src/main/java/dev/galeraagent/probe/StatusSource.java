package dev.galeraagent.probe;

/** Something that reads mysqld's state once; the JDBC reader in production, a scripted one in tests. */
interface StatusSource extends AutoCloseable {
    /** Never throws for an unreachable or failing server: that is an {@link Observation.Failed}. */
    Observation read();

    @Override
    void close();
}
