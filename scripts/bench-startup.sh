#!/usr/bin/env bash
# Start-up and size benchmark of the packaged agent (docs/benchmarks.md, "Start-up and size").
# Side by side in one run, for `agent --version` and `agent bootstrap --help` (`--help` until the
# bootstrap mode exists):
#   java -jar   plain `java -jar target/galera-agent-*.jar` on the Temurin 25 JDK, default flags
#   no AOT      the packaged launcher and jlink-ed runtime, without the AOT caches (default CDS on)
#   AOT         the packaged launcher as shipped, with the mode's AOT cache
# Reports median wall time and mean CPU (user+sys) from hyperfine; CPU again from paired runs (the
# variants take turns) with the median of each round's ratio to java -jar; median peak RSS from
# /usr/bin/time; the installed size; and the time of `agent install` into an empty directory.
# Usage: scripts/bench-startup.sh [RUNS]   (after ./mvnw package; needs hyperfine and GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
select_jdk25
RUNS=${1:-20}
AGENT=$PWD/target/agent
JAR=$(ls target/galera-agent-*.jar | grep -v -e sources -e javadoc | head -n 1)
[ -x "$AGENT/bin/agent" ] || { echo "error: run ./mvnw package first (no $AGENT/bin/agent)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "error: hyperfine is not installed (scripts/install-deps.sh)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "error: GNU time (/usr/bin/time) is not installed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the same package without its AOT caches
cp -a "$AGENT" "$work/no-aot"
rm -rf "$work/no-aot/aot"

if "$AGENT/bin/agent" help bootstrap >/dev/null 2>&1; then
  second=(bootstrap --help)
else
  second=(--help)
fi

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

# peak RSS in MiB, median of RUNS runs
peak_rss() {
  local i
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1
    tail -n 1 "$work/rss"
  done | median | awk '{printf "%.0f", $1 / 1024}'
}

# Paired runs: the three variants take turns, so a change in the machine's load hits all of them.
# CPU is user+sys of the process tree (bash's time, millisecond resolution).
paired_cpu() {
  local r i
  : >"$work/paired"
  for ((r = 0; r < RUNS; r++)); do
    for i in 0 1 2; do
      TIMEFORMAT="$r $i %3U %3S"
      # shellcheck disable=SC2086 # the command is a list of words
      { time ${cmds[$i]} >/dev/null 2>&1; } 2>>"$work/paired"
    done
  done
}

echo "| command | variant | median wall (ms) | CPU user+sys, mean (ms) | CPU, paired median (ms) | CPU vs java -jar, paired median | peak RSS (MiB) |"
echo "|---|---|---:|---:|---:|---:|---:|"
for args in "--version" "${second[*]}"; do
  read -r -a a <<<"$args"
  names=("java -jar" "no AOT" "AOT")
  cmds=("$JAVA_HOME/bin/java -jar $JAR ${a[*]}" "$work/no-aot/bin/agent ${a[*]}" "$AGENT/bin/agent ${a[*]}")
  hyperfine -N --warmup 3 --runs "$RUNS" --style none --export-csv "$work/h.csv" \
    -n "${names[0]}" "${cmds[0]}" -n "${names[1]}" "${cmds[1]}" -n "${names[2]}" "${cmds[2]}" >/dev/null 2>"$work/hyperfine.log" \
    || { cat "$work/hyperfine.log" >&2; exit 1; }
  paired_cpu
  for i in 0 1 2; do
    # hyperfine CSV: command,mean,stddev,median,user,system,min,max (seconds)
    read -r wall cpu <<<"$(awk -F, -v n=$((i + 2)) 'NR == n {printf "%.0f %.0f", $4 * 1000, ($5 + $6) * 1000}' "$work/h.csv")"
    pcpu=$(awk -v i=$i '$2 == i {print ($3 + $4) * 1000}' "$work/paired" | median | awk '{printf "%.0f", $1}')
    ratio=$(awk '{cpu[$1, $2] = $3 + $4} END {for (r = 0; cpu[r, 0] != ""; r++) print cpu[r, '"$i"'] * 100 / cpu[r, 0]}' "$work/paired" \
      | median | awk '{printf "%.0f", $1}')
    # shellcheck disable=SC2086 # the command is a list of words
    rss=$(peak_rss ${cmds[$i]})
    echo "| \`agent ${a[*]}\` | ${names[$i]} | $wall | $cpu | $pcpu | $ratio% | $rss |"
  done
done

mkdir -p "$work/to"
hyperfine -N --runs 5 --style none --export-csv "$work/i.csv" \
  --prepare "sh -c 'rm -rf $work/to && mkdir $work/to'" "$AGENT/bin/agent install --to $work/to" >/dev/null 2>&1
install_ms=$(awk -F, 'NR == 2 {printf "%.0f", $4 * 1000}' "$work/i.csv")
rm -rf "$work/to" && mkdir "$work/to" && "$AGENT/bin/agent" install --to "$work/to" >/dev/null
noop_ms=$(hyperfine -N --runs 5 --style none --export-csv "$work/n.csv" "$AGENT/bin/agent install --to $work/to" >/dev/null 2>&1 && awk -F, 'NR == 2 {printf "%.0f", $4 * 1000}' "$work/n.csv")
echo
echo "| measure | value |"
echo "|---|---|"
echo "| installed size (\`du -sm\` of DIR after \`agent install\`) | $(du -sm "$work/to" | cut -f1) MiB |"
for part in runtime lib aot; do
  echo "| … of which $part/ | $(du -sm "$work/to/agent-home/$part/" | cut -f1) MiB |"
done
echo "| \`agent install\` into an empty dir (median of 5) | $install_ms ms |"
echo "| \`agent install\` again, same version (no-op, median of 5) | $noop_ms ms |"
echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs ($(uname -m)), $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 2p), $RUNS runs each."
