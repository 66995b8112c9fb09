package dev.galeraagent.handoff;

/**
 * Where the sidecar records the hand-off's milestones as Events on its own Pod. The kube package's {@code EventSink}
 * writes them through the API; {@link #NONE} drops them (no API). Must not throw: an Event is never worth stopping for.
 */
public interface HandOffEvents {
    /** Records nothing: without the Kubernetes API ({@code --no-kube-api}, rule 9). */
    HandOffEvents NONE = new HandOffEvents() {
        @Override
        public void leaseReleased(String lease, String holder, String why) {
        }

        @Override
        public void leaseLost(String lease, String holder) {
        }

        @Override
        public void handOffComplete(String plan, String oneShotFile) {
        }
    };

    /** This pod gave the bootstrap Lease back; {@code why} says when and why. */
    void leaseReleased(String lease, String holder, String why);

    /** The Lease expired under this pod before its node became Primary: another pod may bootstrap. */
    void leaseLost(String lease, String holder);

    /** The sidecar saw the bootstrapped node Primary and completed the hand-off (rule 10). */
    void handOffComplete(String plan, String oneShotFile);
}
