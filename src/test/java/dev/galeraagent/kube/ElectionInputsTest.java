package dev.galeraagent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.status.PublishedState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The election's inputs over many simulated pods: every pod publishes through its own client, all at once, and
 * every pod reads back exactly what the others published, with the absent ones accounted for.
 */
class ElectionInputsTest {
    static final String NS = "db";
    static final String UUID_A = "6f1b3c1e-1111-11ef-9a3c-0242ac120002";
    static final String UUID_B = "0a9c2d4e-2222-11ef-8b1d-0242ac120003";

    @RegisterExtension
    final MockKubeServer kube = new MockKubeServer("127.0.40.1", NS);

    private enum Kind { NO_POD, NOT_PUBLISHED, EMPTY, SAME_HISTORY, OTHER_HISTORY }

    @ParameterizedTest(name = "{0} replicas, seed {1}")
    @CsvSource({"3, 1", "3, 2", "5, 3", "5, 4", "9, 5", "9, 6"})
    void everyPodReadsExactlyWhatTheOthersPublished(int replicas, long seed) throws Exception {
        Random random = new Random(seed);
        Kind[] kinds = new Kind[replicas];
        List<Integer> withPod = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            kinds[i] = Kind.values()[random.nextInt(Kind.values().length)];
            if (kinds[i] != Kind.NO_POD) {
                withPod.add(i);
            }
        }
        if (withPod.isEmpty()) {
            kinds[0] = Kind.SAME_HISTORY;
            withPod.add(0);
        }
        String sts = "sim" + replicas + "x" + seed;
        MockKube.createStatefulSet(kube.mock().admin(), NS, sts, replicas, withPod);

        Map<Integer, PublishedState> expected = new HashMap<>();
        for (int i : withPod) {
            PublishedState s = switch (kinds[i]) {
                case EMPTY -> new PublishedState(i, "waiting", true, null, -1, false, false, null, List.of("datadir empty"), null, "t", "0.1.0", null, null, false);
                case SAME_HISTORY -> KubeApiTest.state(i, UUID_A, random.nextInt(1000), random.nextInt(4) == 0, "t");
                case OTHER_HISTORY -> KubeApiTest.state(i, UUID_B, random.nextInt(1000), random.nextBoolean(), "t");
                default -> null;
            };
            if (s != null) {
                expected.put(i, s);
            }
        }

        // each simulated pod publishes through its own client, all at the same time
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(replicas, 4));
        List<KubeApi> apis = new ArrayList<>();
        try {
            List<Future<Boolean>> writes = new ArrayList<>();
            for (Map.Entry<Integer, PublishedState> e : expected.entrySet()) {
                KubeApi api = kube.mock().agent(kube.kubeconfig(), NS, Clock.systemUTC());
                apis.add(api);
                writes.add(pool.submit(() -> api.publish(new StatefulSetInfo(NS, sts, replicas, Map.of(MockKube.APP_LABEL, sts)),
                        sts + "-" + e.getKey(), e.getValue())));
            }
            for (Future<Boolean> w : writes) {
                assertThat(w.get()).isTrue();
            }
            for (int reader : withPod) {
                KubeApi api = kube.mock().agent(kube.kubeconfig(), NS, Clock.systemUTC());
                apis.add(api);
                PodStates read = api.readStates(api.statefulSet(sts + "-" + reader, Optional.empty()));
                Map<Integer, PublishedState> others = new HashMap<>(expected);
                others.remove(reader);
                assertThat(read.othersThan(reader)).as("what pod %d reads of %s", reader, List.of(kinds)).isEqualTo(others);
                assertThat(read.published()).isEqualTo(expected);
                assertThat(read.missing()).isEqualTo(ordinals(kinds, Kind.NO_POD));
                assertThat(read.unpublished()).isEqualTo(ordinals(kinds, Kind.NOT_PUBLISHED));
                assertThat(read.malformed()).isEmpty();
                assertThat(read.notPublished().isEmpty()).isEqualTo(expected.size() == replicas);
            }
        } finally {
            pool.shutdownNow();
            apis.forEach(KubeApi::close);
        }
    }

    private static Set<Integer> ordinals(Kind[] kinds, Kind kind) {
        Set<Integer> result = new TreeSet<>();
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == kind) {
                result.add(i);
            }
        }
        return result;
    }
}
