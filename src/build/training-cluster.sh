# Sourced (POSIX sh) by src/build/train-aot.sh and scripts/bench-pod-start.sh: the one-pod cluster an
# `agent bootstrap` runs against outside Kubernetes, for training its AOT cache and for benchmarks.
#
# start_training_cluster WORK AGENT JAVA SOURCE starts SOURCE, src/build/TrainingCluster.java (a Kubernetes API
# and a DNS server on loopback ports the system picks), with JAVA, a JDK, and AGENT's jars, in the background; its
# input is this shell's fd 9, so it serves until the caller exits (the caller also kills $training_pid).
# It writes WORK/kubeconfig, WORK/data (a node that stopped cleanly at seqno 42, alone in its
# StatefulSet: the full-crash winner's path of publish, Lease and hand-off, without mariadbd
# --wsrep-recover) and an empty WORK/conf, and sets training_pid and training_dns (HOST:PORT).
start_training_cluster() {
  tc_work=$1
  tc_agent=$2
  tc_java=$3
  tc_source=$4
  mkfifo "$tc_work/cluster.in"
  "$tc_java" -cp "$tc_agent/lib/*" "$tc_source" <"$tc_work/cluster.in" >"$tc_work/cluster.out" 2>&1 &
  training_pid=$!
  exec 9>"$tc_work/cluster.in"
  tc_tries=0
  until grep -q '^api=' "$tc_work/cluster.out"; do
    tc_tries=$((tc_tries + 1))
    if [ "$tc_tries" -gt 600 ] || ! kill -0 "$training_pid" 2>/dev/null; then
      echo "the training cluster (src/build/TrainingCluster.java) did not start:" >&2
      cat "$tc_work/cluster.out" >&2
      return 1
    fi
    sleep 0.1
  done
  tc_api=$(sed -n 's/^api=\([0-9]*\) dns=\([0-9]*\)$/\1/p' "$tc_work/cluster.out")
  training_dns=127.0.0.1:$(sed -n 's/^api=\([0-9]*\) dns=\([0-9]*\)$/\2/p' "$tc_work/cluster.out")
  printf '%s\n' "apiVersion: v1" "kind: Config" \
    "clusters: [{name: training, cluster: {server: \"http://127.0.0.1:$tc_api\"}}]" \
    "users: [{name: training, user: {}}]" \
    "contexts: [{name: training, context: {cluster: training, user: training, namespace: default}}]" \
    "current-context: training" >"$tc_work/kubeconfig"
  mkdir -p "$tc_work/data/mysql" "$tc_work/conf"
  : >"$tc_work/data/ibdata1"
  printf '%s\n' "# GALERA saved state" "version: 2.1" "uuid:    5e7a0000-0000-4000-8000-0000000000aa" "seqno:   42" \
    "safe_to_bootstrap: 1" >"$tc_work/data/grastate.dat"
}
