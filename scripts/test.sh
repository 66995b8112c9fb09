#!/usr/bin/env bash
# Runs every test: installs what they need on a fresh Debian 12 machine (packages, JDK check),
# then builds and tests with the Maven wrapper (unit tests, then integration and end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
select_jdk25
scripts/install-deps.sh
# tests that need an installed tool (promtool, kubectl) fail instead of skipping when it is missing
export GALERA_AGENT_DEPS_INSTALLED=1
echo "using JAVA_HOME=$JAVA_HOME"
exec ./mvnw -B -ntp verify "$@"
