package dev.galeraagent.e2e;

import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Checks the application's rows on every pod: no acknowledged row missing, and one checksum everywhere. */
public final class Checker {
    /** What one check found: per pod the rows present, the acknowledged rows missing and the table checksum. */
    public record Check(int acked, Map<Integer, Integer> present, Map<Integer, Integer> lost, int lostAnywhere,
                        Map<Integer, String> checksums) {
        /** Acknowledged rows missing on at least one pod. */
        public int lostTotal() {
            return lostAnywhere;
        }

        public boolean checksumsAgree() {
            return checksums.values().stream().distinct().count() == 1;
        }

        public boolean ok() {
            return lostTotal() == 0 && checksumsAgree();
        }

        @Override
        public String toString() {
            return "acked=" + acked + " present=" + present + " lost=" + lost + " checksums=" + checksums;
        }
    }

    private Checker() {}

    public static Check check(Cluster cluster, Set<Writer.Row> acked, Collection<Integer> pods) throws IOException {
        Map<Integer, Integer> present = new LinkedHashMap<>();
        Map<Integer, Integer> lost = new LinkedHashMap<>();
        Map<Integer, String> checksums = new LinkedHashMap<>();
        Set<Writer.Row> missingAnywhere = new HashSet<>();
        for (int i : pods) {
            Pod pod = cluster.pod(i);
            // wsrep_sync_wait=1: the read waits until this node has applied everything committed before it
            String rows = pod.sqlOk("SET SESSION wsrep_sync_wait=1; SELECT w, s FROM lab." + Cluster.APP_TABLE);
            Set<Writer.Row> have = new HashSet<>();
            for (String line : rows.split("\n")) {
                String[] f = line.split("\t");
                if (f.length == 2) {
                    have.add(new Writer.Row(Integer.parseInt(f[0]), Integer.parseInt(f[1])));
                }
            }
            present.put(i, have.size());
            Set<Writer.Row> missing = new HashSet<>(acked);
            missing.removeAll(have);
            lost.put(i, missing.size());
            missingAnywhere.addAll(missing);
            String sum = pod.sqlOk("SET SESSION wsrep_sync_wait=1; CHECKSUM TABLE lab." + Cluster.APP_TABLE);
            checksums.put(i, sum.substring(sum.indexOf('\t') + 1).strip());
        }
        return new Check(acked.size(), present, lost, missingAnywhere.size(), checksums);
    }
}
