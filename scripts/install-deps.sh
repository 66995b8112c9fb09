#!/usr/bin/env bash
# Installs the Debian 12 packages that the tests and the demo use: a real MariaDB with Galera,
# the SST tools, dnsmasq as cluster DNS, iproute2 for network namespaces, benchmark tools, promtool
# (package prometheus) for the alert rules, kubectl (package kubernetes-client) for kustomize, and
# podman with what scripts/build-images.sh and test-images.sh need (debootstrap, runc, PyYAML).
# Idempotent: does nothing when everything is there already.
set -euo pipefail
PKGS=(mariadb-server mariadb-client mariadb-backup galera-4 rsync socat dnsmasq dnsutils iproute2 procps util-linux mount coreutils curl hyperfine wrk time podman buildah debootstrap runc python3-yaml libfaketime nftables)
# without their recommends: prometheus would bring node-exporter and its collectors along
LEAN=(prometheus)
# kubectl may come from another package (Google's kubectl): kubernetes-client would collide with it
if ! command -v kubectl >/dev/null; then LEAN+=(kubernetes-client); fi
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${PKGS[@]}"; do installed "$p" || missing+=("$p"); done
lean_missing=()
for p in "${LEAN[@]}"; do installed "$p" || lean_missing+=("$p"); done
if [ $((${#missing[@]} + ${#lean_missing[@]})) -gt 0 ]; then
  echo "installing: ${missing[*]} ${lean_missing[*]}"
  [ "$(id -u)" = 0 ] || { echo "error: installing packages needs root (run with sudo)" >&2; exit 1; }
  apt-get update -qq
  # the packaged services must not start on their own: the tests start their own servers
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ ${#lean_missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${lean_missing[@]}" >/dev/null
  fi
fi
# where systemd runs, keep the packaged services from holding ports or data dirs
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable --now mariadb dnsmasq prometheus >/dev/null 2>&1 || true
fi
