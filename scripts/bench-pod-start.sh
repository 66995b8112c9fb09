#!/usr/bin/env bash
# Two packages side by side on the three agent commands of a pod start (docs/benchmarks.md, "A pod
# start's three commands"): `agent install` into an empty directory; a real `agent bootstrap` of one
# pod against src/build/TrainingCluster.java (a Kubernetes API and DNS server on loopback); then
# `agent prepare-start` on the hand-off it left. Each command runs RUNS times per package with
# hyperfine, the two packages one after the other, command by command. Median wall time and mean CPU
# (user+sys) come from hyperfine; read the CPU: the machine is shared.
# Usage: scripts/bench-pod-start.sh BEFORE_AGENT_HOME AFTER_AGENT_HOME [RUNS]
#   e.g. scripts/bench-pod-start.sh ../old/target/agent target/agent 15   (homes made by ./mvnw package)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
select_jdk25
[ $# -ge 2 ] || { echo "usage: scripts/bench-pod-start.sh BEFORE_AGENT_HOME AFTER_AGENT_HOME [RUNS]" >&2; exit 2; }
BEFORE=$(cd "$1" && pwd -P)
AFTER=$(cd "$2" && pwd -P)
RUNS=${3:-15}
for home in "$BEFORE" "$AFTER"; do
  [ -x "$home/bin/agent" ] || { echo "error: $home/bin/agent is missing: give two homes made by ./mvnw package" >&2; exit 1; }
done
command -v hyperfine >/dev/null || { echo "error: hyperfine is not installed (scripts/install-deps.sh)" >&2; exit 1; }

work=$(mktemp -d)
cluster_pid=
cleanup() {
  if [ -n "$cluster_pid" ]; then kill "$cluster_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
. src/build/training-cluster.sh
start_training_cluster "$work" "$AFTER" "$JAVA_HOME/bin/java" src/build/TrainingCluster.java
cluster_pid=$training_pid

common="env -i PATH=/usr/bin:/bin HOME=$work AGENT_DATADIR=$work/data AGENT_CONFIG_DIR=$work/conf AGENT_MARIADBD=/bin/false"
pod="KUBECONFIG=$work/kubeconfig POD_NAME=galera-0 POD_NAMESPACE=default POD_IP=127.0.0.1 AGENT_STATUS_PORT=0"
pod="$pod AGENT_DNS_SERVER=$training_dns AGENT_CLUSTER_DOMAIN=cluster.local AGENT_TIMEOUT=60s"
# the hand-off prepare-start reads, left by one bootstrap run
$common $pod "$AFTER/bin/agent" bootstrap >"$work/first-bootstrap.log" 2>&1 \
  || { echo "error: agent bootstrap against the training cluster failed:" >&2; cat "$work/first-bootstrap.log" >&2; exit 1; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
hyperfine -N -w 1 -r "$RUNS" --export-json "$work/install.json" -p "sh -c 'rm -rf $work/to; mkdir $work/to'" \
  -n "agent install, before" "$BEFORE/bin/agent install --to $work/to" \
  -n "agent install, after" "$AFTER/bin/agent install --to $work/to"
hyperfine -N -w 2 -r "$RUNS" --export-json "$work/bootstrap.json" \
  -n "agent bootstrap, before" "$common $pod $BEFORE/bin/agent bootstrap" \
  -n "agent bootstrap, after" "$common $pod $AFTER/bin/agent bootstrap"
hyperfine -N -w 2 -r "$RUNS" --export-json "$work/prepare-start.json" \
  -n "agent prepare-start, before" "$common $BEFORE/bin/agent prepare-start" \
  -n "agent prepare-start, after" "$common $AFTER/bin/agent prepare-start"
echo "before: $BEFORE"
echo "after:  $AFTER"
echo "| command | median wall (ms) | CPU user+sys, mean (ms) |"
echo "|---|---:|---:|"
jq -r '.results[] | "| \(.command) | \(.median * 1000 | round) | \((.user + .system) * 1000 | round) |"' \
  "$work/install.json" "$work/bootstrap.json" "$work/prepare-start.json"
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
