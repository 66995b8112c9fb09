#!/usr/bin/env bash
# Hostile-client benchmark of `agent probe serve` (docs/benchmarks.md, section "Hostile clients"), against
# one local single-node Galera on 127.0.30.51:3306: RUNS times, for SECONDS each, scripts/HostileLoad.java
# holds SLOW slowloris connections open and sends 1000 req/s of /status, while a kubelet-like client asks
# /live and /ready 20 times a second each on new connections; the sidecar's RSS is sampled from /proc
# (VmRSS every 0.2 s, and VmHWM, the peak, at the end).
# Needs root (mariadbd runs as mysql), Debian's mariadb-server and galera-4, and a build:
# `./mvnw -q -ntp package -DskipTests`. Run it under the shared lock: `flock /tmp/galera-it.lock scripts/bench-hostile.sh`.
# Usage: scripts/bench-hostile.sh [SECONDS (default 20)] [RUNS (default 3)] [SLOW (default 200)]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
select_jdk25
SECS=${1:-20}
RUNS=${2:-3}
SLOW=${3:-200}
ADDR=127.0.30.51
DBPORT=3306
HTTPPORT=9800
JAVA="$JAVA_HOME/bin/java"
# the sidecar's JVM as a pod would run it: small bounded heap, serial GC
# (measured: -Xshare:off saves the ~14 MiB mapping of the JDK's CDS archive for ~2 MiB more metaspace;
# TrimNativeHeapInterval gives glibc's freed arenas back; C1 only keeps the compiler's arenas small)
SERVE_JVM=(-XX:+UseSerialGC -Xms4m -Xmn2m -Xmx24m -XX:MaxMetaspaceSize=48m -Xss256k -XX:ReservedCodeCacheSize=16m
  -XX:TieredStopAtLevel=1 -XX:TrimNativeHeapInterval=2000 -Xshare:off)
CP="target/classes:target/lib/*"
[ -d target/classes/dev/galeraagent/probe ] && [ -d target/lib ] || { echo "error: build first: ./mvnw -q -ntp package -DskipTests" >&2; exit 1; }
for t in mariadbd mariadb-install-db mariadb; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "error: $t is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/bench-hostile.XXXXXX)
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

"$JAVA" "${SERVE_JVM[@]}" -cp "$CP" dev.galeraagent.cli.AgentCommand probe serve --listen "$ADDR:$HTTPPORT" \
  --host "$ADDR" --password-file "$WORK/password" --datadir "$WORK/data" --config-dir "$WORK/conf" 2>"$WORK/serve.log" &
SERVE_PID=$!
for _ in $(seq 100); do curl -fsS "http://$ADDR:$HTTPPORT/ready" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sS -o /dev/null "http://$ADDR:$HTTPPORT/status"
echo "/ready: $(curl -sS "http://$ADDR:$HTTPPORT/ready")"
echo "sidecar JVM flags: ${SERVE_JVM[*]}"
sleep 3
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
echo "RSS idle (MiB): $(kb $SERVE_PID VmRSS | awk '{printf "%.1f", $1/1024}')"
for run in $(seq "$RUNS"); do
  "$JAVA" -XX:+UseSerialGC scripts/HostileLoad.java "$ADDR" "$HTTPPORT" "$SLOW" 1000 "$SECS" > "$WORK/load.out" &
  LOAD=$!
  : > "$WORK/rss"
  while kill -0 $LOAD 2>/dev/null; do kb $SERVE_PID VmRSS >> "$WORK/rss"; sleep 0.2; done
  wait $LOAD
  echo "run $run:"
  sed 's/^/  /' "$WORK/load.out"
  echo "  sidecar RSS max during the run (MiB): $(sort -n "$WORK/rss" | tail -1 | awk '{printf "%.1f", $1/1024}'), peak so far (VmHWM): $(kb $SERVE_PID VmHWM | awk '{printf "%.1f", $1/1024}')"
  sleep 2
done
echo "sidecar threads at the end: $(kb $SERVE_PID Threads)"
echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
