package dev.galeraagent.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * The operator's choices that change a verdict.
 *
 * @param availableWhenDonor a Donor/Desynced node counts as ready ({@code --available-when-donor})
 * @param startupGrace       how long liveness tolerates mysqld not listening (starting, recovering)
 * @param user               the probe user, named in reasons
 * @param target             where mysqld is asked ({@code 127.0.0.1:3306}), named in reasons
 * @param staleTransfer      how long state-transfer markers with an unchanging data directory count as a live transfer
 *                           ({@code --stale-transfer-after}, default {@link HealthVerdict#STALE_TRANSFER})
 */
public record ProbePolicy(boolean availableWhenDonor, Duration startupGrace, String user, String target, Duration staleTransfer) {
    public ProbePolicy {
        Objects.requireNonNull(startupGrace, "startupGrace");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(staleTransfer, "staleTransfer");
    }

    public ProbePolicy(boolean availableWhenDonor, Duration startupGrace, String user, String target) {
        this(availableWhenDonor, startupGrace, user, target, HealthVerdict.STALE_TRANSFER);
    }
}
