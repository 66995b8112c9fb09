#!/usr/bin/env bash
# Runs the images built by scripts/build-images.sh as one pod of k8s/galera-statefulset.yaml
# would, with podman, and checks that a single-node Galera cluster comes up:
#   1. `install` (install image) copies the agent into the work-dir volume;
#   2. `bootstrap` (MariaDB image, /work-dir/agent bootstrap --no-kube-api --replicas 1) decides
#      NEW_CLUSTER for galera-0 and writes galera.cnf and the bootstrap request into the config volume;
#   3. `mariadb` (the image's own entrypoint: initialises the data directory, runs the manifest's
#      galera-initdb script) starts mariadbd with that config;
#   4. `probe` (/work-dir/agent probe serve) completes the hand-off (the node becomes Primary) and
#      answers /startup, /live and /ready with 200 inside the pod.
# Every container gets what the manifest gives it: uid/gid 999 with fsGroup 999, a read-only root
# filesystem where the manifest says so, no capabilities, no privilege escalation, the manifest's
# env (Downward API values filled in) and volume mounts, the ConfigMaps' and a Secret's files
# (scripts/images/pod-args.py reads them from the manifest). Left out: the Kubernetes API (the
# agent runs with --no-kube-api, and kube-api-access is not mounted) and resource limits.
# The pod has no network but its own loopback (POD_IP 127.0.0.1): nothing leaves the machine.
#
# READY_TIMEOUT (seconds, default 240) bounds the wait for /ready; MANIFEST replaces
# k8s/galera-statefulset.yaml (a rendered overlay, say).
# Needs root and podman (scripts/install-deps.sh). Runs scripts/build-images.sh first unless
# --no-build. When podman cannot run containers here at all, it says SKIPPED and exits 0.
# Other users of podman: run it under the tests' lock, flock /tmp/galera-it.lock scripts/test-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/podman-env.sh

say() { printf 'test-images: %s\n' "$*"; }
fail() { printf 'test-images: FAILED: %s\n' "$*" >&2; exit 1; }

build=true
case "${1:-}" in
  '') ;;
  --no-build) build=false ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "test-images: unknown option '$1' (--no-build, --help)" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || fail "needs root (rootful podman)"
TMPDIR_BEFORE=${TMPDIR:-}
command -v podman >/dev/null || fail "podman is missing: run scripts/install-deps.sh"
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is missing: run scripts/install-deps.sh"

manifest=${MANIFEST:-k8s/galera-statefulset.yaml}
pod=galera-0
pod_id=galera-agent-image-test-$$
export MARIADB_IMAGE=$BOOTSTRAP_IMAGE

finish() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    for c in mariadb probe; do
      if podman container exists "$pod_id-$c"; then
        echo "----- last lines of the $c container's log -----" >&2
        podman logs --tail 40 "$pod_id-$c" >&2 || true
      fi
    done
  fi
  podman pod rm -f "$pod_id" >/dev/null 2>&1 || true
  remove_tree "$work"
}

work=$(mktemp -d "${TMPDIR:-/var/tmp}/galera-images-test.XXXXXX")
trap finish EXIT
chmod 755 "$work"
podman_env "$work"
if ! podman info >"$work/podman-info" 2>&1; then
  say "SKIPPED: podman cannot run here: $(tail -1 "$work/podman-info")"
  exit 0
fi

start=$SECONDS
if $build; then
  # its own temp dir and settings: not ours, which the pod uses
  TMPDIR=${TMPDIR_BEFORE:-/var/tmp} scripts/build-images.sh
fi
built=$SECONDS
for image in "$INSTALL_IMAGE" "$BOOTSTRAP_IMAGE"; do
  podman image exists "$image" || fail "$image is not in podman storage: run scripts/build-images.sh"
done


# The pod's volumes, as the kubelet makes them: emptyDirs 0777; the data PVC group-owned by the
# fsGroup with setgid; the Secret 0440 (defaultMode 288) and the ConfigMaps 0444, group fsGroup.
vol=$work/volumes
mkdir -p "$vol"/{work-dir,config,tmp,bootstrap-run,data,credentials,bootstrap-credentials,probe-credentials,extra-config,initdb}
chmod 0777 "$vol"/{work-dir,config,tmp,bootstrap-run}
chown 0:999 "$vol/data" && chmod 2775 "$vol/data"
root_password="root-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
probe_password="probe-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$root_password" >"$vol/credentials/root-password"
printf '%s' "$probe_password" >"$vol/credentials/probe-password"
printf '[mariadb]\nwsrep_sst_auth = sst:sst-%s\n' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$vol/credentials/sst.cnf"
# each container mounts only the keys it reads (the manifest's Secret volumes with items)
cp "$vol/credentials/sst.cnf" "$vol/bootstrap-credentials/"
cp "$vol/credentials/probe-password" "$vol/probe-credentials/"
python3 scripts/images/pod-args.py "$manifest" --data ConfigMap galera-extra-config extra.cnf >"$vol/extra-config/extra.cnf"
python3 scripts/images/pod-args.py "$manifest" --data ConfigMap galera-initdb 10-galera-agent-users.sh >"$vol/initdb/10-galera-agent-users.sh"
chown 0:999 "$vol"/credentials/* "$vol"/bootstrap-credentials/* "$vol"/probe-credentials/* "$vol"/extra-config/* "$vol"/initdb/*
chmod 0440 "$vol"/credentials/* "$vol"/bootstrap-credentials/* "$vol"/probe-credentials/*
chmod 0444 "$vol"/extra-config/* "$vol"/initdb/*
volumes=()
for v in work-dir config tmp bootstrap-run data credentials bootstrap-credentials probe-credentials extra-config initdb; do
  volumes+=("$v=$vol/$v")
done

# the `podman run` arguments of one of the manifest's containers, extra agent arguments after --
container_args() {
  local name=$1; shift
  python3 scripts/images/pod-args.py "$manifest" "$name" "$pod" default 127.0.0.1 "${volumes[@]}" -- "$@" 2>/dev/null
}

# GET http://127.0.0.1:9800$1 from inside the pod (bash's /dev/tcp in the mariadb container,
# which has no curl): prints "CODE BODY"
http_get() {
  local response code
  response=$(podman exec "$pod_id-mariadb" bash -c \
    'exec 3<>/dev/tcp/127.0.0.1/9800 && printf "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n" "$1" >&3 && cat <&3' \
    http-get "$1" 2>/dev/null) || return 1
  response=${response//$'\r'/}
  code=${response#HTTP/* }
  printf '%s %s\n' "${code%% *}" "${response#*$'\n\n'}"
}

t=$SECONDS
# the pod: shared network (loopback only) and hostname, as in Kubernetes
podman pod create --name "$pod_id" --hostname "$pod" --network none >/dev/null
say "pod $pod_id ($pod) created in $((SECONDS - t))s"

t=$SECONDS
mapfile -t args < <(container_args install)
out=$(podman run --rm --pod "$pod_id" --name "$pod_id-install" "${args[@]}" 2>&1) || fail "install: $out"
say "install: $out"
[[ $out == "installed agent "*" into /work-dir: "* ]] || fail "install did not say what it installed"
out=$(podman run --rm --pod "$pod_id" --name "$pod_id-install" "${args[@]}" 2>&1) || fail "install (again): $out"
say "install again: $out"
[ -x "$vol/work-dir/agent" ] || fail "no executable /work-dir/agent after install"
say "install: $((SECONDS - t))s for both runs"

t=$SECONDS
mapfile -t args < <(container_args bootstrap --no-kube-api --replicas 1 --timeout 300s)
rc=0
out=$(podman run --rm --pod "$pod_id" --name "$pod_id-bootstrap" "${args[@]}" 2>&1) || rc=$?
printf '%s\n' "$out" | sed 's/^/test-images:   bootstrap| /'
[ "$rc" = 0 ] || fail "bootstrap exited $rc"
grep -q NEW_CLUSTER <<<"$out" || fail "bootstrap did not decide NEW_CLUSTER"
[ -s "$vol/config/galera.cnf" ] || fail "bootstrap wrote no galera.cnf"
say "bootstrap: NEW_CLUSTER, galera.cnf written, $((SECONDS - t))s; its files: $(cd "$vol/config" && ls -A | tr '\n' ' ')"
sed 's/^/test-images:   galera.cnf| /' "$vol/config/galera.cnf"

t=$SECONDS
mapfile -t args < <(container_args mariadb)
podman run -d --pod "$pod_id" --name "$pod_id-mariadb" "${args[@]}" >/dev/null
mapfile -t args < <(container_args probe --no-kube-api)
podman run -d --pod "$pod_id" --name "$pod_id-probe" "${args[@]}" >/dev/null

ready=""
deadline=$((SECONDS + ${READY_TIMEOUT:-240}))
while [ "$SECONDS" -lt "$deadline" ]; do
  podman container inspect -f '{{.State.Running}}' "$pod_id-mariadb" 2>/dev/null | grep -q true || fail "the mariadb container stopped"
  podman container inspect -f '{{.State.Running}}' "$pod_id-probe" 2>/dev/null | grep -q true || fail "the probe container stopped"
  ready=$(http_get /ready || true)
  [[ $ready == "200 "* ]] && break
  sleep 1
done
[[ $ready == "200 "* ]] || fail "/ready never answered 200 (last: ${ready:-no answer})"
say "/ready 200 after $((SECONDS - t))s: ${ready#200 }"
for path in /startup /live; do
  answer=$(http_get "$path")
  [[ $answer == "200 "* ]] || fail "$path answered: $answer"
  say "$path $answer"
done

status=$(http_get /status)
say "/status ${status:0:300}"
sql() { podman exec -e MYSQL_PWD="$root_password" "$pod_id-mariadb" mariadb -uroot -h127.0.0.1 -N -B -e "$1"; }
cluster=$(sql "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_STATUS','WSREP_CLUSTER_SIZE','WSREP_LOCAL_STATE_COMMENT') ORDER BY VARIABLE_NAME" | tr '\n' ' ')
say "wsrep cluster size, status, state: $cluster"
[ "$cluster" = "1 Primary Synced " ] || fail "expected a one-node Primary Synced cluster"
probe_users=$(sql "SELECT COUNT(*) FROM mysql.user WHERE user = 'probe'")
[ "$probe_users" = 3 ] || fail "the galera-initdb script should have made 3 probe accounts, found $probe_users"
version=$(sql "SELECT VERSION()")
say "server $version; galera-initdb made the probe and SST users"
[ ! -e "$vol/config/bootstrap-request.json" ] || fail "the probe sidecar did not complete the hand-off (bootstrap-request.json still there)"
for c in probe mariadb; do
  say "$c container: read-only root filesystem $(podman container inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$pod_id-$c"), user $(podman container inspect -f '{{.Config.User}}' "$pod_id-$c")"
done
[ "$(podman container inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$pod_id-probe")" = true ] || fail "the probe container's root filesystem should be read-only"

say "PASSED: build $((built - start))s, pod $((SECONDS - built))s, total $((SECONDS - start))s"
