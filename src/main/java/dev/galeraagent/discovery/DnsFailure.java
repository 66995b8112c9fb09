package dev.galeraagent.discovery;

/** Why a DNS name gave no usable records. */
public enum DnsFailure {
    /** The server says the name does not exist (a peer pod that does not exist yet). Not retried. */
    NXDOMAIN,
    /** The name exists but has no record of the asked type. Not retried. */
    NO_RECORDS,
    /** No server answered in time, on any attempt before the deadline. */
    TIMEOUT,
    /** The server answered SERVFAIL on every attempt: it could not resolve the name. */
    SERVFAIL,
    /** The server refused to answer (REFUSED): it does not serve this name or this client. */
    REFUSED,
    /** The server could not be reached (port unreachable, no route). */
    UNREACHABLE,
    /** Any other answer code or I/O error. */
    OTHER;

    /** True when asking again later may give a different answer. */
    public boolean transientFailure() {
        return this != NXDOMAIN && this != NO_RECORDS;
    }
}
