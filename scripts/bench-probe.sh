#!/usr/bin/env bash
# Benchmark of `agent probe` (docs/benchmarks.md, section "Probe"), all against one local single-node
# Galera on 127.0.30.50:3306, in one run:
#  1. `probe serve` under a fixed request rate on /ready (100 and 1000 req/s, scripts/ProbeLoad.java),
#     and flat out with wrk; the sidecar's RSS idle, under load and after;
#  2. cold exec checks with hyperfine: `agent probe readiness` with the sidecar running and absent,
#     `mysqladmin ping`, `mariadb -e "SHOW STATUS LIKE 'wsrep_ready'"`.
# Needs root (mariadbd runs as mysql), Debian's mariadb-server, galera-4, wrk, hyperfine, and a build:
# `./mvnw -q -ntp package -DskipTests` (the agent runs as `java -cp target/classes:target/lib/*` until a
# packaged launcher exists). Usage: scripts/bench-probe.sh [SECONDS_PER_RATE (default 20)]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
select_jdk25
SECS=${1:-20}
ADDR=127.0.30.50
DBPORT=3306
HTTPPORT=9800
JAVA="$JAVA_HOME/bin/java"
# the sidecar's JVM as a pod would run it: small bounded heap, serial GC
# (measured: -Xshare:off saves the ~14 MiB mapping of the JDK's CDS archive for ~2 MiB more metaspace;
# TrimNativeHeapInterval gives glibc's freed arenas back; C1 only keeps the compiler's arenas small)
SERVE_JVM=(-XX:+UseSerialGC -Xms4m -Xmn2m -Xmx24m -XX:MaxMetaspaceSize=48m -Xss256k -XX:ReservedCodeCacheSize=16m
  -XX:TieredStopAtLevel=1 -XX:TrimNativeHeapInterval=2000 -Xshare:off)
# a one-shot check's JVM: start-up matters, not peak speed
EXEC_JVM=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1)
CP="target/classes:target/lib/*"
JAR=$(ls target/galera-agent-*.jar 2>/dev/null | head -1)
[ -d target/classes/dev/galeraagent/probe ] && [ -d target/lib ] && [ -n "$JAR" ] || { echo "error: build first: ./mvnw -q -ntp package -DskipTests" >&2; exit 1; }
for t in mariadbd mariadb-install-db mariadb mysqladmin wrk hyperfine; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "error: $t is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/bench-probe.XXXXXX)
chmod 755 "$WORK"
DB_PID=""
SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
  [ -n "$DB_PID" ] && kill "$DB_PID" 2>/dev/null || true
  [ -n "$DB_PID" ] && for _ in $(seq 100); do kill -0 "$DB_PID" 2>/dev/null || break; sleep 0.1; done
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/data" "$WORK/run" "$WORK/conf"
cat > "$WORK/my.cnf" <<CNF
[mysqld]
user = mysql
datadir = $WORK/data
socket = $WORK/run/mysqld.sock
pid-file = $WORK/run/mysqld.pid
log-error = $WORK/error.log
bind-address = $ADDR
port = $DBPORT
skip-name-resolve
performance_schema = OFF
innodb_buffer_pool_size = 32M
max_connections = 200
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_on = ON
wsrep_provider = /usr/lib/galera/libgalera_smm.so
wsrep_cluster_name = bench
wsrep_cluster_address = gcomm://
wsrep_node_address = $ADDR
wsrep_provider_options = "gmcast.listen_addr=tcp://$ADDR:4567;ist.recv_addr=$ADDR:4568;gcache.size=16M"
CNF
chown -R mysql:mysql "$WORK"
mariadb-install-db --defaults-file="$WORK/my.cnf" --user=mysql --skip-test-db --auth-root-authentication-method=socket >/dev/null
/usr/sbin/mariadbd --defaults-file="$WORK/my.cnf" --wsrep-new-cluster >/dev/null 2>&1 &
DB_PID=$!
sql() { mariadb --no-defaults -S "$WORK/run/mysqld.sock" -uroot -N -B -e "$1"; }
for _ in $(seq 300); do
  [ "$(sql "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)" = Synced ] && break
  sleep 0.1
done
PW=bench-$RANDOM$RANDOM
sql "CREATE USER 'probe'@'%' IDENTIFIED BY '$PW'"
printf '%s\n' "$PW" > "$WORK/password"
echo "mariadbd $(mariadbd --version | awk '{print $3}') pid $DB_PID: $(sql "SHOW STATUS LIKE 'wsrep_local_state_comment'" | cut -f2)"

rss() { ps -o rss= -p "$1" | awk '{printf "%.1f", $1/1024}'; }
"$JAVA" "${SERVE_JVM[@]}" -cp "$CP" dev.galeraagent.cli.AgentCommand probe serve --listen "$ADDR:$HTTPPORT" \
  --host "$ADDR" --password-file "$WORK/password" --datadir "$WORK/data" --config-dir "$WORK/conf" 2>"$WORK/serve.log" &
SERVE_PID=$!
for _ in $(seq 100); do curl -fsS "http://$ADDR:$HTTPPORT/ready" >/dev/null 2>&1 && break; sleep 0.1; done
echo "/ready: $(curl -sS "http://$ADDR:$HTTPPORT/ready")"
sleep 3
echo "sidecar JVM flags: ${SERVE_JVM[*]}"
echo "RSS idle (MiB): $(rss $SERVE_PID)"

peak=0
sample_rss() { while kill -0 "$1" 2>/dev/null; do r=$(ps -o rss= -p "$SERVE_PID"); echo "$r"; sleep 0.2; done; }
for rate in 100 1000; do
  "$JAVA" -XX:+UseSerialGC scripts/ProbeLoad.java "$ADDR" "$HTTPPORT" /ready "$rate" "$SECS" 4 > "$WORK/load.out" &
  LOAD=$!
  sample_rss $LOAD > "$WORK/rss.$rate"
  wait $LOAD
  echo "ProbeLoad /ready: $(cat "$WORK/load.out")  RSS max (MiB): $(sort -n "$WORK/rss.$rate" | tail -1 | awk '{printf "%.1f", $1/1024}')"
done
echo "wrk flat out, 2 threads, 16 connections, ${SECS}s:"
wrk -t2 -c16 -d"${SECS}s" --latency "http://$ADDR:$HTTPPORT/ready" | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors" | sed 's/^/  /'
sleep 3
echo "RSS after load (MiB): $(rss $SERVE_PID)"
curl -sS -o /dev/null "http://$ADDR:$HTTPPORT/status"
sleep 3
echo "RSS after one /status (Jackson loaded) (MiB): $(rss $SERVE_PID)"
queries=$(curl -sS "http://$ADDR:$HTTPPORT/metrics" | awk '/^galera_agent_query_duration_seconds_count/ {print $2}')
served=$(curl -sS "http://$ADDR:$HTTPPORT/metrics" | awk '/^galera_agent_probe_requests_total\{path="\/ready",result="ok"\}/ {print $2}')
echo "status reads by the sidecar: $queries for $served /ready requests"

ARGS="dev.galeraagent.cli.AgentCommand probe readiness --host $ADDR --password-file $WORK/password"
AGENT="$JAVA ${EXEC_JVM[*]} -cp $CP $ARGS"
# a JDK 25 AOT cache trained on this very check (needs a jar-only class path: the jar's manifest lists lib/)
"$JAVA" -XX:+UseSerialGC -XX:AOTCacheOutput="$WORK/probe.aot" -cp "$JAR" $ARGS --sidecar "http://$ADDR:$HTTPPORT" >/dev/null 2>&1
export MYSQL_PWD="$PW"
echo "one run of each exec check (exit code, output):"
$AGENT --sidecar "http://$ADDR:$HTTPPORT" | sed 's/^/  sidecar running: /'
$AGENT --sidecar "http://$ADDR:1" | sed 's/^/  no sidecar: /'
hyperfine -i -N --warmup 3 --runs 20 --export-markdown "$WORK/exec.md" --export-json "$WORK/exec.json" \
  -n "agent probe readiness (sidecar running)" "$AGENT --sidecar http://$ADDR:$HTTPPORT" \
  -n "agent probe readiness (sidecar running, AOT cache)" "$JAVA ${EXEC_JVM[*]} -XX:AOTCache=$WORK/probe.aot -cp $JAR $ARGS --sidecar http://$ADDR:$HTTPPORT" \
  -n "agent --version (JVM + picocli floor)" "$JAVA ${EXEC_JVM[*]} -cp $CP dev.galeraagent.cli.AgentCommand --version" \
  -n "agent probe readiness (no sidecar)" "$AGENT --sidecar http://$ADDR:1" \
  -n "mysqladmin ping" "mysqladmin --no-defaults -h $ADDR -P $DBPORT -u probe ping" \
  -n "mariadb -e SHOW STATUS wsrep_ready" "mariadb --no-defaults -h $ADDR -P $DBPORT -u probe -e \"SHOW STATUS LIKE 'wsrep_ready'\"" >/dev/null
cat "$WORK/exec.md"
# CPU time is steadier than wall time on a shared machine
python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("  %-55s cpu (user+sys) %6.1f ms" % (r["command"], 1000*(r["user"]+r["system"])))' "$WORK/exec.json"
echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
