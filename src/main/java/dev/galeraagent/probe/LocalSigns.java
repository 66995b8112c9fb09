package dev.galeraagent.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * What the probe knows besides mysqld's answer.
 *
 * @param stateTransferFiles true when the data directory shows a state transfer in progress
 *                           ({@code sst_in_progress} or {@code wsrep_sst.pid}, written by the SST scripts)
 * @param unansweredFor      how long mysqld has not answered (zero when it just did, or when the
 *                           caller has no memory, like a one-shot exec check)
 * @param transferQuietFor   how long nothing in the data directory changed while the markers were there
 *                           (zero without markers or without memory)
 * @param disconnectedFor    how long mysqld has answered as out of its group without a break: {@code wsrep_connected=OFF},
 *                           or joining outside a Primary component (zero otherwise, or without memory)
 */
record LocalSigns(boolean stateTransferFiles, Duration unansweredFor, Duration transferQuietFor, Duration disconnectedFor) {
    public static final LocalSigns NONE = new LocalSigns(false, Duration.ZERO);

    public LocalSigns {
        Objects.requireNonNull(unansweredFor, "unansweredFor");
        Objects.requireNonNull(transferQuietFor, "transferQuietFor");
        Objects.requireNonNull(disconnectedFor, "disconnectedFor");
    }

    /** Signs of a caller with no memory of the data directory or of Galera's connection. */
    public LocalSigns(boolean stateTransferFiles, Duration unansweredFor) {
        this(stateTransferFiles, unansweredFor, Duration.ZERO, Duration.ZERO);
    }
}
