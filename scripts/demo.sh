#!/usr/bin/env bash
# A three-pod Galera StatefulSet on this machine, run by the agent exactly as Kubernetes runs it
# (network namespaces as pods, dnsmasq as the cluster DNS, the API stand-in), printing each pod's
# decision and state. Options: --crash (kill -9 every pod under writes, watch the recovery),
# --plain (no agent: the manual bootstrap), --pods N. Needs root (it installs packages and makes network
# namespaces). Enter or Ctrl-C stops it and removes everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
select_jdk25
scripts/install-deps.sh
./mvnw -B -q -ntp package test-compile -DskipTests
./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" dev.galeraagent.e2e.Demo "$@"
