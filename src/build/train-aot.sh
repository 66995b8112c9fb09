#!/bin/sh
# Build step: makes one AOT cache per mode (AGENT/aot/<mode>.aot) from a training run of the
# packaged launcher itself, so the cache sees exactly the runtime, classpath and JVM flags it will
# be used with. A mode whose subcommand does not exist yet is skipped (the launcher then runs it
# without a cache). Training runs use loopback and temporary directories only.
#
# bootstrap and prepare-start are trained on the work they do in a pod (docs/benchmarks.md, "A pod
# start's three commands"): a real `agent bootstrap` against TrainingCluster.java, a Kubernetes API
# and DNS server for one pod on loopback, run by JAVA (the build's JDK); then `agent prepare-start`
# on the hand-off that bootstrap left. The other modes are trained on --help-sized runs: a cache
# trained on install's real copy did not make the copy faster, and probe serve runs without a cache.
#
# Usage: train-aot.sh AGENT JAVA
set -eu
AGENT=$1
JAVA=$2
work=$(mktemp -d)
cluster_pid=
cleanup() {
  if [ -n "$cluster_pid" ]; then
    kill "$cluster_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$AGENT/aot" "$work/to"
: >"$AGENT/aot/trained-on.txt"

# train MODE ARGS...: TRAIN_ENV adds NAME=value words (no spaces in them) to the run's empty
# environment; TRAIN_NOTE is appended to the mode's line in aot/trained-on.txt.
train() {
  mode=$1
  shift
  if ! env -i PATH=/usr/bin:/bin "$AGENT/bin/agent" help "$mode" >/dev/null 2>&1; then
    echo "AOT cache $mode: skipped (no '$mode' subcommand yet)"
    return 0
  fi
  cache=$AGENT/aot/$mode.aot
  # an empty environment: the user's AGENT_* variables must not change what is trained
  status=0
  # shellcheck disable=SC2086 # TRAIN_ENV is split into its NAME=value words on purpose
  env -i PATH=/usr/bin:/bin HOME="$work" ${TRAIN_ENV:-} AGENT_JAVA_OPTIONS="-XX:AOTCacheOutput=$cache" \
    "$AGENT/bin/agent" "$@" >"$work/$mode.out" 2>&1 || status=$?
  rm -f "$cache.config"
  if [ ! -s "$cache" ]; then
    echo "AOT cache $mode: training run 'agent $*' (exit $status) made no cache:" >&2
    cat "$work/$mode.out" >&2
    exit 1
  fi
  echo "AOT cache $mode: $(du -k "$cache" | cut -f1) KiB from 'agent $*' (exit $status)${TRAIN_NOTE:-}"
  echo "$mode: agent $* (exit $status)${TRAIN_NOTE:-}" | sed "s|$work|TMP|g" >>"$AGENT/aot/trained-on.txt"
}

. "$(dirname "$0")/training-cluster.sh"

train install install --dry-run --to "$work/to"

start_training_cluster "$work" "$AGENT" "$JAVA" "$(dirname "$0")/TrainingCluster.java"
cluster_pid=$training_pid
TRAIN_ENV="KUBECONFIG=$work/kubeconfig POD_NAME=galera-0 POD_NAMESPACE=default POD_IP=127.0.0.1
  POD_UID=5e7a0000-0000-4000-8000-000000000002 AGENT_DATADIR=$work/data AGENT_CONFIG_DIR=$work/conf
  AGENT_STATUS_PORT=0 AGENT_DNS_SERVER=$training_dns AGENT_CLUSTER_DOMAIN=cluster.local
  AGENT_MARIADBD=/bin/false AGENT_TIMEOUT=60s" TRAIN_NOTE=", against the training cluster" \
  train bootstrap bootstrap
if [ ! -s "$work/conf/bootstrap-request.json" ]; then
  echo "train-aot: the training run of agent bootstrap did not bootstrap:" >&2
  cat "$work/bootstrap.out" >&2
  exit 1
fi
TRAIN_ENV="AGENT_DATADIR=$work/data AGENT_CONFIG_DIR=$work/conf AGENT_MARIADBD=/bin/false" \
  TRAIN_NOTE=", on the hand-off of the bootstrap training run" train prepare-start prepare-start

TRAIN_ENV= TRAIN_NOTE=
train probe probe --help
train status status --help

# What the caches were trained with. JDK 25.0.3 does not reject a cache when a jar changed
# (JDK-8377932), so PackagingIT checks these checksums instead.
(cd "$AGENT" && sha256sum lib/*.jar runtime/lib/modules runtime/lib/server/libjvm.so) >"$AGENT/aot/trained-with.sha256"
