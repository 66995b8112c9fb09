package dev.galeraagent.bootstrap;

import static dev.galeraagent.bootstrap.PlannerFixtures.U1;
import static dev.galeraagent.bootstrap.PlannerFixtures.U2;
import static dev.galeraagent.bootstrap.PlannerFixtures.published;
import static dev.galeraagent.bootstrap.PlannerFixtures.primary;
import static dev.galeraagent.bootstrap.PlannerFixtures.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.position.Position;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The planner's safety over thousands of generated clusters of 1 to 9 pods: every running pod plans
 * from the same published states, as in a real full-crash recovery, and the outcomes must agree.
 */
class PlannerPropertyTest {
    private static final long SEED = 20261126L;
    private static final int CLUSTERS = 5_000;

    /** One generated situation: each pod's state; running pods have published it, the others are down. */
    record Cluster(int replicas, List<LocalState> states, Set<Integer> running, Optional<Integer> primaryAt,
            int quorum, boolean timeoutPassed, Optional<ForcedBootstrap> force, boolean api) {
    }

    @Test
    void atMostOnePodBootstrapsWithTheMostDataAndAllAgree() {
        Random random = new Random(SEED);
        int bootstraps = 0;
        int newClusters = 0;
        int refusals = 0;
        for (int n = 0; n < CLUSTERS; n++) {
            Cluster c = generate(random);
            Map<Integer, Plan> plans = new HashMap<>();
            for (int self : c.running()) {
                if (c.primaryAt().equals(Optional.of(self))) {
                    continue; // its mysqld runs: it plans nothing
                }
                plans.put(self, Planner.plan(inputFor(c, self)));
            }
            final int index = n;
            java.util.function.Supplier<String> where = () -> "cluster #" + index + " " + c + " plans " + plans;

            List<Integer> starters = plans.entrySet().stream()
                    .filter(e -> e.getValue() instanceof Plan.NewCluster || e.getValue() instanceof Plan.BootstrapFromHere)
                    .map(Map.Entry::getKey).toList();
            assertThat(starters).as(() -> "at most one pod starts a cluster: " + where.get()).hasSizeLessThanOrEqualTo(1);

            if (c.primaryAt().isPresent()) {
                assertThat(starters).as(() -> "nobody bootstraps beside a live Primary: " + where.get()).isEmpty();
            }
            for (int s : starters) {
                Plan p = plans.get(s);
                if (p instanceof Plan.NewCluster) {
                    newClusters++;
                    // every pod, also those down or not published yet: any of them may hold the only history
                    for (int other = 0; other < c.replicas(); other++) {
                        final int o = other;
                        assertThat(c.states().get(other)).as(() -> "an empty pod never starts a cluster while pod " + o + " has state: " + where.get())
                                .isInstanceOf(LocalState.Empty.class);
                    }
                }
                if (p instanceof Plan.BootstrapFromHere b && c.force().isEmpty()) {
                    bootstraps++;
                    Set<Integer> compared = c.running().size() == c.replicas() || !c.timeoutPassed() ? allOrdinals(c) : c.running();
                    for (int other : compared) {
                        if (c.states().get(other) instanceof LocalState.State o && o.position().uuid().equals(b.position().uuid())) {
                            assertThat(b.position().seqno()).as(() -> "the bootstrapping pod " + s + " has no less data than pod " + other + ": " + where.get())
                                    .isGreaterThanOrEqualTo(o.position().seqno());
                        }
                    }
                }
            }

            Set<Integer> targets = new HashSet<>();
            for (Map.Entry<Integer, Plan> e : plans.entrySet()) {
                switch (e.getValue()) {
                    case Plan.BootstrapFromHere b -> targets.add(e.getKey());
                    case Plan.NewCluster nc -> targets.add(e.getKey());
                    case Plan.Wait w -> w.awaiting().ifPresent(targets::add);
                    case Plan.Refuse r -> refusals++;
                    case Plan.Join j -> { }
                }
            }
            assertThat(targets).as(() -> "every pod expects the same pod to bootstrap: " + where.get()).hasSizeLessThanOrEqualTo(1);
        }
        System.out.printf("%d clusters: %d recovery bootstraps, %d new clusters, %d refusals%n", CLUSTERS, bootstraps, newClusters, refusals);
        assertThat(bootstraps).as("the generator reaches recovery bootstraps").isGreaterThan(CLUSTERS / 20);
        assertThat(newClusters).as("the generator reaches fresh clusters").isGreaterThan(CLUSTERS / 100);
        assertThat(refusals).as("the generator reaches conflicts").isGreaterThan(0);
    }

    private static Set<Integer> allOrdinals(Cluster c) {
        Set<Integer> all = new HashSet<>();
        for (int i = 0; i < c.replicas(); i++) {
            all.add(i);
        }
        return all;
    }

    private static PlannerInput inputFor(Cluster c, int self) {
        Map<Integer, NodeStatus> statuses = new HashMap<>();
        Map<Integer, PublishedState> pub = new HashMap<>();
        for (int other : c.running()) {
            if (other == self) {
                continue;
            }
            if (c.primaryAt().equals(Optional.of(other))) {
                statuses.put(other, primary(other, U1, 100));
            } else if (c.api()) {
                pub.put(other, published(other, c.states().get(other)));
            } else {
                statuses.put(other, waiting(other, c.states().get(other)));
            }
        }
        return PlannerInput.of(self, c.replicas(), c.states().get(self), statuses, pub, c.quorum(), c.timeoutPassed(), c.force());
    }

    private static Cluster generate(Random r) {
        int replicas = 1 + r.nextInt(9);
        boolean fresh = r.nextInt(10) == 0;
        boolean twoHistories = r.nextInt(20) == 0;
        List<LocalState> states = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            if (fresh || r.nextInt(4) == 0) {
                states.add(new LocalState.Empty("generated"));
            } else {
                long seqno = r.nextInt(5) == 0 ? 2_147_483_640L + r.nextInt(20) : r.nextInt(8);
                var uuid = twoHistories && r.nextBoolean() ? U2 : U1;
                states.add(new LocalState.State(new Position(uuid, seqno), r.nextBoolean(), r.nextInt(6) == 0));
            }
        }
        Set<Integer> running = new HashSet<>();
        for (int i = 0; i < replicas; i++) {
            if (r.nextInt(6) != 0) {
                running.add(i);
            }
        }
        Optional<Integer> primaryAt = Optional.empty();
        if (r.nextInt(10) == 0 && !running.isEmpty()) {
            primaryAt = Optional.of(running.iterator().next());
        }
        int quorum = r.nextBoolean() ? PlannerFixtures.majority(replicas) : 1 + r.nextInt(replicas);
        Optional<ForcedBootstrap> force = Optional.empty();
        if (r.nextInt(40) == 0) {
            int k = r.nextInt(replicas);
            // mostly the position the person saw; sometimes one the pod has moved past (an override left in place)
            long seqno = states.get(k) instanceof LocalState.State st && r.nextInt(4) != 0 ? Math.max(0, st.position().seqno()) : 1 + r.nextInt(7);
            force = Optional.of(new ForcedBootstrap(k, new dev.galeraagent.position.Position(U1, seqno)));
        }
        return new Cluster(replicas, states, running, primaryAt, quorum, r.nextInt(3) == 0, force, r.nextBoolean());
    }
}
