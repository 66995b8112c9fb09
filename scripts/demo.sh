#!/usr/bin/env bash
# The main job on its embedded default: builds the agent, installs it the way the StatefulSet's
# first init container does (into a temporary work dir), and runs the installed copy.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
select_jdk25
scripts/install-deps.sh
./mvnw -B -q -ntp package -DskipTests
work=$(mktemp -d /tmp/galera-agent-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
target/agent/bin/agent install --to "$work"
"$work/agent" --help
