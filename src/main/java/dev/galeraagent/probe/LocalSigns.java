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
 */
public record LocalSigns(boolean stateTransferFiles, Duration unansweredFor) {
    public static final LocalSigns NONE = new LocalSigns(false, Duration.ZERO);

    public LocalSigns {
        Objects.requireNonNull(unansweredFor, "unansweredFor");
    }
}
