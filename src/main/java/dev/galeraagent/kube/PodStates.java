package dev.galeraagent.kube;

import dev.galeraagent.status.PublishedState;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One reading of the StatefulSet's pods and their entries in the state ConfigMap, by ordinal
 * ({@code 0 <= ordinal < replicas}). Every ordinal is in exactly one of the four groups.
 *
 * @param statefulSet the StatefulSet read
 * @param published   the pods whose entry parsed
 * @param unpublished the pods that exist but have no entry yet, or only one an earlier pod of that name wrote
 * @param malformed   the pods whose entry did not parse, with why (reported, not fatal)
 * @param missing     the ordinals with no Pod object at all
 * @param ready       the ordinals whose Pod has the condition Ready=True
 */
public record PodStates(
        StatefulSetInfo statefulSet,
        SortedMap<Integer, PublishedState> published,
        SortedSet<Integer> unpublished,
        SortedMap<Integer, String> malformed,
        SortedSet<Integer> missing,
        SortedSet<Integer> ready) {

    public PodStates {
        Objects.requireNonNull(statefulSet, "statefulSet");
        published = Collections.unmodifiableSortedMap(new TreeMap<>(published));
        unpublished = Collections.unmodifiableSortedSet(new TreeSet<>(unpublished));
        malformed = Collections.unmodifiableSortedMap(new TreeMap<>(malformed));
        missing = Collections.unmodifiableSortedSet(new TreeSet<>(missing));
        ready = Collections.unmodifiableSortedSet(new TreeSet<>(ready));
    }

    /** A reading without readiness (no pod Ready). */
    public PodStates(StatefulSetInfo statefulSet, SortedMap<Integer, PublishedState> published, SortedSet<Integer> unpublished,
                     SortedMap<Integer, String> malformed, SortedSet<Integer> missing) {
        this(statefulSet, published, unpublished, malformed, missing, new TreeSet<>());
    }

    /** The other pods' published states, as the bootstrap planner takes them. */
    public Map<Integer, PublishedState> othersThan(int ordinal) {
        Map<Integer, PublishedState> others = new HashMap<>(published);
        others.remove(ordinal);
        return Map.copyOf(others);
    }

    /** The ordinals that have not published a readable state, for "who is missing" messages. */
    public SortedSet<Integer> notPublished() {
        SortedSet<Integer> absent = new TreeSet<>(unpublished);
        absent.addAll(malformed.keySet());
        absent.addAll(missing);
        return Collections.unmodifiableSortedSet(absent);
    }

    /** Equal in every published field except {@code time}: re-stamping does not count as a change. */
    public boolean sameContent(PodStates other) {
        if (other == null || !statefulSet.equals(other.statefulSet) || !unpublished.equals(other.unpublished)
                || !malformed.equals(other.malformed) || !missing.equals(other.missing) || !ready.equals(other.ready)
                || !published.keySet().equals(other.published.keySet())) {
            return false;
        }
        return published.entrySet().stream()
                .allMatch(e -> e.getValue().sameIgnoringTime(other.published.get(e.getKey())));
    }
}
