#!/bin/sh
# Build step: makes one AOT cache per mode (AGENT/aot/<mode>.aot) from a training run of the
# packaged launcher itself, so the cache sees exactly the runtime, classpath and JVM flags it will
# be used with. A mode whose subcommand does not exist yet is skipped (the launcher then runs it
# without a cache). Training runs need no network: they use temporary directories only.
#
# To train a mode on more representative work, change its line at the bottom.
set -eu
AGENT=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$AGENT/aot" "$work/to"

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
  env -i PATH=/usr/bin:/bin HOME="$work" AGENT_JAVA_OPTIONS="-XX:AOTCacheOutput=$cache" \
    "$AGENT/bin/agent" "$@" >"$work/$mode.out" 2>&1 || status=$?
  rm -f "$cache.config"
  if [ ! -s "$cache" ]; then
    echo "AOT cache $mode: training run 'agent $*' (exit $status) made no cache:" >&2
    cat "$work/$mode.out" >&2
    exit 1
  fi
  echo "AOT cache $mode: $(du -k "$cache" | cut -f1) KiB from 'agent $*' (exit $status)"
}

train install install --dry-run --to "$work/to"
train bootstrap bootstrap --help
train probe probe --help
train status status --help
train prepare-start prepare-start --help

# What the caches were trained with. JDK 25.0.3 does not reject a cache when a jar changed
# (JDK-8377932), so PackagingIT checks these checksums instead.
(cd "$AGENT" && sha256sum lib/*.jar runtime/lib/modules runtime/lib/server/libjvm.so) >"$AGENT/aot/trained-with.sha256"
